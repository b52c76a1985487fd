"""Step 5, cost: the operation's variables coerced, and its cost checked against the ceiling.

Variables are coerced as graphql-core will coerce them for execution (defaults applied,
``50.0`` for an ``Int`` taken as 50, anything else refused as ``BAD_USER_INPUT``), so the
cost is that of what will run: ``security.query_cost`` counts lists by their ``first``
argument, whether it is written in the document, passed as a variable or left to a default.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import VariableValues, get_variable_values

from errors import QueryTooCostly
from pipeline.documents import DocumentErrors, ParsedDocument
from security.query_cost import estimate_cost

MAX_COERCION_ERRORS = 50  # graphql-core's default, which Strawberry keeps


class CostStep:
    def __init__(self, schema: GraphQLSchema, *, ceiling: int) -> None:
        self.schema = schema
        self.ceiling = ceiling

    def coerce(
        self,
        operation: OperationDefinitionNode,
        variables: dict[str, Any] | None,
        *,
        hide_suggestions: bool,
    ) -> VariableValues:
        """The variables as execution will see them; ``DocumentErrors`` when they do not fit."""
        coerced = get_variable_values(
            self.schema,
            operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_COERCION_ERRORS,
            hide_suggestions=hide_suggestions,
        )
        if isinstance(coerced, list):
            raise DocumentErrors(coerced)
        return coerced

    def estimate(
        self,
        parsed: ParsedDocument,
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> int:
        """The operation's cost; ``QueryTooCostly`` above the ceiling."""
        cost = estimate_cost(self.schema, parsed.node, operation, variables.coerced)
        if cost > self.ceiling:
            raise QueryTooCostly(cost=cost, limit=self.ceiling)
        return cost
