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
- anything else (resolvers, lists, abstract types) takes ``CompiledRun``'s general way.

Every value that does not fit the fast case it was generated for (``None``, an exception
instance, an awaitable, a coercion that fails) goes back to ``CompiledRun``'s general
completion, which words the error exactly as graphql-core would. Paths are only built when
a value needs one. ``tests/test_compiled_execution.py`` compares the results with
graphql-core's, errors included.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Iterator
from typing import Any

from graphql.pyutils import Path, Undefined
from strawberry.execution.is_awaitable import optimized_is_awaitable

from resolvers.compiled_plan import Completion, FieldPlan, OperationPlan, ValueSource

# The signature of a generated function: (run, source, path) -> dict, or an awaitable of it.
FieldsFunction = Callable[[Any, Any, Any], Any]


def generate_plan_functions(plan: OperationPlan) -> None:
    """Give every object completion of ``plan`` its generated ``run_fields`` function."""
    for completion in _completions(plan.root, set()):
        if completion.kind == Completion.OBJECT and completion.run_fields is None:
            completion.run_fields = _ObjectSource(completion).build()
        if completion.kind == Completion.LIST:
            completion.item_objects = _plain_object(completion.inner)  # type: ignore[arg-type]


def _plain_object(completion: Completion) -> Completion | None:
    """The object completion under a non-null wrapper, when it checks no ``is_type_of``."""
    if completion.kind == Completion.NON_NULL:
        completion = completion.inner  # type: ignore[assignment]
    if completion.kind == Completion.OBJECT and completion.is_type_of is None:
        return completion
    return None


def _completions(completion: Completion, seen: set[int]) -> Iterator[Completion]:
    if id(completion) in seen:
        return
    seen.add(id(completion))
    yield completion
    for field in completion.fields:
        yield from _completions(field.completion, seen)
    for concrete in completion.by_type.values():
        yield from _completions(concrete, seen)
    if completion.inner is not None:
        yield from _completions(completion.inner, seen)


def _unwrapped(plan: FieldPlan) -> Completion:
    """The completion under the field's non-null wrapper, if any."""
    completion = plan.completion
    return completion.inner if completion.kind == Completion.NON_NULL else completion  # type: ignore[return-value]


class _ObjectSource:
    """The source text of one object's function, and the values it refers to by name."""

    def __init__(self, completion: Completion) -> None:
        self.completion = completion
        self.type_name: str = completion.type.name  # type: ignore[attr-defined]
        self.names: dict[str, Any] = {
            "Path": Path,
            "Undefined": Undefined,
            "is_awaitable": optimized_is_awaitable,
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
        return namespace["run_fields"]  # type: ignore[no-any-return]

    def _field(self, index: int, plan: FieldPlan) -> None:
        key = repr(plan.response_key)
        if plan.source == ValueSource.TYPENAME:
            self.lines.append(f"        r[{key}] = {plan.parent_type.name!r}")
            return
        inner = _unwrapped(plan)
        if plan.source == ValueSource.ATTRIBUTE and not plan.needs_info:
            if plan.passthrough is not None:
                return self._passthrough(index, plan, key)
            if inner.kind == Completion.LEAF:
                return self._coerced(index, plan, key, inner)
            target = _plain_object(inner)
            if target is not None:
                return self._object(index, plan, key, target)
        self.names[f"P{index}"] = plan
        self._general(index, key, "run._execute_field", f"P{index}, source")

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

    def _general(self, index: int, key: str, call: str, arguments: str, indent: str = "") -> None:
        emit = self.lines.append
        emit(f"{indent}        x = {call}({arguments}, Path(path, {key}, {self.type_name!r}))")
        emit(f"{indent}        r[{key}] = x")
        emit(f"{indent}        if is_awaitable(x):")
        emit(f"{indent}            pending.append({key})")

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

    def _coerced(self, index: int, plan: FieldPlan, key: str, leaf: Completion) -> None:
        self._attribute_lines(index, plan, key)
        self.names[f"C{index}"] = leaf.coerce
        emit = self.lines.append
        # A failed coercion is not an error yet: the general completion below repeats it
        # (coercions are pure) and reports it exactly as graphql-core would.
        emit("            c = None")
        emit("            if v is not None and not isinstance(v, Exception)"
             " and not is_awaitable(v):")  # fmt: skip
        emit("                try:")
        emit(f"                    c = C{index}(v)")
        emit("                except Exception:")
        emit("                    c = None")
        emit("            if c is not None and c is not Undefined:")
        emit(f"                r[{key}] = c")
        emit("            else:")
        self._general_completion(index, key)

    def _object(self, index: int, plan: FieldPlan, key: str, target: Completion) -> None:
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
