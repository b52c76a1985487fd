"""Trusted documents on the compiled path: what the standard path does around execution
(variables, cost ceiling and budget, error presentation, ``extensions.cost``), then the plan.

Anything that would end before execution on the standard path (variables that do not
coerce, a cost above the ceiling, an operation type the HTTP method does not allow) is left
to the standard path, which answers it; so only successful admissions run compiled, and
both paths answer every request alike.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from graphql import GraphQLError
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.types import ExecutionResult

from execution.compiled.compiler import compile_documents
from execution.compiled.plan import CompiledDocuments, OperationPlan
from execution.compiled.runner import CompiledRun
from execution.schema import GatewaySchema
from resolvers.context import Context
from security.query_cost import estimate_cost, spend_cost
from security.trusted_documents import TrustedDocuments
from telemetry.tracing import current_operation_span

MAX_COERCION_ERRORS = 50  # graphql-core's default, which Strawberry keeps


class CompiledOperations:
    """The compiled trusted documents of one schema, and how a request runs one."""

    def __init__(self, schema: GatewaySchema, documents: CompiledDocuments) -> None:
        self.schema = schema
        self.documents = documents
        # Counted for the tests and the start-up log: how many requests ran compiled.
        self.runs = 0

    def find(self, query: str | None, operation_name: str | None) -> OperationPlan | None:
        return self.documents.find(query, operation_name)

    async def execute(
        self,
        plan: OperationPlan,
        *,
        variables: dict[str, Any] | None,
        context: Context,
        root_value: object,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult | None:
        """The result of ``plan``, or None when the standard path must answer."""
        schema = self.schema
        coerced = get_variable_values(
            schema.graphql_schema,
            plan.operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_COERCION_ERRORS,
        )
        if isinstance(coerced, list):
            return None
        cost = plan.fixed_cost
        if cost is None:
            cost = estimate_cost(schema.graphql_schema, plan.document, plan.name, variables)
        if cost > schema.cost_ceiling:
            return None
        report: dict[str, Any] = {"requested": cost, "ceiling": schema.cost_ceiling}
        self.runs += 1
        with operation_span(context, plan.name):
            result = await self._run(
                plan, coerced, cost, report, context, root_value, operation_extensions
            )
        if result.errors:
            schema.log_unexpected(result.errors, context.request_id)
        result.extensions = {"cost": report}
        return schema.present_result(result, context)

    async def _run(
        self,
        plan: OperationPlan,
        coerced: VariableValues,
        cost: int,
        report: dict[str, Any],
        context: Context,
        root_value: object,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        schema = self.schema
        try:
            await spend_cost(context.services.rate_limits, context.viewer, cost, report)
            run = CompiledRun(
                plan,
                schema,
                context=context,
                variable_values=coerced,
                operation_extensions=operation_extensions,
                root_value=root_value,
            )
            return await run.run()
        except Exception as error:  # as Strawberry's execute turns them into one error
            cause = error if isinstance(error, GraphQLError) else None
            return ExecutionResult(
                data=None, errors=[cause or GraphQLError(str(error), original_error=error)]
            )


def operation_span(context: Context, name: str | None) -> AbstractContextManager[object]:
    """The operation's span when traces are on, as on the standard path (no per-field spans)."""
    tracer = context.services.loader_tracer
    if tracer is None:
        return nullcontext()
    return current_operation_span(tracer, name, context.request_id)


def compile_trusted(schema: GatewaySchema, trusted: TrustedDocuments) -> CompiledOperations:
    """Compile every trusted document at start-up, under the standard path's limits."""
    documents = compile_documents(
        schema,
        trusted.by_hash.values(),
        extra_rules=schema.limit_rules,
        max_tokens=schema.max_tokens,
    )
    return CompiledOperations(schema, documents)
