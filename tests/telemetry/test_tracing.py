"""Traces: one per operation, registry calls and DataLoader batches inside it, nothing personal.

Spans go to the SDK's in-memory exporter through a provider handed to ``create_app``; the
global provider is never set, and every instrumentation is undone when the gateway stops.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterable

import asyncpg
import pytest
import redis.asyncio
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from strawberry.extensions.tracing import OpenTelemetryExtension

from demo.demo_population import GUARDIAN, SARA
from gateway import gateway_of
from telemetry.tracing import (
    HttpServerSpans,
    TracingConfigurationError,
    tracer_provider_from,
    tracing_requested,
    untraced,
)
from tests.support.contract_documents import contract_document
from tests.support.live_server import TransportWS, serving
from tests.support.permit_helpers import issue
from tests.support.running_gateway import RunningGateway, make_settings, start_gateway
from tests.support.sign_in_flow import complete_login, latest_code, start_login

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
WATCH = contract_document("frontend/WatchMyPermits.graphql")
GUARDIAN_PHONE = "+966501234567"  # the demo guardian's registered mobile number


@pytest.fixture(params=[("sqlite", False), ("postgres", True)], ids=["sqlite", "postgres-redis"])
async def traced(
    request, tmp_path, redis_url
) -> AsyncIterator[tuple[RunningGateway, InMemorySpanExporter]]:
    backend, with_redis = request.param
    settings = (await make_settings(backend, tmp_path)).model_copy(
        update={
            "secret_key": secrets.token_urlsafe(40),  # fresh sign-in counter keys in Redis
            "redis_url": redis_url if with_redis else None,
            "event_stream": f"bawaba-test-tracing:{uuid.uuid4().hex}",
        }
    )
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async for gateway in start_gateway(settings, backend, tracer_provider=provider):
        yield gateway, exporter
    assert_nothing_instrumented()


def assert_nothing_instrumented() -> None:
    assert not hasattr(asyncpg.connection.Connection.execute, "__wrapped__")
    assert not hasattr(redis.asyncio.Redis.execute_command, "__wrapped__")
    assert not SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry


def operation_span(spans: Iterable[ReadableSpan], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == f"GraphQL Query: {name}"]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def descendants(spans: list[ReadableSpan], ancestor: ReadableSpan) -> list[ReadableSpan]:
    children: dict[int, list[ReadableSpan]] = {}
    for span in spans:
        if span.parent is not None:
            children.setdefault(span.parent.span_id, []).append(span)
    found, frontier = [], [ancestor]
    while frontier:
        below = children.get(frontier.pop().context.span_id, [])
        found += below
        frontier += below
    return found


def is_sql(span: ReadableSpan) -> bool:
    """A span of one SQL statement (SQLAlchemy's, or asyncpg's below it)."""
    attributes = span.attributes or {}
    return attributes.get("db.system") in ("sqlite", "postgresql") and "db.statement" in attributes


def everything_recorded(spans: Iterable[ReadableSpan]) -> str:
    """Every span's name, attributes, events and resource, as one text to search."""
    lines = []
    for span in spans:
        events = [(event.name, dict(event.attributes or {})) for event in span.events]
        lines.append(f"{span.name} {dict(span.attributes or {})} {events}")
        lines.append(str(dict(span.resource.attributes)))
    return "\n".join(lines)


async def test_each_operation_is_one_trace_with_its_registry_calls_and_batches(traced) -> None:
    gateway, exporter = traced
    exporter.clear()
    started = await start_login(gateway, GUARDIAN.national_id, GUARDIAN.password)
    with untraced():  # the test reading the SMS outbox is no request
        code = await latest_code(gateway, GUARDIAN.national_id)
    completed = await complete_login(gateway, started["challenge"]["id"], code)
    session = completed["session"]
    family = await gateway.graphql(MY_FAMILY, token=session["accessToken"])
    assert "errors" not in family, family
    permit = await issue(gateway, GUARDIAN.national_id, SARA.national_id)
    spans = list(exporter.get_finished_spans())

    operations = [
        operation_span(spans, name)
        for name in ("StartLogin", "CompleteLogin", "MyFamily", "IssueTravelPermit")
    ]
    assert len({span.context.trace_id for span in operations}) == 4
    # Every span belongs to a request's trace: the background pollers record nothing.
    assert {span.name for span in spans if span.parent is None} == {"POST /graphql"}
    for operation in operations:
        trace = [span for span in spans if span.context.trace_id == operation.context.trace_id]
        roots = [span for span in trace if span.parent is None]
        assert [root.name for root in roots] == ["POST /graphql"]
        assert operation.parent is not None
        assert operation.parent.span_id == roots[0].context.span_id
        assert (roots[0].kind, operation.kind) == (SpanKind.SERVER, SpanKind.INTERNAL)
        assert roots[0].attributes["http.status_code"] == 200
        assert roots[0].attributes["bawaba.request_id"] == operation.attributes["bawaba.request_id"]
        assert any(is_sql(span) for span in descendants(spans, operation)), operation.name

    family_spans = descendants(spans, operations[2])
    batches = [span for span in family_spans if span.name.startswith("dataloader.batch ")]
    assert {span.name.removeprefix("dataloader.batch ") for span in batches} >= {
        "PersonByNationalIdLoader",
        "DependentsByGuardianLoader",
        "PermitPageByTravellerLoader",
    }
    dependents = next(s for s in batches if s.name.endswith("PermitPageByTravellerLoader"))
    assert dependents.attributes["dataloader.batch_size"] == 5  # the guardian's five children
    for batch in batches:
        assert [span for span in descendants(spans, batch) if is_sql(span)], batch.name
    # One statement per relation (me, passport, dependents, permits), each in a batch or field.
    assert len([span for span in family_spans if is_sql(span)]) >= 4

    if gateway.settings.redis_url:  # sign-in counters live in Redis: their calls are traced
        sign_in_spans = descendants(spans, operations[0])
        redis_calls = [s for s in sign_in_spans if s.attributes.get("db.system") == "redis"]
        assert redis_calls
        assert all(s.attributes["db.statement"].endswith(" ?") for s in redis_calls)
    recorded = everything_recorded(spans)
    for secret in (
        GUARDIAN.national_id,
        SARA.national_id,
        GUARDIAN.password,
        code,
        started["challenge"]["id"],
        session["accessToken"],
        session["refreshToken"],
        GUARDIAN_PHONE,
        GUARDIAN_PHONE[-9:],
        permit["permit"]["id"],
    ):
        assert secret not in recorded


async def test_literal_arguments_and_get_query_strings_are_not_recorded(traced) -> None:
    gateway, exporter = traced
    token = gateway.token(GUARDIAN.national_id)
    exporter.clear()
    inline = f'query Inline {{ dependent(nationalId: "{SARA.national_id}") {{ age }} }}'
    assert "errors" not in await gateway.graphql(inline, token=token)
    response = await gateway.client.get(
        "/graphql",
        params={"query": inline},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    spans = list(exporter.get_finished_spans())
    assert len([span for span in spans if span.name == "GraphQL Query: Inline"]) == 2
    resolving = [span for span in spans if span.name == "GraphQL Resolving: dependent"]
    assert resolving and all(
        not any(key.startswith("graphql.param.") for key in span.attributes) for span in resolving
    )
    recorded = everything_recorded(spans)
    assert SARA.national_id not in recorded and token not in recorded


async def test_a_subscription_is_a_trace_of_its_own_and_still_delivers(traced) -> None:
    gateway, exporter = traced
    token = gateway.token(GUARDIAN.national_id)
    async with (
        serving(gateway.app) as url,
        TransportWS.connect(url, {"Authorization": f"Bearer {token}"}) as client,
    ):
        await client.subscribe(WATCH)
        await asyncio.sleep(0.2)  # the subscription is registered before the event
        created = await issue(gateway, GUARDIAN.national_id, SARA.national_id)
        [pending] = await client.next_events(1)
    assert pending["travelPermitStatusChanged"]["permit"]["id"] == created["permit"]["id"]
    spans = list(exporter.get_finished_spans())  # the server has stopped: the operation ended
    watch = operation_span(spans, "WatchMyPermits")
    assert watch.parent is None and watch.kind is SpanKind.SERVER
    assert SARA.national_id not in everything_recorded(spans)


@pytest.mark.parametrize(
    ("environ", "on"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "bawaba"}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_the_standard_variables_switch_traces_on(environ, on) -> None:
    assert tracing_requested(environ) is on


@pytest.mark.parametrize(
    "environ",
    [
        {"OTEL_TRACES_EXPORTER": "zipkin"},
        {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        {
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc",
        },
    ],
)
def test_exporters_this_gateway_cannot_send_to_are_refused_at_start(environ) -> None:
    with pytest.raises(TracingConfigurationError):
        tracer_provider_from(environ)


def test_the_service_is_named_bawaba_unless_the_variables_say_otherwise(monkeypatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    default = tracer_provider_from({"OTEL_TRACES_EXPORTER": "console"})
    monkeypatch.setenv("OTEL_SERVICE_NAME", "bawaba-eu")
    named = tracer_provider_from({"OTEL_TRACES_EXPORTER": "console"})
    assert default is not None and named is not None
    assert default.resource.attributes["service.name"] == "bawaba"
    assert named.resource.attributes["service.name"] == "bawaba-eu"
    default.shutdown()
    named.shutdown()


async def test_without_otel_variables_nothing_is_instrumented(tmp_path, monkeypatch) -> None:
    for name in [name for name in os.environ if name.startswith("OTEL_")]:
        monkeypatch.delenv(name)
    settings = await make_settings("sqlite", tmp_path)
    async for gateway in start_gateway(settings, "sqlite"):
        assert (await gateway.graphql("{ __typename }"))["data"] == {"__typename": "Query"}
        app = gateway.app
        assert gateway_of(app).tracing is None
        assert gateway_of(app).services.loader_tracer is None
        assert not any(m.cls is HttpServerSpans for m in app.user_middleware)
        extensions = [extension() for extension in gateway_of(app).schema.extensions]
        assert not any(isinstance(e, OpenTelemetryExtension) for e in extensions)
        assert_nothing_instrumented()
