"""Running a compiled plan: the same resolvers, loaders, errors and nullability as
graphql-core, without its per-field collection, lookups and argument handling.

Each object's fields run in the function ``plan_codegen`` generated for it; this module is
what those functions call for everything but the simplest fields, and the general
completion every unusual value goes back to.

The runner follows graphql-core's ``Executor`` step for step where the order of events can
be observed: the fields of an object are started in order and their awaitables gathered
together (so DataLoaders still batch one query per relation), a list's items likewise, and
an error is recorded when it happens, located at its path, nulling the nearest nullable
parent; an error below a field already nulled is dropped (graphql-core's
``CollectedErrors``). So both paths give the same data and the same errors, in the same
order: ``tests/execution/compiled/test_differential.py`` compares them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any, TypeGuard

import strawberry
from graphql import GraphQLError, GraphQLResolveInfo, located_error

# graphql-core's and Strawberry's internals used here: tests/test_library_internals.py
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.executor import (
    CollectedErrors,
    Executor,
    default_field_resolver,
    default_type_resolver,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_iterable
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo
from strawberry.types import ExecutionResult
from strawberry.types.arguments import convert_arguments

from execution.compiled.plan import (
    AbstractCompletion,
    Completion,
    FieldPlan,
    LeafCompletion,
    ListCompletion,
    NonNullCompletion,
    ObjectCompletion,
    OperationPlan,
    ValueSource,
)
from execution.schema import graphql_schema_of

if TYPE_CHECKING:
    # Strawberry's fast check, declared for what it tells: a true answer is an awaitable.
    def is_awaitable(value: object, /) -> TypeGuard[Awaitable[Any]]: ...
else:
    is_awaitable = optimized_is_awaitable


class CompiledRun:
    """One execution of one plan (graphql-core's ``Executor``, specialised)."""

    def __init__(
        self,
        plan: OperationPlan,
        strawberry_schema: strawberry.Schema,
        *,
        context: object,
        variable_values: VariableValues,
        operation_extensions: dict[str, Any] | None,
        root_value: object = None,
    ) -> None:
        self.plan = plan
        self.strawberry_schema = strawberry_schema
        self.schema = graphql_schema_of(strawberry_schema)
        self.config = strawberry_schema.config
        self.scalar_registry = strawberry_schema.schema_converter.scalar_registry
        self.context = context
        self.variable_values = variable_values
        self.operation_extensions = operation_extensions
        self.root_value = root_value
        self.errors = CollectedErrors()
        self.background: set[asyncio.Future[list[Any]]] = set()
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda values: gather_with_cancel(*values), track=self._track
        )

    # -- the operation ---------------------------------------------------------------

    async def run(self) -> ExecutionResult:
        root = self.plan.root
        try:
            if self.plan.operation_type.value == "mutation":
                data = await self._execute_serially(root, self.root_value)
            else:
                data = root.run_fields(self, self.root_value, None)
                if is_awaitable(data):
                    data = await data
        except GraphQLError as error:
            self.errors.add(error, None)
            data = None
        errors = self.errors.errors
        return ExecutionResult(data=data, errors=errors or None)

    async def _execute_serially(self, root: ObjectCompletion, source: object) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for plan in root.fields:
            path = Path(None, plan.response_key, root.type.name)
            result = self._execute_field(plan, source, path)
            results[plan.response_key] = await result if is_awaitable(result) else result
        return results

    # -- fields ------------------------------------------------------------------------

    async def _gather_fields(self, results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
        """The rest of an object's fields (``plan_codegen``'s functions end here when some
        field's value is awaitable): gathered together, so DataLoaders still batch."""
        if len(pending) == 1:
            results[pending[0]] = await results[pending[0]]
        else:
            values = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, values, strict=True))
        return results

    def _execute_field(self, plan: FieldPlan, source: Any, path: Path) -> Any:
        info = None
        try:
            source_kind = plan.source
            if source_kind == ValueSource.ATTRIBUTE:
                result = plan.getter(source, plan.attribute)
            elif source_kind == ValueSource.TYPENAME:
                return plan.parent_type.name
            else:
                info = self._resolve_info(plan, path)
                result = self._call_resolver(plan, source, info)
            if info is None and plan.needs_info:
                info = self._resolve_info(plan, path)
        except Exception as raw_error:
            self._handle_field_error(raw_error, plan, plan.completion, path)
            return None
        return self._complete_field(plan, path, result, info)

    def _complete_field(self, plan: FieldPlan, path: Path, result: Any, info: Any) -> Any:
        try:
            if is_awaitable(result):
                return self._complete_awaitable(plan, plan.completion, path, result, info)
            completed = self._complete(plan, plan.completion, path, result, info)
            if is_awaitable(completed):
                return self._await_completed(plan, plan.completion, path, completed)
        except Exception as raw_error:
            self._handle_field_error(raw_error, plan, plan.completion, path)
            return None
        return completed

    def _arguments(self, plan: FieldPlan) -> dict[str, Any]:
        if not plan.has_arguments:
            return {}
        if plan.literal_arguments is not None:
            return dict(plan.literal_arguments)
        details = plan.field_details[0]
        return get_argument_values(
            plan.definition,
            details.node,
            self.variable_values,
            details.fragment_variable_values,
        )

    def _call_resolver(self, plan: FieldPlan, source: Any, info: Any) -> Any:
        arguments = self._arguments(plan)
        call = plan.call  # set for ValueSource.RESOLVER, None for FIELD_RESOLVE
        if call is None:
            resolve = plan.definition.resolve
            if resolve is None:
                return default_field_resolver(source, info, **arguments)
            return resolve(source, info, **arguments)
        # As Strawberry's resolver wrapper does (schema_converter.get_arguments).
        field = call.field
        strawberry_info = None
        if call.wants_info is not None or field.arguments:
            strawberry_info = self.config.info_class(_raw_info=info, _field=field)
        kwargs = (
            convert_arguments(
                arguments,
                field.arguments,
                scalar_registry=self.scalar_registry,
                config=self.config,
                info=strawberry_info,
            )
            if field.arguments
            else {}
        )
        for name in call.source_names:
            kwargs[name] = source
        if call.wants_info is not None:
            kwargs[call.wants_info] = strawberry_info
        if call.passes_self:
            return call.resolver(source, **kwargs)
        return call.resolver(**kwargs)

    def _resolve_info(self, plan: FieldPlan, path: Path) -> GraphQLResolveInfo[object]:
        return _OperationContextAwareGraphQLResolveInfo(  # type: ignore[return-value]  # graphql-core's info plus operation_extensions; Strawberry hands it on as graphql-core's too
            plan.field_name,
            plan.nodes,
            plan.definition.type,
            plan.parent_type,
            path,
            self.schema,
            self.plan.fragment_definitions,
            self.root_value,
            self.plan.operation,
            self.variable_values.coerced,  # as Strawberry gives resolvers: the plain dict
            self.context,
            is_awaitable,
            None,
            self.async_helpers,
            self.operation_extensions,  # type: ignore[arg-type]  # None without extensions, as Strawberry passes it
        )

    def _handle_field_error(
        self, raw_error: Exception, plan: FieldPlan, completion: Completion, path: Path
    ) -> None:
        error = located_error(raw_error, plan.nodes, path.as_list())
        if isinstance(completion, NonNullCompletion):
            raise error
        self.errors.add(error, path)

    async def _complete_awaitable(
        self, plan: FieldPlan, completion: Completion, path: Path, result: Any, info: Any
    ) -> Any:
        try:
            resolved = await result
            completed = self._complete(plan, completion, path, resolved, info)
            if is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self._handle_field_error(raw_error, plan, completion, path)
            completed = None
        return completed

    async def _await_completed(
        self, plan: FieldPlan, completion: Completion, path: Path, completed: Any
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self._handle_field_error(raw_error, plan, completion, path)
            return None

    # -- values ------------------------------------------------------------------------

    def _complete(
        self, plan: FieldPlan, completion: Completion, path: Path, result: Any, info: Any
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        if isinstance(completion, NonNullCompletion):
            completed = self._complete(plan, completion.inner, path, result, info)
            if completed is None:
                raise TypeError(
                    "Cannot return null for non-nullable field"
                    f" {plan.parent_type}.{plan.field_name}."
                )
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(completion, LeafCompletion):
            coerced = completion.coerce(result)
            if coerced is Undefined or coerced is None:
                raise TypeError(
                    f"Expected `{inspect(completion.type)}.coerce_output_value("
                    f"{inspect(result)})` to return non-nullable value, returned:"
                    f" {inspect(coerced)}"
                )
            return coerced
        if isinstance(completion, ObjectCompletion):
            return self._complete_object(plan, completion, path, result, info)
        if isinstance(completion, ListCompletion):
            return self._complete_list(plan, completion, path, result, info)
        return self._complete_abstract(plan, completion, path, result, info)

    def _complete_list(
        self, plan: FieldPlan, completion: ListCompletion, path: Path, result: Any, info: Any
    ) -> Any:
        if not is_iterable(result):
            raise GraphQLError(
                "Expected Iterable, but did not find one for field"
                f" '{plan.parent_type}.{plan.field_name}'."
            )
        item_completion = completion.inner
        # Items that are objects needing no type check go straight to their fields' function
        # (what completing them would come to); None and the rest take the general way.
        objects = completion.item_objects
        completed: list[Any] = []
        pending: list[int] = []
        iterator = iter(result)
        try:
            for index, item in enumerate(iterator):
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    completed.append(
                        self._complete_awaitable(plan, item_completion, item_path, item, info)
                    )
                    pending.append(index)
                    continue
                try:
                    if objects is not None and item is not None and not isinstance(item, Exception):
                        value = objects.run_fields(self, item, item_path)
                    else:
                        value = self._complete(plan, item_completion, item_path, item, info)
                    if is_awaitable(value):
                        value = self._await_completed(plan, item_completion, item_path, value)
                        pending.append(index)
                    completed.append(value)
                except Exception as raw_error:
                    self._handle_field_error(raw_error, plan, item_completion, item_path)
                    completed.append(None)
        except Exception:
            leftovers = [completed[index] for index in pending]
            leftovers.extend(item for item in iterator if is_awaitable(item))
            if leftovers:
                self._track(leftovers)
            raise
        if not pending:
            return completed

        async def gather_items() -> list[Any]:
            if len(pending) == 1:
                completed[pending[0]] = await completed[pending[0]]
            else:
                values = await gather_with_cancel(*(completed[index] for index in pending))
                for index, value in zip(pending, values, strict=True):
                    completed[index] = value
            return completed

        return gather_items()

    def _complete_object(
        self, plan: FieldPlan, completion: ObjectCompletion, path: Path, result: Any, info: Any
    ) -> Any:
        is_type_of = completion.is_type_of
        if is_type_of is not None:
            matches = is_type_of(result, info)
            if is_awaitable(matches):
                return self._complete_object_later(plan, completion, path, result, matches)
            if not matches:
                raise _invalid_return_type(completion, result, plan)
        return completion.run_fields(self, result, path)

    async def _complete_object_later(
        self,
        plan: FieldPlan,
        completion: ObjectCompletion,
        path: Path,
        result: Any,
        matches: Awaitable[bool],
    ) -> Any:
        if not await matches:
            raise _invalid_return_type(completion, result, plan)
        fields = completion.run_fields(self, result, path)
        return await fields if is_awaitable(fields) else fields

    def _complete_abstract(
        self, plan: FieldPlan, completion: AbstractCompletion, path: Path, result: Any, info: Any
    ) -> Any:
        resolve_type = completion.resolve_type or default_type_resolver
        runtime_type = resolve_type(result, info, completion.type)
        if is_awaitable(runtime_type):

            async def complete_later() -> Any:
                concrete = self._runtime_completion(plan, completion, await runtime_type, result)
                value = self._complete_object(plan, concrete, path, result, info)
                return await value if is_awaitable(value) else value

            return complete_later()
        concrete = self._runtime_completion(plan, completion, runtime_type, result)
        return self._complete_object(plan, concrete, path, result, info)

    def _runtime_completion(
        self, plan: FieldPlan, completion: AbstractCompletion, runtime_type: object, result: Any
    ) -> ObjectCompletion:
        concrete = completion.by_type.get(runtime_type) if isinstance(runtime_type, str) else None
        if concrete is not None:
            return concrete
        # Anything else is an error; graphql-core words it, from the same inputs.
        info = self._resolve_info(plan, Path(None, plan.response_key, None))
        Executor.ensure_valid_runtime_type(
            self,  # type: ignore[arg-type]  # graphql-core's check, for its wording; reads only .schema
            runtime_type,
            completion.type,
            [FieldDetails(node, None) for node in plan.nodes],
            info,
            result,
        )
        raise GraphQLError(f"No plan for {runtime_type!r}", plan.nodes)  # not reached

    def _track(self, awaitables: Iterable[Any]) -> None:
        """Settle abandoned siblings in the background, as graphql-core does."""
        future = asyncio.gather(*awaitables, return_exceptions=True)
        self.background.add(future)
        future.add_done_callback(self.background.discard)


def _invalid_return_type(completion: Completion, result: Any, plan: FieldPlan) -> GraphQLError:
    return GraphQLError(
        f"Expected value of type '{completion.type}' but got: {inspect(result)}.", plan.nodes
    )
