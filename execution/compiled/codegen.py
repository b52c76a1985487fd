"""Python source for each object of a plan: the fields of one selection set, straight-line.

``CompiledRun._execute_fields`` walks a selection's field plans in a loop and decides per
field, per object, per request how to read and complete it. For a trusted document those
decisions are known at start-up, so each object completion gets a function of its own,
generated here once, that does the same steps in the same order with the decisions
already taken (as graphql-jit does for JavaScript):

- ``__typename`` is the constant type name;
- a plain attribute holding a string or boolean (the most common field) is read and stored;
- a plain attribute holding an enum, date or other scalar is coerced inline;
- a plain attribute holding an object goes straight to that object's own function;
- a resolver whose arguments are the same for every request is called directly, with them;
- anything else (arguments from variables, fields with extensions) takes
  ``CompiledRun``'s general way; values complete through ``CompiledRun`` (lists of objects
  go to the objects' functions from there).

Every value that does not fit the fast case it was generated for (``None``, an exception
instance, an awaitable, a coercion that fails) goes back to ``CompiledRun``'s general
completion, which words the error exactly as graphql-core would. Paths are only built when
a value needs one. ``tests/execution/compiled/test_differential.py`` compares the results with
graphql-core's, errors included.
"""

from __future__ import annotations

import keyword
from collections.abc import Generator, Iterator
from typing import Any

import strawberry
from graphql.pyutils import Path, Undefined

# Strawberry's internals used here: tests/test_library_internals.py
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.types.arguments import convert_arguments

from execution.compiled.plan import (
    AbstractCompletion,
    Completion,
    FieldPlan,
    FieldsFunction,
    LeafCompletion,
    ListCompletion,
    NonNullCompletion,
    ObjectCompletion,
    OperationPlan,
    ResolverCall,
    ValueSource,
    fields_not_generated,
)

# Argument values that can be written into the source and shared by every call.
_IMMUTABLE = frozenset({int, str, bool, float, type(None)})

# Types of leaf values that are complete as they are: not None, not an exception, never
# awaitable. Learnt as values are seen, so a date or an enum member is checked once per type
# rather than with graphql-core's ``is_awaitable`` (isinstance and hasattr calls) per value.
_PLAIN_TYPES: set[type] = set()


def _is_plain(value: Any) -> bool:
    """Whether ``value`` completes without awaiting or raising; remembers its type when
    every value of the type would. ``await`` looks ``__await__`` up on the type, so a type
    without it (and not a coroutine or generator) never holds an awaitable value."""
    if value is None or isinstance(value, Exception) or optimized_is_awaitable(value):
        return False
    kind = type(value)
    if not hasattr(kind, "__await__") and not issubclass(kind, (BaseException, Generator)):
        _PLAIN_TYPES.add(kind)
    return True


def generate_plan_functions(plan: OperationPlan, strawberry_schema: strawberry.Schema) -> None:
    """Give every object completion of ``plan`` its generated ``run_fields`` function."""
    for completion in _completions(plan.root, set()):
        if isinstance(completion, ObjectCompletion) and (
            completion.run_fields is fields_not_generated
        ):
            completion.run_fields = _ObjectSource(completion, strawberry_schema).build()
        if isinstance(completion, ListCompletion):
            completion.item_objects = _plain_object(completion.inner)


def _plain_object(completion: Completion) -> ObjectCompletion | None:
    """The object completion under a non-null wrapper, when it checks no ``is_type_of``."""
    if isinstance(completion, NonNullCompletion):
        completion = completion.inner
    if isinstance(completion, ObjectCompletion) and completion.is_type_of is None:
        return completion
    return None


def _completions(completion: Completion, seen: set[int]) -> Iterator[Completion]:
    if id(completion) in seen:
        return
    seen.add(id(completion))
    yield completion
    if isinstance(completion, ObjectCompletion):
        for field in completion.fields:
            yield from _completions(field.completion, seen)
    elif isinstance(completion, AbstractCompletion):
        for concrete in completion.by_type.values():
            yield from _completions(concrete, seen)
    elif isinstance(completion, NonNullCompletion | ListCompletion):
        yield from _completions(completion.inner, seen)


def _unwrapped(plan: FieldPlan) -> Completion:
    """The completion under the field's non-null wrapper, if any."""
    completion = plan.completion
    return completion.inner if isinstance(completion, NonNullCompletion) else completion


class _ObjectSource:
    """The source text of one object's function, and the values it refers to by name."""

    def __init__(self, completion: ObjectCompletion, strawberry_schema: strawberry.Schema) -> None:
        self.completion = completion
        self.strawberry_schema = strawberry_schema
        self.type_name = completion.type.name
        self.names: dict[str, Any] = {
            "Path": Path,
            "Undefined": Undefined,
            "is_awaitable": optimized_is_awaitable,
            "PLAIN": _PLAIN_TYPES,
            "is_plain": _is_plain,
        }
        self.lines: list[str] = []

    def build(self) -> FieldsFunction:
        emit = self.lines.append
        emit("def run_fields(run, source, path):")
        emit("    r = {}")
        emit("    pending = []")
        emit("    try:")
        for index, plan in enumerate(self.completion.fields):
            self._field(index, plan)
        emit("    except Exception:")
        emit("        if pending:")
        emit("            run._track([r[key] for key in pending])")
        emit("        raise")
        emit("    if not pending:")
        emit("        return r")
        emit("    return run._gather_fields(r, pending)")
        namespace = dict(self.names)
        code = compile("\n".join(self.lines), f"<plan {self.type_name}>", "exec")
        exec(code, namespace)  # the source is built above from the plan, never from input
        run_fields: FieldsFunction = namespace["run_fields"]  # the function just defined
        return run_fields

    def _field(self, index: int, plan: FieldPlan) -> None:
        key = repr(plan.response_key)
        if plan.source == ValueSource.TYPENAME:
            self.lines.append(f"        r[{key}] = {plan.parent_type.name!r}")
            return
        inner = _unwrapped(plan)
        if plan.source == ValueSource.ATTRIBUTE and not plan.needs_info:
            if plan.passthrough is not None:
                return self._passthrough(index, plan, key)
            if isinstance(inner, LeafCompletion):
                return self._coerced(index, plan, key, inner)
            target = _plain_object(inner)
            if target is not None:
                return self._object(index, plan, key, target)
        call = plan.call  # set for ValueSource.RESOLVER
        if call is not None:
            arguments = self._fixed_arguments(plan, call)
            if arguments is not None and callable(call.resolver.wrapped_func):
                return self._resolver(index, plan, call, key, arguments)
        self._general(index, plan, key)

    def _fixed_arguments(self, plan: FieldPlan, call: ResolverCall) -> dict[str, Any] | None:
        """The resolver's keyword arguments when they are the same for every request: none,
        or literals that convert to plain immutable values (Strawberry converts them per
        call, with the call's info, for input types that may build themselves from it)."""
        field = call.field
        if not field.arguments:
            return {}
        if plan.literal_arguments is None:
            return None
        schema = self.strawberry_schema
        try:
            converted = convert_arguments(
                dict(plan.literal_arguments), field.arguments,
                scalar_registry=schema.schema_converter.scalar_registry,
                config=schema.config, info=None,
            )  # fmt: skip
        except Exception:
            return None
        if all(type(value) in _IMMUTABLE for value in converted.values()):
            return converted
        return None

    def _resolver(
        self, index: int, plan: FieldPlan, call: ResolverCall, key: str, arguments: dict[str, Any]
    ) -> None:
        """Call the resolver as ``CompiledRun._call_resolver`` would, its arguments fixed."""
        self.names[f"P{index}"] = plan
        self.names[f"F{index}"] = call.field
        self.names[f"R{index}"] = call.resolver.wrapped_func
        self.names["Info"] = self.strawberry_schema.config.info_class
        passed = [f"{name}={value!r}" for name, value in arguments.items()]
        passed += [f"{name}=source" for name in call.source_names]
        if call.wants_info is not None:
            passed.append(f"{call.wants_info}=Info(_raw_info=info, _field=F{index})")
        if call.passes_self:
            passed.insert(0, "source")
        emit = self.lines.append
        emit(f"        p = Path(path, {key}, {self.type_name!r})")
        emit("        try:")
        emit(f"            info = run._resolve_info(P{index}, p)")
        emit(f"            v = R{index}({', '.join(passed)})")
        emit("        except Exception as error:")
        emit(f"            run._handle_field_error(error, P{index}, P{index}.completion, p)")
        emit(f"            r[{key}] = None")
        emit("        else:")
        emit(f"            x = run._complete_field(P{index}, p, v, info)")
        emit(f"            r[{key}] = x")
        emit("            if is_awaitable(x):")
        emit(f"                pending.append({key})")

    def _read(self, index: int, plan: FieldPlan) -> str:
        """The expression that reads the attribute, as Strawberry's default resolver would."""
        name = plan.attribute
        if plan.getter is getattr and name.isidentifier() and not keyword.iskeyword(name):
            return f"source.{name}"
        self.names[f"G{index}"] = plan.getter
        return f"G{index}(source, {name!r})"

    def _attribute_lines(self, index: int, plan: FieldPlan, key: str) -> None:
        """Read the attribute into ``v``; a failing read is the field's error, as in the run."""
        self.names[f"P{index}"] = plan
        emit = self.lines.append
        emit("        try:")
        emit(f"            v = {self._read(index, plan)}")
        emit("        except Exception as error:")
        emit(f"            run._handle_field_error(error, P{index}, P{index}.completion,")
        emit(f"                                    Path(path, {key}, {self.type_name!r}))")
        emit(f"            r[{key}] = None")
        emit("        else:")

    def _general(self, index: int, plan: FieldPlan, key: str) -> None:
        """The field the way ``CompiledRun`` reads and completes any field."""
        self.names[f"P{index}"] = plan
        emit = self.lines.append
        where = f"Path(path, {key}, {self.type_name!r})"
        emit(f"        x = run._execute_field(P{index}, source, {where})")
        emit(f"        r[{key}] = x")
        emit("        if is_awaitable(x):")
        emit(f"            pending.append({key})")

    def _general_completion(self, index: int, key: str) -> None:
        """Hand ``v`` to the run's general completion (errors, awaitables, unusual values)."""
        emit = self.lines.append
        emit(f"                x = run._complete_field(P{index}, "
             f"Path(path, {key}, {self.type_name!r}), v, None)")  # fmt: skip
        emit(f"                r[{key}] = x")
        emit("                if is_awaitable(x):")
        emit(f"                    pending.append({key})")

    def _passthrough(self, index: int, plan: FieldPlan, key: str) -> None:
        self._attribute_lines(index, plan, key)
        self.names[f"T{index}"] = plan.passthrough
        check = f"type(v) is T{index}" + (" or v is None" if plan.nullable else "")
        emit = self.lines.append
        emit(f"            if {check}:")
        emit(f"                r[{key}] = v")
        emit("            else:")
        self._general_completion(index, key)

    def _coerced(self, index: int, plan: FieldPlan, key: str, leaf: LeafCompletion) -> None:
        self._attribute_lines(index, plan, key)
        self.names[f"C{index}"] = leaf.coerce
        emit = self.lines.append
        # A failed coercion is not an error yet: the general completion below repeats it
        # (coercions are pure) and reports it exactly as graphql-core would.
        emit("            c = None")
        emit("            if type(v) in PLAIN or is_plain(v):")
        emit("                try:")
        emit(f"                    c = C{index}(v)")
        emit("                except Exception:")
        emit("                    c = None")
        emit("            if c is not None and c is not Undefined:")
        emit(f"                r[{key}] = c")
        emit("            else:")
        self._general_completion(index, key)

    def _object(self, index: int, plan: FieldPlan, key: str, target: ObjectCompletion) -> None:
        self._attribute_lines(index, plan, key)
        self.names[f"O{index}"] = target
        emit = self.lines.append
        emit("            if v is None or isinstance(v, Exception) or is_awaitable(v):")
        self._general_completion(index, key)
        emit("            else:")
        emit(f"                p = Path(path, {key}, {self.type_name!r})")
        emit("                try:")
        emit(f"                    x = O{index}.run_fields(run, v, p)")
        emit("                except Exception as error:")
        emit(
            f"                    run._handle_field_error(error, P{index}, P{index}.completion, p)"
        )
        emit("                    x = None")
        emit("                else:")
        emit("                    if is_awaitable(x):")
        emit(
            f"                        x = run._await_completed(P{index}, P{index}.completion, p, x)"
        )
        emit(f"                        pending.append({key})")
        emit(f"                r[{key}] = x")
