"""Traces with OpenTelemetry: off unless the standard ``OTEL_*`` variables ask for them.

Switched on when ``OTEL_SDK_DISABLED`` is not ``true`` and either ``OTEL_TRACES_EXPORTER``
names an exporter other than ``none`` (``otlp`` or ``console``), or, with it unset,
``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set (OTLP over
HTTP/protobuf). Everything else — service name, resource attributes, sampler, batching,
endpoint headers and timeouts, propagators — is the SDK reading its own standard variables.
When off, nothing is instrumented and no extension is added: the hot path is unchanged.

When on, each HTTP request is one trace::

    POST /graphql                            ASGI instrumentation (query string never seen)
    ├── SQL / Redis spans of sign-in checks and rate limits
    └── GraphQL Query: MyFamily              Strawberry (no document text, no variables)
        └── GraphQL Resolving: me            one per field with a resolver of its own
            └── dataloader.batch PersonByNationalIdLoader    (datasources/loaders.py)
                └── SELECT civil             SQLAlchemy (parameterized SQL), asyncpg below it

A WebSocket operation (a subscription) is a trace of its own, rooted at its operation span.
Redis spans hold the command name only (``HGETALL ?``), never keys or values. Background
workers started under ``untraced()`` (the change-log relay polls ten times a second) record
nothing, so that every trace is a request's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Span, SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension

SERVICE = "bawaba"
# Resolver arguments recorded on spans: an allowlist, so a new argument (a national ID, a
# password, a code, a token, an API key…) stays out until someone decides it is harmless.
PUBLIC_ARGUMENTS = frozenset({"first", "after", "from", "to"})
# Headers masked even if OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_* asks to record them.
SECRET_HEADERS = ["authorization", "x-api-key", "cookie", "set-cookie"]
_HIDDEN_QUERY = "bawaba.query_string"


@contextmanager
def untraced() -> Iterator[None]:
    """Nothing run here, nor in any task started here, records spans."""
    with suppress_instrumentation():
        yield


class TracingConfigurationError(ValueError):
    """Raised when the OTEL_* variables ask for traces this gateway cannot send."""


def tracing_requested(environ: Mapping[str, str]) -> bool:
    """Whether the standard variables ask for traces (see the module docstring)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return any(
        environ.get(name, "").strip()
        for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def span_exporter_from(environ: Mapping[str, str]) -> SpanExporter:
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() or "otlp"
    if exporter == "console":
        return ConsoleSpanExporter()
    if exporter != "otlp":
        raise TracingConfigurationError(
            f"OTEL_TRACES_EXPORTER={exporter!r}: this gateway sends traces with otlp or console"
        )
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    if protocol.strip() != "http/protobuf":
        raise TracingConfigurationError(
            f"OTLP protocol {protocol!r}: this gateway sends traces over http/protobuf only"
        )
    return OTLPSpanExporter()  # endpoint, headers, timeout: the SDK reads OTEL_EXPORTER_OTLP_*


def tracer_provider_from(environ: Mapping[str, str]) -> TracerProvider | None:
    """A provider exporting in batches as the variables say, or None when traces are off."""
    if not tracing_requested(environ):
        return None
    resource = Resource.create()  # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: SERVICE}))
    provider = TracerProvider(resource=resource)  # sampler: OTEL_TRACES_SAMPLER
    provider.add_span_processor(BatchSpanProcessor(span_exporter_from(environ)))
    return provider


def public_arguments(
    arguments: dict[str, Any], _info: GraphQLResolveInfo[object]
) -> dict[str, Any]:
    return {name: value for name, value in arguments.items() if name in PUBLIC_ARGUMENTS}


# Reads the extension's private _tracer and _span_holder: tests/test_library_internals.py
class GraphQLOperationSpans(OpenTelemetryExtension):
    """Strawberry's spans, without the document's text on the operation span: a document may
    carry a national ID or a code written inline. Names the request the span belongs to, and
    ends the span however the operation ends (Strawberry's own leaves a closed subscription's
    span open, so it was never exported)."""

    def on_operation(self) -> Generator[None, None, None]:
        name = self.execution_context.operation_name
        # Over HTTP the request's span is the server's; a WebSocket operation is a root.
        nested = trace.get_current_span().get_span_context().is_valid
        span: Span = self._tracer.start_span(
            operation_span_name(name),
            kind=SpanKind.INTERNAL if nested else SpanKind.SERVER,
        )
        span.set_attribute("component", "graphql")
        request_id = getattr(self.execution_context.context, "request_id", None)
        if isinstance(request_id, str):
            span.set_attribute("bawaba.request_id", request_id)
        self._span_holder[LifecycleStep.OPERATION] = span
        try:
            yield
        finally:  # also when a subscription ends because its socket closed
            name = self.execution_context.operation_name
            if name:
                span.update_name(operation_span_name(name))
                span.set_attribute("graphql.operation.name", name)
            span.end()


def operation_span_name(operation_name: str | None) -> str:
    """Named as Strawberry's extension names it, so traces look alike whichever path ran."""
    return f"GraphQL Query: {operation_name}" if operation_name else "GraphQL Query"


def start_operation_span(
    tracer: trace.Tracer, operation_name: str | None, request_id: str, *, root: bool
) -> Span:
    """An operation's span for the paths that bypass Strawberry's extension: compiled
    execution (a child of the request's span) and a shared subscriber (a trace root, lasting as
    long as its subscription; the group's executions serve many subscribers and are traced
    apart)."""
    attributes = {"component": "graphql", "bawaba.request_id": request_id}
    if operation_name:
        attributes["graphql.operation.name"] = operation_name
    return tracer.start_span(
        operation_span_name(operation_name),
        context=trace.set_span_in_context(trace.INVALID_SPAN) if root else None,
        kind=SpanKind.SERVER if root else SpanKind.INTERNAL,
        attributes=attributes,
    )


def current_operation_span(
    tracer: trace.Tracer, operation_name: str | None, request_id: str
) -> AbstractContextManager[Span]:
    """The operation's span as the current one while the block runs, ended after it."""
    span = start_operation_span(tracer, operation_name, request_id, root=False)
    return trace.use_span(span, end_on_exit=True)


class HttpServerSpans:
    """ASGI: one SERVER span per HTTP request, by the OpenTelemetry ASGI middleware, which is
    shown the request without its query string (a GraphQL GET carries the document and its
    variables there). WebSockets pass untraced here: each of their operations is a trace."""

    def __init__(self, app: ASGIApp, *, tracer_provider: trace.TracerProvider) -> None:
        self.app = app
        self.traced = OpenTelemetryMiddleware(
            self._with_query_string,
            tracer_provider=tracer_provider,
            meter_provider=NoOpMeterProvider(),
            exclude_spans=["receive", "send"],
            server_request_hook=_name_request,
            http_capture_headers_sanitize_fields=SECRET_HEADERS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hidden = {**scope, "query_string": b"", _HIDDEN_QUERY: scope.get("query_string", b"")}
        await self.traced(hidden, receive, send)

    async def _with_query_string(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app({**scope, "query_string": scope[_HIDDEN_QUERY]}, receive, send)


def _name_request(span: Span, scope: Scope) -> None:
    request_id = scope.get("state", {}).get("request_id")
    if span.is_recording() and isinstance(request_id, str):
        span.set_attribute("bawaba.request_id", request_id)


class Tracing:
    """Everything that records spans in one process, switched on together and off together."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Tracing | None:
        """This process's tracing as the OTEL_* variables ask (None: off), also made the
        global provider so that any other instrumented library joins the same traces."""
        provider = tracer_provider_from(environ)
        if provider is None:
            return None
        trace.set_tracer_provider(provider)
        return cls(provider)

    def schema_extensions(self) -> Sequence[Callable[[], OpenTelemetryExtension]]:
        def extension() -> OpenTelemetryExtension:
            return GraphQLOperationSpans(arg_filter=public_arguments, tracer_provider=self.provider)

        return [extension]

    def loader_tracer(self) -> trace.Tracer:
        return self.provider.get_tracer("bawaba.dataloader")

    def instrument(self, engines: Collection[AsyncEngine]) -> None:
        """Registry calls: SQLAlchemy (these engines), asyncpg and redis-py (process-wide)."""
        # The instrumentation declares "sqlalchemy < 2.1" but uses only the stable event
        # API, which 2.1 keeps; tests/telemetry/test_tracing.py checks that every statement
        # gets its span.
        SQLAlchemyInstrumentor().instrument(
            engines=[engine.sync_engine for engine in engines],
            tracer_provider=self.provider,
            meter_provider=NoOpMeterProvider(),
            skip_dep_check=True,
        )
        AsyncPGInstrumentor().instrument(tracer_provider=self.provider)
        RedisInstrumentor().instrument(tracer_provider=self.provider)

    def close(self) -> None:
        """Undo every instrumentation and send what is still buffered."""
        for instrumentor in (RedisInstrumentor(), AsyncPGInstrumentor(), SQLAlchemyInstrumentor()):
            if instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.uninstrument()
        self.provider.shutdown()
