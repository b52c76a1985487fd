"""The pipeline itself: one operation through every step, in order (see ``pipeline``).

``AdmissionPipeline.run`` is the only way an operation is executed. Each step raises a coded
``BawabaError`` or ``DocumentErrors`` to refuse; ``run`` turns either into a ``Refused``
payload in the caller's language. Anything else a step raises is a bug: it is answered as
``INTERNAL_ERROR`` (HTTP 500) with the request ID, through every door alike, and logged in
full once per kind (``telemetry.repeated_failures``). Nothing is spent before the caller is
known and admitted, and nothing runs before it is paid for.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode, OperationType

from errors import BawabaError, InputRejected, NotAuthenticated, RateLimited
from execution.error_presentation import error_extensions, present_error
from i18n.catalog import MessageCatalog
from live.shared_documents import CURSOR_VARIABLE, shareable, shares_variables
from pipeline.budget import BudgetStep
from pipeline.caller import CallerStep, SocketCredentials
from pipeline.cost import CostStep
from pipeline.documents import DocumentErrors, DocumentStep, Identified, ParsedDocument
from pipeline.envelope import read_envelope, read_query_parameters
from pipeline.execute import ExecutionStep
from pipeline.limits import LimitsStep
from pipeline.log import operation_label, record_operation_outcome
from pipeline.outcome import (
    Answered,
    Outcome,
    Payload,
    Refused,
    SharedStart,
    Streaming,
    codes_of,
)
from pipeline.request import Arrival, Door, GraphQLRequest
from resolvers.context import Context
from resolvers.pagination import decode_sequence_cursor
from security.viewer import Viewer
from telemetry.repeated_failures import RepeatedFailures

# Refusals of the document itself, before execution (GraphQL over HTTP: 400 with
# application/graphql-response+json). The others concern the caller or the protocol.
REQUEST_ERRORS = frozenset(
    {
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "MAX_DEPTH_EXCEEDED",
        "MAX_ALIASES_EXCEEDED",
        "MAX_TOKENS_EXCEEDED",
        "MAX_DIRECTIVES_EXCEEDED",
        "MAX_ROOT_FIELDS_EXCEEDED",
        "INTROSPECTION_DISABLED",
        "QUERY_TOO_COSTLY",
        "UNKNOWN_OPERATION",
        "SUBSCRIPTIONS_NEED_A_WEBSOCKET",
    }
)


class MethodNotAllowed(BawabaError):
    """Raised when a request uses a method GraphQL over HTTP does not (PUT, DELETE, ...), or
    sends a mutation by GET, which must be POSTed."""

    code = "METHOD_NOT_ALLOWED"


@dataclass(slots=True)
class _Progress:
    """What the record (step 9) says of an operation, filled in as it goes."""

    name: str
    read: bool = False
    trusted: bool = False
    viewer: Viewer | None = None


class AdmissionPipeline:
    def __init__(
        self,
        *,
        documents: DocumentStep,
        limits: LimitsStep,
        cost: CostStep,
        caller: CallerStep,
        budget: BudgetStep,
        execution: ExecutionStep,
        messages: MessageCatalog,
        hide_suggestions: bool,
        share_subscriptions: bool,
        max_variables_bytes: int,
    ) -> None:
        self.documents = documents
        self.limits = limits
        self.cost = cost
        self.caller = caller
        self.budget = budget
        self.execution = execution
        self.messages = messages
        self.hide_suggestions = hide_suggestions
        self.share_subscriptions = share_subscriptions
        self.max_variables_bytes = max_variables_bytes
        self.failures = RepeatedFailures()

    async def run(
        self,
        payload: object,
        arrival: Arrival,
        *,
        socket: SocketCredentials | None = None,
    ) -> Outcome:
        """Take one operation through every step; its outcome, recorded unless streaming.

        ``payload`` is what the door received: a POST's JSON body or a WebSocket message's
        payload, or a GET's query parameters (a mapping of strings).
        """
        started = time.perf_counter()
        progress = _Progress(name="none")
        try:
            request = self._read_envelope(payload, arrival.door)
            progress.name = (request.operation_name or "anonymous")[:100]
            outcome = await self._admit_and_run(request, arrival, socket, progress)
        except BawabaError as error:
            outcome = self.refusal(error, arrival)
        except DocumentErrors as error:
            outcome = self._request_refusal(error.errors, arrival)
        except Exception as error:
            self.failures.log(error, arrival.request_id)
            outcome = self._internal_error(arrival)
        if not isinstance(outcome, Streaming):
            self._record(arrival, progress, outcome, started)
        return outcome

    async def _admit_and_run(
        self,
        request: GraphQLRequest,
        arrival: Arrival,
        socket: SocketCredentials | None,
        progress: _Progress,
    ) -> Outcome:
        documents = self.documents
        identified = await documents.identify(request)
        parsed = documents.parse(identified)
        progress.read = True
        operation = parsed.operation(request.operation_name)
        progress.name = operation.name.value if operation.name else "anonymous"
        self._check_door(arrival.door, operation)
        self.limits.check(parsed, operation)
        # Only a document within the limits is printed and looked up in the registry.
        trusted = await documents.trusted(parsed, identified)
        progress.trusted = trusted is not None
        variables = self.cost.coerce(
            operation, request.variables, hide_suggestions=self.hide_suggestions
        )
        cost = self.cost.estimate(parsed, operation, variables)
        viewer = progress.viewer = await self.caller.identify(arrival, socket)
        self.caller.admit(viewer, parsed, trusted)
        if self.caller.may_register(viewer):
            documents.remember(identified, parsed)
        report = await self.budget.spend(viewer, cost)
        report["ceiling"] = self.cost.ceiling
        context = self.execution.context(viewer, arrival, trusted, operation)
        if operation.operation is OperationType.SUBSCRIPTION:
            slot = await self.budget.take_slot(viewer)
            return self._stream(
                request, arrival, identified, parsed, operation, context, progress, slot
            )
        result = await self.execution.run(
            parsed,
            operation,
            identified.text,
            variables,
            request.variables,
            context,
            request.extensions,
        )
        payload: Payload = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        payload["extensions"] = {**(result.extensions or {}), "cost": report}
        return Answered(payload, retry_after=retry_after_in(payload))

    def _read_envelope(self, payload: object, door: Door) -> GraphQLRequest:
        """Step 1."""
        limit = self.max_variables_bytes
        if door is Door.HTTP_GET and isinstance(payload, Mapping):
            return read_query_parameters(payload, max_variables_bytes=limit)
        return read_envelope(payload, max_variables_bytes=limit)

    def _check_door(self, door: Door, operation: OperationDefinitionNode) -> None:
        kind = operation.operation
        if door is Door.HTTP_GET and kind is OperationType.MUTATION:
            raise MethodNotAllowed()
        if door.is_http and kind is OperationType.SUBSCRIPTION:
            raise InputRejected("SUBSCRIPTIONS_NEED_A_WEBSOCKET")

    def _stream(
        self,
        request: GraphQLRequest,
        arrival: Arrival,
        identified: Identified,
        parsed: ParsedDocument,
        operation: OperationDefinitionNode,
        context: Context,
        progress: _Progress,
        slot: tuple[str, str],
    ) -> Streaming:
        started = time.perf_counter()

        async def results() -> AsyncGenerator[Payload]:
            source = await self.execution.stream(
                operation, identified.text, request.variables, context, request.extensions
            )
            async for result in source:
                payload: Payload = {"data": getattr(result, "data", None)}
                errors = getattr(result, "errors", None)
                if errors:
                    payload["errors"] = [error.formatted for error in errors]
                yield payload

        async def finish(codes: list[str]) -> None:
            await self.budget.release(slot)
            self._record(arrival, progress, None, started, codes=codes)

        shared = self._shared_start(request, arrival, parsed, context, progress)
        return Streaming(results(), finish, shared=shared)

    def _shared_start(
        self,
        request: GraphQLRequest,
        arrival: Arrival,
        parsed: ParsedDocument,
        context: Context,
        progress: _Progress,
    ) -> SharedStart | None:
        """The group that may serve this subscription, when one may: a trusted document,
        over graphql-transport-ws, whose answer depends only on audience and language."""
        if not (self.share_subscriptions and progress.trusted):
            return None
        if arrival.door is not Door.TRANSPORT_WS or not shares_variables(request.variables):
            return None
        shared = parsed.analysis.get("shared", False)
        if shared is False:
            shared = parsed.analysis["shared"] = shareable(
                self.limits.schema, parsed.node, parsed.hash
            )
        if shared is None or len(parsed.operations) != 1:
            return None
        cursor = (request.variables or {}).get(CURSOR_VARIABLE)
        try:
            start = decode_sequence_cursor(cursor) if isinstance(cursor, str) else None
        except InputRejected:
            return None  # the standard path answers a bad cursor with its coded error
        return SharedStart(shared, start, context)

    # -- refusals ------------------------------------------------------------------------

    def refuse(self, error: BawabaError, arrival: Arrival) -> Refused:
        """A refusal a door makes before the pipeline can read the request (a body that is
        not JSON, a batch, a socket at its operation limit), recorded like any other."""
        refused = self.refusal(error, arrival)
        self._record(arrival, _Progress(name="none"), refused, time.perf_counter())
        return refused

    def refusal(self, error: BawabaError, arrival: Arrival) -> Refused:
        """A coded refusal in the caller's language."""
        extensions = {**error_extensions(error), "requestId": arrival.request_id}
        message = self.messages.message(error.message_code, arrival.locale, **error.params)
        return Refused(
            {"errors": [{"message": message, "extensions": extensions}]},
            error.code,
            request_error=error.code in REQUEST_ERRORS,
            retry_after=error.retry_after if isinstance(error, RateLimited) else None,
            reason=error.reason if isinstance(error, NotAuthenticated) else None,
        )

    def _internal_error(self, arrival: Arrival) -> Refused:
        """What a bug is answered with: nothing of it but the request ID to quote."""
        message = self.messages.message("INTERNAL_ERROR", arrival.locale)
        extensions = {"code": "INTERNAL_ERROR", "requestId": arrival.request_id}
        return Refused(
            {"errors": [{"message": message, "extensions": extensions}]}, "INTERNAL_ERROR"
        )

    def _request_refusal(self, errors: list[GraphQLError], arrival: Arrival) -> Refused:
        presented = [
            present_error(
                error,
                self.messages,
                arrival.locale,
                arrival.request_id,
                hide_suggestions=self.hide_suggestions,
            ).formatted
            for error in errors
        ]
        payload: Payload = {"errors": presented}
        code = codes_of(payload)[0]
        return Refused(payload, code, request_error=True)

    def _record(
        self,
        arrival: Arrival,
        progress: _Progress,
        outcome: Outcome | None,
        started: float,
        *,
        codes: list[str] | None = None,
    ) -> None:
        if isinstance(outcome, Refused):
            codes = [outcome.code]
        elif isinstance(outcome, Answered):
            codes = codes_of(outcome.payload)
        codes = codes or []
        record_operation_outcome(
            arrival,
            viewer=progress.viewer,
            operation=progress.name,
            label=operation_label(progress.name, trusted=progress.trusted, read=progress.read),
            status=status_of(outcome, graphql_response_json=arrival.graphql_response_json),
            started=started,
            codes=codes,
        )


# -- statuses -----------------------------------------------------------------------------

_STATUS_BY_CODE = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "TRUSTED_DOCUMENTS_ONLY": 403,
    "RATE_LIMITED": 429,
    "SUBSCRIPTION_LIMIT_REACHED": 429,
    "METHOD_NOT_ALLOWED": 405,
    # A body without Content-Length found too large as it is read (BodySizeLimit refuses a
    # declared one before the app): the same 413 either way.
    "REQUEST_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "REGISTRY_UNAVAILABLE": 503,
    "REGISTRY_TIMEOUT": 503,
    "INTERNAL_ERROR": 500,
}


def retry_after_in(payload: Payload) -> int | None:
    """The longest ``retryAfter`` of the payload's RATE_LIMITED errors, if any."""
    waits = [
        int((error.get("extensions") or {}).get("retryAfter", 1))
        for error in payload.get("errors") or ()
        if (error.get("extensions") or {}).get("code") == "RATE_LIMITED"
    ]
    return max(waits) if waits else None


def status_of(outcome: Outcome | None, *, graphql_response_json: bool) -> int:
    """The HTTP status of an outcome: GraphQL over HTTP's, and Apollo's for APQ.

    ``PERSISTED_QUERY_NOT_FOUND`` is 200 as ``application/json``: Apollo Kotlin reads the
    body of a non-2xx ``application/json`` answer as no GraphQL response at all, and would
    never resend the text (its ``HttpNetworkTransport``); as
    ``application/graphql-response+json`` every client reads the body, and it is 404.
    """
    if isinstance(outcome, Answered):
        return 429 if outcome.retry_after is not None else 200
    if not isinstance(outcome, Refused):
        return 200
    status = _STATUS_BY_CODE.get(outcome.code)
    if status is not None:
        return status
    if outcome.code == "PERSISTED_QUERY_NOT_FOUND":
        return 404 if graphql_response_json else 200
    if outcome.request_error:
        return 400 if graphql_response_json else 200
    return 400
