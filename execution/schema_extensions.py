"""The admission rules as Strawberry schema extensions, for the standard execution path.

Each rule lives in ``security/``; these adapters read what it needs from Strawberry's
execution context and hand back its verdict: the limits join parsing and validation, the
introspection policy refuses at validation, the cost guard refuses or spends at execution.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, cast

from graphql import GraphQLError, ValidationRule
from strawberry.extensions import SchemaExtension

from errors import QueryTooCostly
from resolvers.context import Context
from security.introspection_policy import asks_for_the_schema, may_introspect
from security.query_cost import estimate_cost, spend_cost

if TYPE_CHECKING:  # execution.schema builds its extensions from this module
    from execution.schema import GatewaySchema


class OperationLimitRules(SchemaExtension):
    """Adds the prebuilt limit rules to validation, and the token limit to parsing."""

    def __init__(self, rules: tuple[type[ValidationRule], ...], max_tokens: int) -> None:
        super().__init__()
        self.rules = rules
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            *self.rules,
        )
        yield


class IntrospectionPolicy(SchemaExtension):
    """Refuses introspection to callers who may not see the schema (production mode)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        query = self.execution_context.query
        if (
            isinstance(context, Context)
            and query
            and not may_introspect(context.viewer)
            and asks_for_the_schema(query)
        ):
            refusal = GraphQLError(
                "Introspection is disabled.", extensions={"code": "INTROSPECTION_DISABLED"}
            )
            self.execution_context.pre_execution_errors = [
                *(self.execution_context.pre_execution_errors or []),
                refusal,
            ]
        yield


class QueryCostGuard(SchemaExtension):
    """Refuses operations above the ceiling, spends the caller's budget, reports both."""

    def __init__(self, *, ceiling: int) -> None:
        super().__init__()
        self.ceiling = ceiling
        self.report: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        assert document is not None  # execution starts once the document has parsed
        cost = estimate_cost(
            cast("GatewaySchema", execution.schema).graphql_schema,
            document,
            execution.operation_name,
            execution.variables,
        )
        self.report = {"requested": cost, "ceiling": self.ceiling}
        if cost > self.ceiling:
            raise QueryTooCostly(cost=cost, limit=self.ceiling)
        context = execution.context
        if isinstance(context, Context):
            await spend_cost(context.services.rate_limits, context.viewer, cost, self.report)
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report else {}
