"""Compiled operations: a plan made once per operation of a document, run per request.

The admission pipeline (``pipeline/``) has parsed, limited, validated, costed and charged
the operation before it gets here, and coerced its variables; what is left is execution.
``plan_for`` compiles an operation the first time it is asked (the pipeline keeps the plan
with the parsed document, so the cache is the pipeline's bounded document cache) and says
None for what the compiler does not handle, which then runs the standard way. Both paths
give the same data and errors: ``tests/execution`` compares them.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from graphql.execution.values import VariableValues
from strawberry.types import ExecutionResult

from execution.compiled.codegen import generate_plan_functions
from execution.compiled.compiler import NotCompilable, PlanCompiler
from execution.compiled.plan import OperationPlan
from execution.compiled.runner import CompiledRun
from execution.schema import GatewaySchema
from resolvers.context import Context
from telemetry.tracing import current_operation_span

logger = logging.getLogger("bawaba.compiled_execution")


class CompiledOperations:
    """The compiled path of one schema."""

    def __init__(self, schema: GatewaySchema) -> None:
        self.schema = schema
        # Counted for the tests and the start-up log: how many requests ran compiled.
        self.runs = 0

    def plan_for(
        self, document: DocumentNode, operation: OperationDefinitionNode
    ) -> OperationPlan | None:
        """The operation's plan, or None when it must run the standard way."""
        try:
            plan = PlanCompiler(self.schema, document).compile(operation)
            generate_plan_functions(plan, self.schema)
        except NotCompilable as reason:
            name = operation.name.value if operation.name else "anonymous"
            logger.info("not compiled (%s): %s", reason, name)
            return None
        return plan

    async def run(
        self,
        plan: OperationPlan,
        variables: VariableValues,
        context: Context,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """The plan's result for this request, its errors presented to the caller."""
        self.runs += 1
        with operation_span(context, plan.name):
            try:
                run = CompiledRun(
                    plan,
                    self.schema,
                    context=context,
                    variable_values=variables,
                    operation_extensions=operation_extensions,
                    root_value=None,
                )
                result = await run.run()
            except Exception as error:  # as Strawberry's execute turns them into one error
                cause = error if isinstance(error, GraphQLError) else None
                result = ExecutionResult(
                    data=None, errors=[cause or GraphQLError(str(error), original_error=error)]
                )
        if result.errors:
            self.schema.log_unexpected(result.errors, context.request_id)
        return self.schema.present_result(result, context)


def operation_span(context: Context, name: str | None) -> AbstractContextManager[object]:
    """The operation's span when traces are on, as on the standard path (no per-field spans)."""
    tracer = context.services.loader_tracer
    if tracer is None:
        return nullcontext()
    return current_operation_span(tracer, name, context.request_id)
