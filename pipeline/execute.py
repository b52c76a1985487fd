"""Step 8, execution: the admitted operation runs, compiled or the standard way.

The request's ``Context`` is built here (viewer, language, the gateway's day, per-request
loaders). A query or mutation with a compiled plan runs it (``execution.compiled``); every
other runs through Strawberry's execution, the reference. A subscription is a stream of
results, each presented like a query's.
"""

from __future__ import annotations

from typing import Any

from graphql import OperationDefinitionNode, OperationType
from graphql.execution.values import VariableValues

# Strawberry's name for a stream of results: tests/test_library_internals.py
from strawberry.schema.schema import StreamResult
from strawberry.types import ExecutionResult

from datasources.loaders import Loaders
from execution.compiled.operations import CompiledOperations
from execution.schema import GatewaySchema
from pipeline.documents import ParsedDocument
from pipeline.request import Arrival
from resolvers.calendars import gateway_today
from resolvers.context import Context, Services
from security.trusted_documents import TrustedDocument
from security.viewer import Viewer

_NOT_COMPILED = object()


def registered_name(
    trusted: TrustedDocument | None, operation: OperationDefinitionNode
) -> str | None:
    """The name the registry knows the running operation by; None for an ad hoc one."""
    if trusted is None:
        return None
    name = operation.name.value if operation.name else None
    if name is not None and name in trusted.operation_names:
        return name
    return trusted.operation_names[0] if trusted.operation_names else "anonymous"


class ExecutionStep:
    def __init__(
        self, schema: GatewaySchema, services: Services, compiled: CompiledOperations | None
    ) -> None:
        self.schema = schema
        self.services = services
        self.compiled = compiled
        # Ad hoc documents run the standard way (with per-field spans when traces are on);
        # the differential tests turn this on to compare shapes the contract lacks.
        self.compile_ad_hoc = False

    def context(
        self,
        viewer: Viewer,
        arrival: Arrival,
        trusted: TrustedDocument | None,
        operation: OperationDefinitionNode,
    ) -> Context:
        services = self.services
        registries = services.registries
        return Context(
            viewer=viewer,
            locale=arrival.locale,
            today=gateway_today(services.clock()),
            loaders=Loaders(registries.civil, registries.passports, tracer=services.loader_tracer),
            services=services,
            request_id=arrival.request_id,
            document_name=registered_name(trusted, operation),
        )

    async def run(
        self,
        parsed: ParsedDocument,
        operation: OperationDefinitionNode,
        text: str,
        variables: VariableValues,
        raw_variables: dict[str, Any] | None,
        context: Context,
        extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """A query's or mutation's result, its errors presented to the caller.

        Trusted documents run compiled (their plans are made once, kept with the parsed
        document); ad hoc ones run the standard way."""
        compiles = context.document_name is not None or self.compile_ad_hoc
        plan = self._plan(parsed, operation) if compiles else None
        if plan is not None:
            assert self.compiled is not None
            return await self.compiled.run(plan, variables, context, extensions)
        return await self.schema.execute(
            text,
            variable_values=raw_variables,
            context_value=context,
            operation_name=operation.name.value if operation.name else None,
            operation_extensions=extensions,
        )

    async def stream(
        self,
        operation: OperationDefinitionNode,
        text: str,
        raw_variables: dict[str, Any] | None,
        context: Context,
        extensions: dict[str, Any] | None,
    ) -> StreamResult:
        """A subscription's results, each presented to the caller."""
        return await self.schema.stream(
            text,
            variable_values=raw_variables,
            context_value=context,
            operation_name=operation.name.value if operation.name else None,
            operation_extensions=extensions,
        )

    def _plan(self, parsed: ParsedDocument, operation: OperationDefinitionNode) -> Any:
        if self.compiled is None or operation.operation is OperationType.SUBSCRIPTION:
            return None
        key = f"plan:{operation.name.value if operation.name else ''}"
        plan = parsed.analysis.get(key, _NOT_COMPILED)
        if plan is _NOT_COMPILED:
            plan = parsed.analysis[key] = self.compiled.plan_for(parsed.node, operation)
        return plan
