"""The API's shape: Strawberry types, enums and the schema object."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

# Strawberry's and graphql-core's internals used here: tests/test_library_internals.py
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, ExecutionResult

from execution.error_presentation import is_unexpected, present_errors
from i18n.catalog import MessageCatalog
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

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


class GatewaySchema(strawberry.Schema):
    """Strawberry's schema, answering every error with a code and a localized message."""

    def __init__(
        self,
        *args: Any,
        messages: MessageCatalog,
        hide_suggestions: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.messages = messages
        self.hide_suggestions = hide_suggestions

    @property
    def graphql_schema(self) -> GraphQLSchema:
        return graphql_schema_of(self)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Rewritten here rather than in an extension: parse errors raised by the parser
        # cache skip the extensions' after-operation hooks.
        result = await super().execute(*args, **kwargs)
        context = kwargs.get("context_value", args[2] if len(args) > 2 else None)
        return self.present_result(result, context)

    def present_result(self, result: ExecutionResult, context: object) -> ExecutionResult:
        """The result's errors as the caller sees them (both execution paths end here)."""
        if result.errors:
            result.errors = present_errors(
                result.errors, self.messages, context, hide_suggestions=self.hide_suggestions
            )
        return result

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        # Subscriptions stream their results; each one's errors are presented the same way.
        source = await super().stream(*args, **kwargs)
        context = kwargs.get("context_value", args[2] if len(args) > 2 else None)
        messages = self.messages

        async def presented() -> Any:
            async with aclosing(source):
                async for result in source:
                    if getattr(result, "errors", None):
                        result.errors = present_errors(
                            result.errors, messages, context, hide_suggestions=self.hide_suggestions
                        )
                    yield result

        return presented()

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        request_id = getattr(getattr(execution_context, "context", None), "request_id", "")
        self.log_unexpected(errors, request_id)

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
