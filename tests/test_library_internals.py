"""Every use of a library's internals in the product code, listed in one place and checked.

Bawaba leans on a few things that Strawberry, graphql-core and uvicorn (and argparse,
purgatory, Starlette) do not promise to keep: underscore names, modules outside their public
API, attributes of classes they do not document for subclassing. ``INTERNALS`` names each
one: the library, what is used, where (``file:function``), and why the public API does not do
it. ``requirements.lock`` pins every library, so these change only when someone upgrades one,
and then:

- ``test_internal_still_works[<key>]`` exercises each entry (it exists, has the signature or
  attributes the code uses, and does what the code relies on), and fails with the entry's
  library, name, place and reason;
- ``test_every_internal_use_is_listed`` walks the product code with ``ast`` and fails on a
  private use the table does not list, and ``test_every_listed_use_is_still_there`` on an
  entry whose use is gone, so the table stays the whole list and nothing more;
- ``test_every_imported_library_is_named_in_pyproject`` fails on an import of a library that
  only comes with another one (it could leave with that one's next release).

A private use, for the walk, is: an import of an underscore name or through an underscore
module; an import from Strawberry, graphql-core or uvicorn of a name that none of their
public modules offers (``PUBLIC_MODULES``); ``x._name`` where ``_name`` is not the product's
own; a keyword argument ``_name=`` that no product function takes; a product class that
overrides an underscore method of a library class. Uses the walk cannot see (public-looking
attributes of classes that are not public, generated source, message texts) are listed by
hand, each found by a piece of its text.

A product module that uses an internal says so in a one-line comment pointing here.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import contextlib
import functools
import importlib
import importlib.metadata
import inspect
import socket
import sys
import tomllib
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from packaging.requirements import Requirement

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


# -- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Internal:
    """One internal the product relies on.

    ``finds`` says how each use is found in the ``where`` files: a token of the walk
    (``import:module.Name``, ``attr:._name``, ``kwarg:_name``, ``override:Class._name``) or
    ``text:`` and a piece of the source, for uses by hand.
    """

    library: str
    used: str
    where: tuple[str, ...]
    why: str
    finds: tuple[str, ...]

    @property
    def files(self) -> frozenset[str]:
        return frozenset(place.split(":")[0] for place in self.where)


INTERNALS: dict[str, Internal] = {
    "graphql-core-collect-fields": Internal(
        library="graphql-core",
        used="graphql.execution.collect_fields: collect_fields, collect_subfields, "
        "FieldDetails, FragmentDetails",
        where=(
            "execution/compiled/compiler.py:PlanCompiler.compile",
            "execution/compiled/compiler.py:PlanCompiler._object_completion",
            "execution/compiled/plan.py:FieldPlan",
            "execution/compiled/runner.py:CompiledRun._runtime_completion",
        ),
        why="graphql-core exports no field collection; a compiled plan must group a "
        "selection's fields exactly as execute() does (fragments, @skip/@include, order).",
        finds=(
            "import:graphql.execution.collect_fields.FieldDetails",
            "import:graphql.execution.collect_fields.FragmentDetails",
            "import:graphql.execution.collect_fields.collect_fields",
            "import:graphql.execution.collect_fields.collect_subfields",
        ),
    ),
    "graphql-core-collected-errors": Internal(
        library="graphql-core",
        used="graphql.execution.executor.CollectedErrors (add, errors)",
        where=(
            "execution/compiled/runner.py:CompiledRun.__init__",
            "execution/compiled/runner.py:CompiledRun._handle_field_error",
        ),
        why="graphql-core's rule for dropping an error below a field already nulled lives "
        "only in this class ('for internal use only'); both paths must report the same errors.",
        finds=("import:graphql.execution.executor.CollectedErrors",),
    ),
    "graphql-core-ensure-valid-runtime-type": Internal(
        library="graphql-core",
        used="Executor.ensure_valid_runtime_type, called unbound with a CompiledRun as self "
        "(it reads only self.schema)",
        where=("execution/compiled/runner.py:CompiledRun._runtime_completion",),
        why="An abstract type resolved to a wrong type must be worded as graphql-core words "
        "it; the method is ':meta private:' and there is no public function for it.",
        finds=("text:Executor.ensure_valid_runtime_type(",),
    ),
    "graphql-core-relevant-sub-fields": Internal(
        library="graphql-core",
        used="Executor.build_per_event_executor and the executor's _relevant_sub_fields memo",
        where=("execution/schema.py:PerEventMemoExecutionContext.build_per_event_executor",),
        why="graphql-core 3.3 copies the executor for each subscription event and the copies "
        "share one sub-field memo, which then grows for as long as the subscription lives; "
        "there is no public way to give each event a memo of its own.",
        finds=("attr:._relevant_sub_fields",),
    ),
    "strawberry-graphql-core-schema": Internal(
        library="strawberry-graphql",
        used="strawberry.Schema._schema (the graphql-core schema Strawberry builds)",
        where=("execution/schema.py:graphql_schema_of",),
        why="Strawberry has no public accessor for it; compiled execution, query cost and "
        "shared subscriptions work on the graphql-core schema.",
        finds=("attr:._schema",),
    ),
    "strawberry-execution-context": Internal(
        library="strawberry-graphql",
        used="strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext, subclassed",
        where=("execution/schema.py:PerEventMemoExecutionContext",),
        why="execution_context_class is public, but the class Strawberry itself uses (which "
        "builds resolvers' info and carries operation_extensions) is not exported.",
        finds=("import:strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext",),
    ),
    "strawberry-resolve-info": Internal(
        library="strawberry-graphql",
        used="strawberry.schema.schema._OperationContextAwareGraphQLResolveInfo, built "
        "positionally",
        where=("execution/compiled/runner.py:CompiledRun._resolve_info",),
        why="Compiled execution must hand resolvers the same info Strawberry hands them "
        "(with operation_extensions); Strawberry builds it in a private NamedTuple.",
        finds=("import:strawberry.schema.schema._OperationContextAwareGraphQLResolveInfo",),
    ),
    "strawberry-info-private-fields": Internal(
        library="strawberry-graphql",
        used="strawberry.Info(_raw_info=..., _field=...)",
        where=(
            "execution/compiled/runner.py:CompiledRun._call_resolver",
            "execution/compiled/codegen.py:_ObjectSource._resolver",
        ),
        why="Resolvers asking for info get a strawberry.Info; Strawberry makes it from these "
        "two private fields and offers no constructor of its own.",
        finds=("kwarg:_raw_info", "kwarg:_field", "text:Info(_raw_info=info, _field="),
    ),
    "strawberry-optimized-is-awaitable": Internal(
        library="strawberry-graphql",
        used="strawberry.execution.is_awaitable.optimized_is_awaitable",
        where=(
            "execution/compiled/runner.py:CompiledRun",
            "execution/compiled/codegen.py:_is_plain",
        ),
        why="The check Strawberry gives graphql-core (fast for plain values); the compiled "
        "path must treat the same values as awaitable. Not in Strawberry's documented API.",
        finds=("import:strawberry.execution.is_awaitable.optimized_is_awaitable",),
    ),
    "strawberry-convert-arguments": Internal(
        library="strawberry-graphql",
        used="strawberry.types.arguments.convert_arguments",
        where=(
            "execution/compiled/runner.py:CompiledRun._call_resolver",
            "execution/compiled/codegen.py:_ObjectSource._fixed_arguments",
        ),
        why="How Strawberry turns coerced argument values into resolver arguments (input "
        "types, scalars, UNSET); compiled execution calls resolvers directly.",
        finds=("import:strawberry.types.arguments.convert_arguments",),
    ),
    "strawberry-schema-converter": Internal(
        library="strawberry-graphql",
        used="Schema.schema_converter: scalar_registry and _get_field_exception_handlers",
        where=(
            "execution/compiled/compiler.py:PlanCompiler._choose_source",
            "execution/compiled/runner.py:CompiledRun.__init__",
            "execution/compiled/codegen.py:_ObjectSource._fixed_arguments",
        ),
        why="convert_arguments needs the schema's scalar registry; a field with exception "
        "handlers must stay on the standard path, and only the converter knows.",
        finds=("attr:._get_field_exception_handlers", "text:schema_converter.scalar_registry"),
    ),
    "strawberry-field-definition": Internal(
        library="strawberry-graphql",
        used="GraphQLField.extensions['strawberry-definition'] (the StrawberryField) and its "
        "base_resolver, python_name, default_resolver, extensions, arguments; the resolver's "
        "self_parameter, parent_parameter, root_parameter, info_parameter, wrapped_func",
        where=(
            "execution/compiled/compiler.py:PlanCompiler._choose_source",
            "execution/compiled/codegen.py:_ObjectSource._field",
            "execution/compiled/runner.py:CompiledRun._call_resolver",
        ),
        why="A plan calls each resolver as Strawberry would; only the StrawberryField knows "
        "the resolver and which parameters get self, the parent and the info.",
        finds=('text:"strawberry-definition"', "text:resolver.info_parameter"),
    ),
    "strawberry-scalar-definitions": Internal(
        library="strawberry-graphql",
        used="strawberry.schema.types.base_scalars.DateDefinition and DateTimeDefinition, "
        "copied with dataclasses.replace; strawberry.types.scalar.ScalarDefinition; passed "
        "as scalar_overrides",
        where=(
            "schema/scalars.py:DATE",
            "schema/scalars.py:DATE_TIME",
            "execution/schema.py:GatewaySchema.__init__",
        ),
        why="@specifiedBy needs a definition of Date and DateTime of our own; copying "
        "Strawberry's keeps its ISO parsing and printing (and its wording of bad input).",
        finds=(
            "import:strawberry.schema.types.base_scalars.DateDefinition",
            "import:strawberry.schema.types.base_scalars.DateTimeDefinition",
            "import:strawberry.types.scalar.ScalarDefinition",
        ),
    ),
    "strawberry-websocket-origin": Internal(
        library="strawberry-graphql",
        used="strawberry.http.websocket_origin.is_same_origin and normalize_origin",
        where=("server/websocket_endpoint.py:GraphQLWebSocket.origin_allowed",),
        why="The gateway's own WebSocket endpoint refuses cross-origin browsers as "
        "Strawberry's view did; these are the comparisons it made.",
        finds=(
            "import:strawberry.http.websocket_origin.is_same_origin",
            "import:strawberry.http.websocket_origin.normalize_origin",
        ),
    ),
    "graphql-core-string-printers": Internal(
        library="graphql-core",
        used="graphql.language.print_string.print_string and "
        "graphql.language.block_string.print_block_string",
        where=("security/graphql_js_print.py:_value",),
        why="graphql-js 16's print escapes strings as graphql-core's printer does; the two "
        "helpers are the printer's own, not re-exported by graphql.",
        finds=(
            "import:graphql.language.print_string.print_string",
            "import:graphql.language.block_string.print_block_string",
        ),
    ),
    "graphql-core-coerce-default-value": Internal(
        library="graphql-core",
        used="graphql.utilities.coerce_input_value.coerce_default_value",
        where=("security/query_cost.py:CostEstimator",),
        why="A list's size defaults to its argument's schema default as execution reads it; "
        "Strawberry stores the default where only this function reads it alike.",
        finds=("import:graphql.utilities.coerce_input_value.coerce_default_value",),
    ),
    "graphql-core-token-limit-words": Internal(
        library="graphql-core",
        used="the words of the parser's token-limit error",
        where=("security/operation_limits.py:limit_error_code",),
        why="The parser's token limit raises a syntax error without a code; MAX_TOKENS_EXCEEDED "
        "is found in its words.",
        finds=("text:tokens. Parsing aborted",),
    ),
    "type-names-for-annotations": Internal(
        library="strawberry-graphql, uvicorn",
        used="names used in annotations only: strawberry.types.field.StrawberryField, "
        "strawberry.types.fields.resolver.StrawberryResolver, strawberry.schema.schema."
        "StreamResult, strawberry.types.graphql.OperationType, uvicorn._types.WebSocketScope",
        where=(
            "execution/compiled/plan.py:ResolverCall",
            "execution/schema.py:GatewaySchema.stream",
            "pipeline/execute.py:ExecutionStep.stream",
            "live/direct_frames.py:DirectFramesWebSocketProtocol",
        ),
        why="The types of what the libraries hand over (a field's definition, a stream of "
        "results, an operation's type, the ASGI scope) are named where they are declared; "
        "mypy checks every use against them.",
        finds=(
            "import:strawberry.types.field.StrawberryField",
            "import:strawberry.types.fields.resolver.StrawberryResolver",
            "import:strawberry.schema.schema.StreamResult",
            "import:strawberry.types.graphql.OperationType",
            "import:uvicorn._types.WebSocketScope",
        ),
    ),
    "strawberry-opentelemetry-span-holder": Internal(
        library="strawberry-graphql",
        used="OpenTelemetryExtension._tracer and ._span_holder[LifecycleStep.OPERATION]",
        where=("telemetry/tracing.py:GraphQLOperationSpans.on_operation",),
        why="Strawberry's operation span records the document's text and stays open when a "
        "subscription closes; the parse and validation spans hang off the one stored here.",
        finds=("attr:._tracer", "attr:._span_holder"),
    ),
    "uvicorn-websockets-sansio-protocol": Internal(
        library="uvicorn",
        used="uvicorn.protocols.websockets.websockets_sansio_impl.WebSocketsSansIOProtocol, "
        "subclassed (handle_connect, scope) and read (conn, writable, close_sent, transport, "
        "disconnected); passed as uvicorn.run(ws=...)",
        where=(
            "live/direct_frames.py:DirectFramesWebSocketProtocol.handle_connect",
            "live/direct_frames.py:DirectFrames",
            "cli/serve.py:run_serve",
        ),
        why="ASGI does not hand out the transport; the fan-out writes each subscriber's "
        "frame to it directly, in the same loop turn.",
        finds=(
            "import:uvicorn.protocols.websockets.websockets_sansio_impl.WebSocketsSansIOProtocol",
            "text:protocol.close_sent",
        ),
    ),
    "argparse-subparsers-action": Internal(
        library="python (argparse)",
        used="argparse._SubParsersAction",
        where=(
            "cli/documents.py:add_to",
            "cli/partners.py:add_to",
            "cli/serve.py:add_to",
            "cli/stores.py:add_to",
            "cli/tokens.py:add_to",
        ),
        why="The type of what add_subparsers() returns, for annotations: argparse names no "
        "public type for it.",
        finds=("text:argparse._SubParsersAction",),
    ),
    "purgatory-async-circuit-breaker": Internal(
        library="purgatory",
        used="purgatory.service._async.circuitbreaker.AsyncCircuitBreaker (annotations only) "
        "and purgatory.domain.model.OpenedState",
        where=(
            "datasources/sql_engine.py:RegistryGuard.breaker",
            "datasources/sql_engine.py:GuardedCall.__aenter__",
        ),
        why="purgatory exports its factory, not the breaker the factory hands out, nor the "
        "exception an open breaker raises.",
        finds=(
            "import:purgatory.service._async.circuitbreaker.AsyncCircuitBreaker",
            "text:from purgatory.domain.model import OpenedState",
        ),
    ),
    "starlette-static-files-file-response": Internal(
        library="starlette",
        used="StaticFiles.file_response, overridden",
        where=("web/pages.py:AssetFiles.file_response",),
        why="Starlette's StaticFiles takes no cache policy; every file response passes "
        "through this undocumented method.",
        finds=("text:def file_response(",),
    ),
}


# -- what the walk calls public ------------------------------------------------------------

# Modules whose names are public API. Strawberry's documented modules; graphql-core's
# packages (their __all__ is the API); uvicorn's top level.
PUBLIC_MODULES: dict[str, tuple[str, ...]] = {
    "strawberry": (
        "strawberry",
        "strawberry.asgi",
        "strawberry.exceptions",
        "strawberry.extensions",
        "strawberry.extensions.tracing",
        "strawberry.http",
        "strawberry.permission",
        "strawberry.relay",
        "strawberry.scalars",
        "strawberry.schema.config",
        "strawberry.subscriptions",
        "strawberry.types",
    ),
    "graphql": (
        "graphql",
        "graphql.error",
        "graphql.execution",
        "graphql.language",
        "graphql.pyutils",
        "graphql.type",
        "graphql.utilities",
        "graphql.validation",
    ),
    "uvicorn": ("uvicorn",),
}
# Set by Python's machinery on classes, not written by anyone.
_MACHINERY = frozenset({"_abc_impl", "_is_protocol", "_is_runtime_protocol", "_fields"})
# Underscore names that are public API: named tuples' methods (and SQLAlchemy's Row, which
# documents them), named so to stay clear of field names.
PUBLIC_UNDERSCORE_ATTRIBUTES = frozenset({"_asdict", "_fields", "_make", "_mapping", "_replace"})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


_MISSING = object()


def _offers(public_module: str, name: str, value: object) -> bool:
    """Whether ``public_module`` offers ``value`` as ``name``: in its ``__all__`` or defined
    in it (a name it merely imports for its own use is not offered)."""
    module = importlib.import_module(public_module)
    if getattr(module, name, _MISSING) is not value:
        return False
    defined_there = getattr(value, "__module__", public_module) == public_module
    return name in getattr(module, "__all__", ()) or defined_there


def public_import(module: str, name: str | None) -> bool:
    """Whether ``from module import name`` (or ``import module``) stays in public API."""
    parts = module.split(".")
    if any(_is_private(part) for part in parts) or (name is not None and _is_private(name)):
        return False
    library = parts[0]
    if library not in PUBLIC_MODULES:
        return True
    if name is None:
        return module in PUBLIC_MODULES[library]
    value = getattr(importlib.import_module(module), name, _MISSING)
    if inspect.ismodule(value):
        return f"{module}.{name}" in PUBLIC_MODULES[library]
    return any(_offers(public, name, value) for public in PUBLIC_MODULES[library])


# -- the product code ----------------------------------------------------------------------


def product_roots() -> set[str]:
    """The packages and modules pyproject.toml installs: what counts as product code."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    packages = {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]}
    return packages | set(setuptools["py-modules"])


def product_files() -> list[Path]:
    roots = product_roots()
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if path.relative_to(ROOT).parts[0].removesuffix(".py") in roots
        and ".venv" not in path.parts
    )


def declared_distributions() -> set[str]:
    """The distributions pyproject.toml names for the product, with those the extras it
    names bring (``uvicorn[standard]`` brings websockets)."""
    declared = set()
    for line in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(line)
        declared.add(_normalized(requirement.name))
        for extra in requirement.extras:
            for brought in importlib.metadata.requires(requirement.name) or ():
                wanted = Requirement(brought)
                if wanted.marker is not None and wanted.marker.evaluate({"extra": extra}):
                    declared.add(_normalized(wanted.name))
    return declared


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    token: str


class _Definitions(ast.NodeVisitor):
    """The underscore names the product itself defines: functions, classes, assigned
    names and attributes, parameters, slots."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.parameters: set[str] = set()

    def _add(self, name: str) -> None:
        if _is_private(name):
            self.names.add(name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._add(node.name)
        arguments = node.args
        for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
            self.parameters.add(argument.arg)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._add(node.name)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self._add(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
        if isinstance(node.ctx, ast.Store) and on_self:
            self._add(node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.isidentifier():
            self._add(node.value)  # __slots__ entries, setattr names


def _definitions(files: list[Path]) -> _Definitions:
    definitions = _Definitions()
    for path in files:
        definitions.visit(ast.parse(path.read_text()))
    return definitions


def _class_definitions(node: ast.ClassDef) -> set[str]:
    """The underscore names a class defines: in its body, and as ``self._x = ...``."""
    found = _Definitions()
    found.visit(node)
    return found.names


@dataclass(frozen=True)
class _ProductIndex:
    definitions: _Definitions
    classes: dict[str, set[str]]  # class name -> the underscore names it defines
    roots: set[str]
    declared: set[str]
    distributions: dict[str, list[str]]  # top-level module -> its distributions


@functools.cache
def _product_index() -> _ProductIndex:
    files = product_files()
    classes: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, set()).update(_class_definitions(node))
    return _ProductIndex(
        definitions=_definitions(files),
        classes=classes,
        roots=product_roots(),
        declared=declared_distributions(),
        distributions=dict(importlib.metadata.packages_distributions()),
    )


def private_uses(path: Path, *, relative_to: Path = ROOT) -> list[Finding]:
    """Every private use in one product file, by the walk's rules (see the docstring)."""
    index = _product_index()
    definitions, classes, roots = index.definitions, index.classes, index.roots
    tree = ast.parse(path.read_text())
    where = path.relative_to(relative_to).as_posix()
    found: list[Finding] = []

    def library_import(module: str, name: str | None, line: int) -> None:
        top = module.split(".")[0]
        if top in roots or top == "__future__":
            return
        if not public_import(module, name):
            found.append(Finding(where, line, f"import:{module}" + (f".{name}" if name else "")))
        if top in sys.stdlib_module_names:
            return
        # A namespace package (opentelemetry) spans several distributions: one will do.
        distributions = {_normalized(d) for d in index.distributions.get(top, [top])}
        if not distributions & index.declared:
            for distribution in sorted(distributions):
                found.append(Finding(where, line, f"undeclared:{distribution}"))

    def own_names(class_node: ast.ClassDef | None) -> set[str]:
        if class_node is None:
            return set()
        names = set(classes.get(class_node.name, ()))
        for base in class_node.bases:
            base_name = base.id if isinstance(base, ast.Name) else None
            if base_name in classes:
                names |= classes[base_name]
        return names

    def walk(node: ast.AST, enclosing: ast.ClassDef | None) -> None:
        if isinstance(node, ast.ClassDef):
            enclosing = node
        if isinstance(node, ast.Import):
            for alias in node.names:
                library_import(alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                library_import(node.module, alias.name, node.lineno)
        elif (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and node.attr not in PUBLIC_UNDERSCORE_ATTRIBUTES
        ):
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            known = own_names(enclosing) if on_self else definitions.names
            if node.attr not in known:
                found.append(Finding(where, node.lineno, f"attr:.{node.attr}"))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                name = keyword.arg
                if name and _is_private(name) and name not in definitions.parameters:
                    found.append(Finding(where, node.lineno, f"kwarg:{name}"))
        for child in ast.iter_child_nodes(node):
            walk(child, enclosing)

    walk(tree, None)
    found.extend(_private_overrides(path, where, tree, roots))
    return found


def _private_overrides(path: Path, where: str, tree: ast.Module, roots: set[str]) -> list[Finding]:
    """Underscore methods and attributes of the file's classes that a library base class
    defines too (found by importing the module and reading the classes' MROs)."""
    class_nodes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    if not class_nodes or not path.is_relative_to(ROOT) or "migrations" in path.parts:
        return []
    module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found = []
    for node in class_nodes:
        cls = getattr(module, node.name, None)
        if isinstance(cls, type):
            for name in overridden_privates(cls, _class_definitions(node), roots):
                found.append(Finding(where, node.lineno, f"override:{node.name}.{name}"))
    return found


def overridden_privates(cls: type, names: Iterable[str], roots: set[str]) -> list[str]:
    """Which of ``names`` (underscore names ``cls`` defines) a library base class has too."""
    library_bases = [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] not in roots]
    return sorted(
        name
        for name in set(names) - _MACHINERY
        if any(name in vars(base) for base in library_bases)
    )


@pytest.fixture(scope="module")
def all_private_uses() -> list[Finding]:
    return [use for path in product_files() for use in private_uses(path)]


# -- the table against the code ------------------------------------------------------------


def test_every_internal_use_is_listed(all_private_uses: list[Finding]) -> None:
    unlisted = [
        f"{use.path}:{use.line} {use.token}"
        for use in all_private_uses
        if not use.token.startswith("undeclared:")
        and not any(
            use.token in entry.finds and use.path in entry.files for entry in INTERNALS.values()
        )
    ]
    assert not unlisted, (
        "private uses that tests/test_library_internals.py does not list; add each to "
        "INTERNALS (library, what, where, why) with a check that exercises it:\n  "
        + "\n  ".join(unlisted)
    )


def test_every_imported_library_is_named_in_pyproject(all_private_uses: list[Finding]) -> None:
    """A library the code imports but reaches only through another's dependencies could
    leave with that library's next release; pyproject.toml names it, pinned."""
    unnamed = sorted(
        {f"{use.token.removeprefix('undeclared:')} ({use.path})" for use in all_private_uses
         if use.token.startswith("undeclared:")}
    )  # fmt: skip
    assert not unnamed, f"imported but not in pyproject.toml's dependencies: {unnamed}"


def test_every_listed_use_is_still_there(all_private_uses: list[Finding]) -> None:
    seen = {(use.path, use.token) for use in all_private_uses}
    stale = []
    for key, entry in INTERNALS.items():
        for place in entry.where:
            assert (ROOT / place.split(":")[0]).is_file(), f"{key}: no file {place}"
        for token in entry.finds:
            if token.startswith("text:"):
                present = any(token[5:] in (ROOT / file).read_text() for file in entry.files)
            else:
                present = any((file, token) in seen for file in entry.files)
            if not present:
                stale.append(f"{key}: {token} is no longer in {sorted(entry.files)}")
    assert not stale, "INTERNALS lists uses the code no longer has:\n  " + "\n  ".join(stale)


def test_each_listed_file_points_here() -> None:
    missing = sorted(
        {
            file
            for entry in INTERNALS.values()
            for file in entry.files
            if "test_library_internals" not in (ROOT / file).read_text()
        }
    )
    assert not missing, f"modules using internals without a comment pointing here: {missing}"


def test_the_walk_sees_each_kind_of_private_use(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "import argparse\n"
        "from graphql.execution.executor import CollectedErrors\n"
        "from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo\n"
        "from strawberry.types.arguments import convert_arguments\n"
        "from graphql import GraphQLError\n"
        "from idna import encode\n"
        "Commands = argparse._SubParsersAction\n"
        "def f(schema, info_class):\n"
        "    info_class(_raw_info=None)\n"
        "    return schema._schema\n"
    )
    tokens = {use.token for use in private_uses(module, relative_to=tmp_path)}
    assert tokens == {
        "import:graphql.execution.executor.CollectedErrors",
        "import:strawberry.schema.schema._OperationContextAwareGraphQLResolveInfo",
        "import:strawberry.types.arguments.convert_arguments",
        "undeclared:idna",
        "attr:._SubParsersAction",
        "kwarg:_raw_info",
        "attr:._schema",
    }


def test_the_walk_sees_an_override_of_a_private_method() -> None:
    class Formatter(argparse.HelpFormatter):
        def _format_usage(self, *args: Any) -> str:  # argparse's own private method
            return ""

        def _our_own(self) -> None:
            pass

    assert overridden_privates(Formatter, ["_format_usage", "_our_own"], product_roots()) == [
        "_format_usage"
    ]


# -- each internal, exercised ---------------------------------------------------------------

CHECKS: dict[str, Callable[[], Awaitable[None] | None]] = {}


def checks(key: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    assert key in INTERNALS, key

    def register(check: Callable[[], Any]) -> Callable[[], Any]:
        CHECKS[key] = check
        return check

    return register


def test_every_internal_has_a_check() -> None:
    assert set(CHECKS) == set(INTERNALS)


@pytest.mark.parametrize("key", list(INTERNALS))
async def test_internal_still_works(key: str) -> None:
    entry = INTERNALS[key]
    try:
        outcome = CHECKS[key]()
        if inspect.isawaitable(outcome):
            await outcome
    except Exception as error:
        pytest.fail(
            f"{entry.library} changed an internal Bawaba uses: {entry.used}\n"
            f"  used in: {', '.join(entry.where)}\n"
            f"  why: {entry.why}\n"
            f"  what failed: {type(error).__name__}: {error}",
            pytrace=True,
        )


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


# The checks' own small schemas: graphql-core's from SDL, Strawberry's at module level (its
# types resolve their annotations by name in the module).
SDL = """
    union Thing = Book | Film
    type Book { title: String }
    type Film { minutes: Int }
    type Poem { lines: Int }
    type Query { thing: Thing, book: Book }
"""


@strawberry.type
class Tick:
    number: int


@strawberry.input
class Window:
    first: int
    after: str | None = strawberry.UNSET


@strawberry.type
class Book:
    title: str

    @strawberry.field
    def shout(self, info: strawberry.Info) -> str:
        return self.title.upper()

    @strawberry.field
    def length(root: Book) -> int:  # Strawberry hands the parent to a `root` parameter
        return len(root.title)

    @strawberry.field
    def echo(self, parent: strawberry.Parent[Book]) -> str:
        return parent.title


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "hello"

    @strawberry.field
    def book(self) -> Book:
        return Book(title="Kalila wa Dimna")

    @strawberry.field
    def count(self, window: Window) -> int:
        return window.first


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(self, count: int) -> AsyncGenerator[Tick, None]:
        for number in range(count):
            yield Tick(number=number)


def sample_schema(**options: Any) -> strawberry.Schema:
    return strawberry.Schema(query=Query, subscription=Subscription, **options)


def strawberry_field(schema: strawberry.Schema, type_name: str, field_name: str) -> Any:
    return schema._schema.get_type(type_name).fields[field_name].extensions["strawberry-definition"]


@checks("graphql-core-collect-fields")
def check_collect_fields() -> None:
    from graphql import VariableValues, build_schema, parse
    from graphql.execution.collect_fields import (
        FieldDetails,
        FragmentDetails,
        collect_fields,
        collect_subfields,
    )

    assert parameters(collect_fields)[:5] == [
        "schema", "fragments", "variable_values", "runtime_type", "operation",
    ]  # fmt: skip
    assert parameters(collect_subfields)[:6] == [
        "schema", "fragments", "variable_values", "operation", "return_type",
        "field_details_list",
    ]  # fmt: skip
    assert FieldDetails._fields[:2] == ("node", "defer_usage")
    assert "fragment_variable_values" in FieldDetails._field_defaults
    assert FragmentDetails._fields[0] == "definition"

    schema = build_schema(SDL)
    document = parse(
        "{ book { title } ...Both thing { ... on Book { title } } }"
        " fragment Both on Query { book @skip(if: true) { title } thing { __typename } }"
    )
    operation, fragment = document.definitions
    fragments = {"Both": FragmentDetails(fragment, None)}
    no_variables = VariableValues({}, {})
    grouped, _defers, _forbidden = collect_fields(
        schema, fragments, no_variables, schema.query_type, operation
    )
    # Fragments flattened, @skip applied, keys in document order, one detail per node.
    assert list(grouped) == ["book", "thing"]
    assert [len(details) for details in grouped.values()] == [1, 2]
    assert all(isinstance(detail, FieldDetails) for detail in grouped["thing"])
    sub, _defers, _forbidden = collect_subfields(
        schema, fragments, no_variables, operation, schema.get_type("Book"), grouped["thing"]
    )
    assert list(sub) == ["__typename", "title"]  # the fragment's node comes first


@checks("graphql-core-collected-errors")
def check_collected_errors() -> None:
    from graphql import GraphQLError
    from graphql.execution.executor import CollectedErrors
    from graphql.pyutils import Path as ResponsePath

    errors = CollectedErrors()
    first = ResponsePath(None, "a", "Query")
    errors.add(GraphQLError("nulled a"), first)
    errors.add(GraphQLError("below a, dropped"), first.add_key("b", "A"))
    errors.add(GraphQLError("beside a"), ResponsePath(None, "c", "Query"))
    assert [error.message for error in errors.errors] == ["nulled a", "beside a"]
    errors.add(GraphQLError("the whole operation"), None)
    assert len(errors.errors) == 3


@checks("graphql-core-ensure-valid-runtime-type")
def check_ensure_valid_runtime_type() -> None:
    from graphql import GraphQLError, build_schema, parse
    from graphql.execution.collect_fields import FieldDetails
    from graphql.execution.executor import Executor

    assert parameters(Executor.ensure_valid_runtime_type) == [
        "self", "runtime_type_name", "return_type", "field_details_list", "info", "result",
    ]  # fmt: skip
    schema = build_schema(SDL)
    thing = schema.get_type("Thing")
    node = parse("{ thing }").definitions[0].selection_set.selections[0]
    details = [FieldDetails(node, None)]
    info = SimpleNamespace(parent_type=schema.query_type, field_name="thing")
    only_schema = SimpleNamespace(schema=schema)  # a CompiledRun offers no more than this
    book = Executor.ensure_valid_runtime_type(only_schema, "Book", thing, details, info, {})
    assert book is schema.get_type("Book")
    for wrong, words in (
        ("Nothing", "'Nothing' that does not exist inside the schema"),
        ("Poem", "Runtime Object type 'Poem' is not a possible type for 'Thing'"),
        (7, "which is not a valid Object type name"),
    ):
        with pytest.raises(GraphQLError, match=words):
            Executor.ensure_valid_runtime_type(only_schema, wrong, thing, details, info, {})


@checks("graphql-core-relevant-sub-fields")
async def check_relevant_sub_fields() -> None:
    from graphql import Executor, parse

    from execution.schema import PerEventMemoExecutionContext

    document = parse("subscription { ticks(count: 2) { number } }")
    built = Executor.build(sample_schema()._schema, document)
    assert isinstance(built, Executor), built
    assert isinstance(built._relevant_sub_fields, dict)
    # The sharing the override undoes: when graphql-core stops it, the override can go.
    assert built.build_per_event_executor({})._relevant_sub_fields is built._relevant_sub_fields
    own = PerEventMemoExecutionContext.build(sample_schema()._schema, document)
    assert own.build_per_event_executor({})._relevant_sub_fields is not own._relevant_sub_fields

    # Each event's executor fills its memo while completing the event's object.
    memos: list[dict[Any, Any]] = []

    class Recording(PerEventMemoExecutionContext):
        def build_per_event_executor(self, payload: Any) -> Any:
            executor = super().build_per_event_executor(payload)
            memos.append(executor._relevant_sub_fields)
            return executor

    schema = sample_schema(execution_context_class=Recording)
    stream = await schema.subscribe("subscription { ticks(count: 2) { number } }")
    results = [result async for result in stream]
    assert [result.data for result in results] == [
        {"ticks": {"number": 0}}, {"ticks": {"number": 1}},
    ]  # fmt: skip
    assert len(memos) == 2 and all(len(memo) == 1 for memo in memos), memos


@checks("strawberry-graphql-core-schema")
def check_graphql_core_schema() -> None:
    from graphql import GraphQLSchema, graphql_sync

    schema = sample_schema()
    assert isinstance(schema._schema, GraphQLSchema)
    assert schema._schema.query_type.name == "Query"
    assert graphql_sync(schema._schema, "{ __typename }").data == {"__typename": "Query"}


class _InfoRecordingContext:
    """An execution context class that records the info objects it builds."""

    @staticmethod
    def subclass_of(base: type) -> tuple[type, list[Any]]:
        built: list[Any] = []

        class Recording(base):  # type: ignore[misc, valid-type]
            def build_resolve_info(self, *args: Any) -> Any:
                info = super().build_resolve_info(*args)
                built.append(info)
                return info

        return Recording, built


@checks("strawberry-execution-context")
async def check_execution_context() -> None:
    from graphql import Executor
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    assert issubclass(StrawberryGraphQLCoreExecutionContext, Executor)
    recording, built = _InfoRecordingContext.subclass_of(StrawberryGraphQLCoreExecutionContext)
    schema = sample_schema(execution_context_class=recording)
    result = await schema.execute("{ hello }", operation_extensions={"seen": True})
    assert result.data == {"hello": "hello"}
    assert [info.operation_extensions for info in built] == [{"seen": True}]


@checks("strawberry-resolve-info")
async def check_resolve_info() -> None:
    from graphql import GraphQLResolveInfo
    from strawberry.schema.schema import (
        StrawberryGraphQLCoreExecutionContext,
        _OperationContextAwareGraphQLResolveInfo,
    )

    # CompiledRun._resolve_info passes these positionally, in this order.
    assert _OperationContextAwareGraphQLResolveInfo._fields == (
        "field_name", "field_nodes", "return_type", "parent_type", "path", "schema",
        "fragments", "root_value", "operation", "variable_values", "context",
        "is_awaitable", "abort_signal", "async_helpers", "operation_extensions",
    )  # fmt: skip
    assert set(GraphQLResolveInfo._fields) <= set(_OperationContextAwareGraphQLResolveInfo._fields)
    # What Strawberry hands resolvers on the standard path, so the compiled path does too.
    recording, built = _InfoRecordingContext.subclass_of(StrawberryGraphQLCoreExecutionContext)
    await sample_schema(execution_context_class=recording).execute("{ hello }")
    assert [type(info) for info in built] == [_OperationContextAwareGraphQLResolveInfo]


@checks("strawberry-info-private-fields")
def check_info_private_fields() -> None:
    schema = sample_schema()
    assert schema.config.info_class is strawberry.Info
    raw = SimpleNamespace(field_name="hello", context={"who": "me"}, variable_values={})
    field = strawberry_field(schema, "Query", "hello")
    info = schema.config.info_class(_raw_info=raw, _field=field)
    assert (info.field_name, info.context) == ("hello", {"who": "me"})
    assert info._field is field


@checks("strawberry-optimized-is-awaitable")
async def check_optimized_is_awaitable() -> None:
    import datetime

    import strawberry.schema.schema as strawberry_schema_module
    from strawberry.execution.is_awaitable import optimized_is_awaitable

    # The function Strawberry hands graphql-core, so both paths agree on what awaits.
    assert strawberry_schema_module.optimized_is_awaitable is optimized_is_awaitable

    async def coroutine() -> None:
        return None

    pending = coroutine()
    future = asyncio.get_running_loop().create_future()
    future.set_result(None)
    for value in (pending, future):
        assert optimized_is_awaitable(value), value
    await pending
    for value in (None, 1, "a", b"a", [1], {"a": 1}, datetime.date(2024, 1, 1), object()):
        assert not optimized_is_awaitable(value), value


@checks("strawberry-convert-arguments")
def check_convert_arguments() -> None:
    from strawberry.types.arguments import convert_arguments

    assert parameters(convert_arguments) == [
        "value", "arguments", "scalar_registry", "config", "info",
    ]  # fmt: skip
    schema = sample_schema()
    converted = convert_arguments(
        {"window": {"first": 3}},
        strawberry_field(schema, "Query", "count").arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
        info=None,
    )
    assert converted == {"window": Window(first=3)}
    assert converted["window"].after is strawberry.UNSET


@checks("strawberry-schema-converter")
def check_schema_converter() -> None:
    schema = sample_schema()
    converter = schema.schema_converter
    assert isinstance(converter.scalar_registry, dict) and converter.scalar_registry
    assert parameters(converter._get_field_exception_handlers) == ["field"]
    assert not converter._get_field_exception_handlers(strawberry_field(schema, "Query", "hello"))


@checks("strawberry-field-definition")
def check_field_definition() -> None:
    from strawberry.types.field import StrawberryField

    schema = sample_schema()
    fields = {name: strawberry_field(schema, "Book", name) for name in ("title", "shout")}
    assert all(isinstance(field, StrawberryField) for field in fields.values())
    title = fields["title"]
    assert title.base_resolver is None and title.python_name == "title"
    assert title.default_resolver(Book(title="t"), "title") == "t"
    assert title.extensions == [] and title.arguments == []
    shout = fields["shout"].base_resolver
    assert shout.self_parameter is not None and shout.info_parameter.name == "info"
    assert shout.parent_parameter is None and shout.root_parameter is None
    assert shout.wrapped_func(Book(title="t"), None) == "T"
    length = strawberry_field(schema, "Book", "length").base_resolver
    assert length.root_parameter.name == "root"
    echo = strawberry_field(schema, "Book", "echo").base_resolver
    assert echo.parent_parameter.name == "parent"


@checks("strawberry-scalar-definitions")
def check_scalar_definitions() -> None:
    import dataclasses
    from datetime import date, datetime

    from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
    from strawberry.types.scalar import ScalarDefinition

    for definition in (DateDefinition, DateTimeDefinition):
        assert isinstance(definition, ScalarDefinition) and dataclasses.is_dataclass(definition)
        copied = dataclasses.replace(definition, specified_by_url="https://example.test/spec")
        assert copied.specified_by_url == "https://example.test/spec"
    assert DateDefinition.parse_value("2026-11-24") == date(2026, 11, 24)
    assert DateTimeDefinition.serialize(datetime(2026, 11, 24, 9, 30)) == "2026-11-24T09:30:00"
    schema = sample_schema(
        scalar_overrides={date: dataclasses.replace(DateDefinition, specified_by_url="u")}
    )
    assert "@specifiedBy" in schema.as_str() or "Date" not in schema.as_str()


@checks("strawberry-websocket-origin")
def check_websocket_origin() -> None:
    from strawberry.http.websocket_origin import is_same_origin, normalize_origin

    assert normalize_origin("https://Example.com:443") == "https://example.com"
    assert normalize_origin("null") is None
    assert is_same_origin("https://gateway.example", "gateway.example")
    assert not is_same_origin("https://evil.example", "gateway.example")


@checks("graphql-core-string-printers")
def check_string_printers() -> None:
    from graphql.language.block_string import print_block_string
    from graphql.language.print_string import print_string

    assert print_string('say "hi"\n') == '"say \\"hi\\"\\n"'
    assert print_block_string("one\ntwo").startswith('"""')


@checks("graphql-core-coerce-default-value")
def check_coerce_default_value() -> None:
    from graphql import GraphQLArgument, GraphQLInt
    from graphql.utilities.coerce_input_value import coerce_default_value

    assert parameters(coerce_default_value) == ["input_value"]
    assert coerce_default_value(GraphQLArgument(GraphQLInt, default_value=20)) == 20


@checks("graphql-core-token-limit-words")
def check_token_limit_words() -> None:
    from graphql import GraphQLSyntaxError, parse

    from security.operation_limits import limit_error_code

    with pytest.raises(GraphQLSyntaxError) as too_long:
        parse("{ a b c d e f }", max_tokens=3)
    assert limit_error_code(too_long.value.message) == "MAX_TOKENS_EXCEEDED"


@checks("type-names-for-annotations")
def check_type_names() -> None:
    import typing

    from strawberry.schema.schema import StreamResult
    from strawberry.types.field import StrawberryField
    from strawberry.types.fields.resolver import StrawberryResolver
    from strawberry.types.graphql import OperationType
    from uvicorn._types import WebSocketScope

    assert isinstance(StrawberryField, type) and isinstance(StrawberryResolver, type)
    assert {"QUERY", "MUTATION", "SUBSCRIPTION"} <= set(OperationType.__members__)
    assert typing.get_origin(StreamResult) is not None or StreamResult is not None
    assert "extensions" in typing.get_type_hints(WebSocketScope)


@checks("strawberry-opentelemetry-span-holder")
async def check_opentelemetry_span_holder() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import Tracer
    from strawberry.extensions import LifecycleStep
    from strawberry.extensions.tracing import OpenTelemetryExtension

    from telemetry.tracing import GraphQLOperationSpans

    provider = TracerProvider()
    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    extension = OpenTelemetryExtension(tracer_provider=provider)
    assert isinstance(extension._tracer, Tracer) and extension._span_holder == {}
    assert LifecycleStep.OPERATION in LifecycleStep

    spans = GraphQLOperationSpans(tracer_provider=provider)
    schema = sample_schema(extensions=[lambda: spans])
    result = await schema.execute("query Greeting { hello }")
    assert result.data == {"hello": "hello"}
    finished = {span.name: span for span in exported.get_finished_spans()}
    operation = finished["GraphQL Query: Greeting"]
    # Strawberry's parse and validation spans hang off the span stored under OPERATION.
    for step in ("GraphQL Parsing", "GraphQL Validation"):
        assert finished[step].parent.span_id == operation.context.span_id, step


@checks("uvicorn-websockets-sansio-protocol")
async def check_websockets_sansio_protocol() -> None:
    import uvicorn
    import websockets
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    from live.direct_frames import (
        DirectFrames,
        DirectFramesWebSocketProtocol,
        direct_frames_of,
        text_frame_header,
    )

    assert issubclass(DirectFramesWebSocketProtocol, WebSocketsSansIOProtocol)
    assert parameters(WebSocketsSansIOProtocol.handle_connect) == ["self", "event"]
    seen: dict[str, Any] = {}
    done = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        offered = scope["extensions"].get("bawaba.direct_frames") or {}
        seen["offered"] = isinstance(offered.get("frames"), DirectFrames)
        direct = direct_frames_of(scope)
        seen["usable"] = direct is not None
        await send({"type": "websocket.accept"})
        if direct is None:
            await send({"type": "websocket.send", "text": "hello"})
        else:
            seen["ready"], seen["closed while open"] = direct.ready, direct.closed
            direct.write(text_frame_header(5) + b"hello")
            await direct.writable()
        await receive()  # websocket.disconnect
        if direct is not None:
            seen["closed after"] = direct.closed
        done.set()

    for deflate in (False, True):
        seen.clear()
        done.clear()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="off",
                ws=DirectFramesWebSocketProtocol,
                ws_per_message_deflate=deflate,
            )
        )
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.01)
            async with websockets.connect(f"ws://127.0.0.1:{port}") as client:
                assert await asyncio.wait_for(client.recv(), 5) == "hello"
            await asyncio.wait_for(done.wait(), 5)
        finally:
            server.should_exit = True
            await serving
        if deflate:  # compressed frames cannot bypass the protocol
            assert seen == {"offered": True, "usable": False}, seen
        else:
            assert seen == {
                "offered": True, "usable": True, "ready": True, "closed while open": False,
                "closed after": True,
            }, seen  # fmt: skip


@checks("argparse-subparsers-action")
def check_subparsers_action() -> None:
    commands = argparse.ArgumentParser().add_subparsers()
    assert type(commands) is argparse._SubParsersAction
    assert isinstance(commands.add_parser("serve"), argparse.ArgumentParser)


@checks("purgatory-async-circuit-breaker")
async def check_async_circuit_breaker() -> None:
    from purgatory import AsyncCircuitBreakerFactory
    from purgatory.domain.model import OpenedState
    from purgatory.service._async.circuitbreaker import AsyncCircuitBreaker

    factory = AsyncCircuitBreakerFactory(default_threshold=1, default_ttl=60)
    breaker = await factory.get_breaker("registry")
    assert isinstance(breaker, AsyncCircuitBreaker)
    with contextlib.suppress(RuntimeError):
        async with breaker:
            raise RuntimeError("the registry is down")
    with pytest.raises(OpenedState):
        async with await factory.get_breaker("registry"):
            pass


@checks("starlette-static-files-file-response")
async def check_static_files_file_response() -> None:
    import httpx
    from starlette.staticfiles import StaticFiles

    from web.pages import AssetFiles

    assert parameters(StaticFiles.file_response) == [
        "self", "full_path", "stat_result", "scope", "status_code",
    ]  # fmt: skip
    files = AssetFiles(Path(__file__).parent, immutable=True)
    transport = httpx.ASGITransport(app=files)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(f"/{Path(__file__).name}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
