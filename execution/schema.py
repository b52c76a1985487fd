"""The gateway's schema: Strawberry's, answering every error with a code and a localized
message, and the builder that puts it together from ``schema/``'s types."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema, SubsequentIncrementalExecutionResult
from graphql.execution.executor import Executor
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

# Strawberry's and graphql-core's internals used here: tests/test_library_internals.py
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, StreamResult
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.scalar import ScalarDefinition

from execution.error_presentation import is_unexpected, present_errors
from i18n.catalog import MessageCatalog
from resolvers.context import Context
from schema.family import Dependent
from schema.mutation import Mutation
from schema.people import Citizen, Resident
from schema.query import Query
from schema.scalars import SCALAR_OVERRIDES
from schema.subscription import Subscription

logger = logging.getLogger("bawaba.errors")


def graphql_schema_of(schema: strawberry.Schema) -> GraphQLSchema:
    """graphql-core's schema, which Strawberry builds and keeps as ``_schema`` (private)."""
    return schema._schema


class PerEventMemoExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core 3.3 shares one sub-field memo between the copies it makes for each
    subscription event, so a long-lived subscription kept every event's field lists alive
    (about 4 KB per delivery). Each event gets a memo of its own."""

    def build_per_event_executor(self, payload: object) -> Executor[Context]:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, answering every error with a code and a localized message."""

    def __init__(
        self,
        *,
        query: type,
        mutation: type,
        subscription: type,
        types: Iterable[type],
        scalar_overrides: Mapping[object, ScalarDefinition],
        extensions: Iterable[Callable[[], SchemaExtension]],
        execution_context_class: type[StrawberryGraphQLCoreExecutionContext],
        messages: MessageCatalog,
        hide_suggestions: bool,
    ) -> None:
        super().__init__(
            query=query,
            mutation=mutation,
            subscription=subscription,
            types=types,
            scalar_overrides=dict(scalar_overrides),
            extensions=extensions,
            execution_context_class=execution_context_class,
        )
        self.messages = messages
        self.hide_suggestions = hide_suggestions

    @property
    def graphql_schema(self) -> GraphQLSchema:
        return graphql_schema_of(self)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        # Rewritten here rather than in an extension: parse errors raised by the parser
        # cache skip the extensions' after-operation hooks.
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        return self.present_result(result, context_value)

    def present_result(self, result: ExecutionResult, context: object) -> ExecutionResult:
        """The result's errors as the caller sees them (both execution paths end here)."""
        if result.errors:
            result.errors = present_errors(
                result.errors, self.messages, context, hide_suggestions=self.hide_suggestions
            )
        return result

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> StreamResult:
        # Subscriptions stream their results; each one's errors are presented the same way.
        source = await super().stream(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            operation_extensions,
            allowed_operation_types,
        )
        messages = self.messages

        async def presented() -> StreamResult:
            async with aclosing(source):
                async for result in source:
                    # Later parts of an incremental result carry their errors in each part.
                    if not isinstance(result, SubsequentIncrementalExecutionResult) and (
                        result.errors
                    ):
                        result.errors = present_errors(
                            result.errors,
                            messages,
                            context_value,
                            hide_suggestions=self.hide_suggestions,
                        )
                    yield result

        return presented()

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        self.log_unexpected(errors, context.request_id if isinstance(context, Context) else "")

    def log_unexpected(self, errors: list[GraphQLError], request_id: str) -> None:
        # Coded errors are answers, not incidents: only bugs reach the log, in full.
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "unexpected error in %s (request %s)", error.path, request_id,
                    exc_info=error.original_error,
                )  # fmt: skip


def build_schema(
    messages: MessageCatalog,
    *,
    parse_cache_size: int,
    validation_cache_size: int,
    production: bool,
    tracing_extensions: Sequence[Callable[[], SchemaExtension]] = (),
) -> GatewaySchema:
    """The gateway's schema. What may run is the admission pipeline's to decide (limits,
    cost, introspection: ``pipeline/``); the schema executes what it is given."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Citizen, Resident, Dependent],
        scalar_overrides=SCALAR_OVERRIDES,
        messages=messages,
        hide_suggestions=production,
        execution_context_class=PerEventMemoExecutionContext,
        extensions=[
            *tracing_extensions,  # first, so that the operation span covers the other extensions
            lambda: ParserCache(maxsize=parse_cache_size),
            lambda: ValidationCache(maxsize=validation_cache_size),
        ],
    )
