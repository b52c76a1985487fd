"""Bawaba's wiring, in the order things are built:

    settings → stores → bus → services → schema → pipeline → routes → middleware → lifespan

Nothing here decides anything; it connects the rooms (the README's contributor page draws
them). ``create_app`` builds one typed ``Gateway`` per process and hangs it on the app as
``app.state.gateway``; ``gateway_of(app)`` reads it back. The command line is ``cli/``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute

from datasources.country_directory import CountryDirectory
from datasources.event_bus import EventFanOut, LocalEventBus, RedisEventBus, wake_on_commit
from datasources.gateway_store.attempt_counters import RedisAttemptCounters, SqlAttemptCounters
from datasources.gateway_store.cost_budgets import open_cost_budgets
from datasources.gateway_store.rate_limit_store import open_rate_limiter
from datasources.gateway_store.subscription_leases import (
    LocalSubscriptionLeases,
    RedisSubscriptionLeases,
)
from datasources.passports.change_log import ChangeLogReader
from datasources.passports.permit_statistics import SqlPermitStatistics
from datasources.stores import OpenStores, open_stores
from demo.agency_review import AgencyReview, run_agency_review
from errors import RegistryError
from execution.compiled.operations import CompiledOperations
from execution.schema import GatewaySchema, build_schema
from i18n.catalog import MessageCatalog
from live.notifier import Notifier
from live.subscriber_groups import SubscriberGroups
from pipeline.admission import AdmissionPipeline
from pipeline.budget import BudgetStep
from pipeline.caller import CallerStep
from pipeline.cost import CostStep
from pipeline.documents import DocumentStep
from pipeline.execute import ExecutionStep
from pipeline.limits import LimitsStep
from resolvers.context import GatewayStore, Policy, Registries, Services
from security.authentication import Authenticator, RevokedSessions
from security.body_limit import BodySizeLimit
from security.headers import SecurityHeaders
from security.operation_limits import OperationLimits
from security.rate_limits import RateLimits
from security.subscription_slots import SubscriptionSlots
from security.trusted_documents import TrustedDocuments
from server.error_boundary import ErrorBoundary
from server.http_endpoint import GraphQLHttp
from server.socket_protocol import SocketLimits
from server.socket_sessions import OpenSockets
from server.websocket_endpoint import GraphQLWebSocket
from settings import Settings
from telemetry.metrics import mark_process_dead
from telemetry.metrics_endpoint import MetricsAccess, MetricsEndpoint
from telemetry.request_ids import RequestIds
from telemetry.tracing import HttpServerSpans, Tracing, untraced
from web.pages import Pages

ROOT = Path(__file__).resolve().parent
# The contract's manifest, registered as the first client by ``cli.stores.prepare_stores``.
TRUSTED_DOCUMENTS = ROOT / "trusted-documents.json"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Gateway:
    """Everything one gateway process runs, built once by ``create_app``."""

    settings: Settings
    messages: MessageCatalog
    stores: OpenStores
    tracing: Tracing | None
    event_bus: LocalEventBus | RedisEventBus
    services: Services
    schema: GatewaySchema
    authenticator: Authenticator
    pipeline: AdmissionPipeline
    subscriber_groups: SubscriberGroups
    sockets: OpenSockets
    pages: Pages
    notifier: Notifier
    agency_review: AgencyReview
    trusted_documents: TrustedDocuments


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The gateway app; traces go to ``tracer_provider`` (tests) or as OTEL_* variables say."""
    gateway = build_gateway(settings or Settings(), clock=clock, tracer_provider=tracer_provider)
    app = Starlette(
        routes=build_routes(gateway),
        middleware=build_middleware(gateway),
        lifespan=lifespan_of(gateway),
    )
    app.state.gateway = gateway
    return app


def gateway_of(app: Starlette) -> Gateway:
    """The ``Gateway`` that ``create_app`` built for ``app``."""
    gateway = app.state.gateway
    assert isinstance(gateway, Gateway)
    return gateway


def build_gateway(
    settings: Settings, *, clock: Clock, tracer_provider: TracerProvider | None
) -> Gateway:
    messages = MessageCatalog.load()
    stores = open_stores(settings)
    tracing = Tracing(tracer_provider) if tracer_provider else Tracing.from_environment(os.environ)
    fan_out = EventFanOut(capacity=settings.subscriber_buffer_size)
    change_log = ChangeLogReader(stores.passports.engine, stores.passports)
    bus = build_event_bus(settings, stores, change_log, fan_out)
    services = build_services(settings, stores, messages, fan_out, change_log, clock, tracing)
    schema = build_gateway_schema(settings, messages, tracing)
    pages = Pages(contract_dir=ROOT / "contract", demo=settings.demo)
    trusted = TrustedDocuments(
        stores.trusted_documents,
        refresh_seconds=settings.trusted_documents_refresh_seconds,
        miss_refresh_seconds=settings.trusted_documents_miss_refresh_seconds,
    )
    authenticator = Authenticator(
        secret_key=settings.secret_key,
        sessions=RevokedSessions(
            stores.credentials,
            clock=clock,
            remember=timedelta(seconds=settings.revocation_cache_seconds),
        ),
        partner_keys=stores.partner_keys,
    )
    return Gateway(
        settings=settings,
        messages=messages,
        stores=stores,
        tracing=tracing,
        event_bus=bus,
        services=services,
        schema=schema,
        authenticator=authenticator,
        pipeline=build_pipeline(settings, stores, services, schema, authenticator, trusted),
        subscriber_groups=SubscriberGroups(schema, services),
        sockets=OpenSockets(
            stores.credentials, interval=timedelta(seconds=settings.revocation_cache_seconds)
        ),
        pages=pages,
        notifier=Notifier(
            events=fan_out,
            store=stores.notifications,
            civil=stores.civil,
            sms=stores.sms,
            messages=messages,
        ),
        agency_review=AgencyReview(stores.passports.engine, clock=clock),
        trusted_documents=trusted,
    )


def build_event_bus(
    settings: Settings, stores: OpenStores, change_log: ChangeLogReader, fan_out: EventFanOut
) -> LocalEventBus | RedisEventBus:
    bus: LocalEventBus | RedisEventBus = (
        RedisEventBus(change_log, fan_out, stores.redis.client, stream=settings.event_stream)
        if stores.redis
        else LocalEventBus(change_log, fan_out)
    )
    wake_on_commit(stores.passports.engine, bus.wake)
    return bus


def build_services(
    settings: Settings,
    stores: OpenStores,
    messages: MessageCatalog,
    fan_out: EventFanOut,
    change_log: ChangeLogReader,
    clock: Clock,
    tracing: Tracing | None,
) -> Services:
    attempts = (
        RedisAttemptCounters(stores.redis.client)
        if stores.redis
        else SqlAttemptCounters(stores.credentials.engine)
    )
    return Services(
        registries=Registries(
            civil=stores.civil,
            passports=stores.passports,
            permit_office=stores.permit_office,
            passport_renewals=stores.passport_renewals,
            countries=CountryDirectory.load(),
            messages=messages,
        ),
        store=GatewayStore(
            credentials=stores.credentials,
            partner_keys=stores.partner_keys,
            attempts=attempts,
            audit=stores.audit,
            sms=stores.sms,
            notifications=stores.notifications,
        ),
        policy=Policy.from_settings(settings),
        secret_key=settings.secret_key,
        clock=clock,
        events=fan_out,
        change_log=change_log,
        statistics=SqlPermitStatistics(stores.passports.engine),
        rate_limits=RateLimits.build(
            open_rate_limiter(settings.redis_url),
            per_caller=settings.rate_limit_per_caller,
            sign_in=settings.rate_limit_sign_in,
            issue_permit=settings.rate_limit_issue_permit,
            cost_budget=settings.cost_budget_per_caller,
            cost_budgets=open_cost_budgets(stores.redis.client if stores.redis else None),
        ),
        subscription_slots=SubscriptionSlots(
            RedisSubscriptionLeases(stores.redis.client)
            if stores.redis
            else LocalSubscriptionLeases(),
            limit=settings.max_subscriptions_per_person,
        ),
        loader_tracer=tracing.loader_tracer() if tracing else None,
    )


def build_gateway_schema(
    settings: Settings, messages: MessageCatalog, tracing: Tracing | None
) -> GatewaySchema:
    return build_schema(
        messages,
        parse_cache_size=settings.parse_cache_size,
        validation_cache_size=settings.validation_cache_size,
        production=not settings.demo,
        tracing_extensions=tracing.schema_extensions() if tracing else (),
    )


def build_pipeline(
    settings: Settings,
    stores: OpenStores,
    services: Services,
    schema: GatewaySchema,
    authenticator: Authenticator,
    trusted: TrustedDocuments,
) -> AdmissionPipeline:
    graphql_schema = schema.graphql_schema
    return AdmissionPipeline(
        documents=DocumentStep(
            trusted=trusted,
            max_tokens=settings.max_tokens,
            cache_size=settings.parse_cache_size,
            apq_size=settings.parse_cache_size,
        ),
        limits=LimitsStep(graphql_schema, OperationLimits.from_settings(settings)),
        cost=CostStep(graphql_schema, ceiling=settings.cost_ceiling),
        caller=CallerStep(
            authenticator, production=not settings.demo, trusted=settings.trusted_documents
        ),
        budget=BudgetStep(services.rate_limits, services.subscription_slots),
        execution=ExecutionStep(
            schema, services, CompiledOperations(schema) if settings.compiled_execution else None
        ),
        messages=services.registries.messages,
        hide_suggestions=not settings.demo,
        share_subscriptions=settings.shared_subscriptions,
        max_variables_bytes=settings.max_variables_bytes,
    )


def build_routes(gateway: Gateway) -> list[BaseRoute]:
    settings = gateway.settings
    metrics_access = MetricsAccess(settings.metrics_allowed_networks, settings.metrics_token)
    websocket = GraphQLWebSocket(
        pipeline=gateway.pipeline,
        authenticator=gateway.authenticator,
        clock=gateway.services.clock,
        sockets=gateway.sockets,
        groups=gateway.subscriber_groups if settings.shared_subscriptions else None,
        limits=SocketLimits(
            connection_init_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
            max_operations=settings.max_subscriptions_per_connection,
            max_frame_bytes=settings.max_body_bytes,
            outbox_capacity=settings.subscriber_buffer_size,
        ),
        messages=gateway.messages,
        allowed_origins=settings.cors_origins,
    )
    return [
        # Every method reaches the endpoint, which answers the ones it refuses with a coded
        # 405 and ``Allow`` (Starlette's own 405 is plain text).
        Route(
            "/graphql",
            GraphQLHttp(gateway.pipeline, graphiql=gateway.pages.graphiql).handle,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        ),
        WebSocketRoute("/graphql", websocket),
        *health_routes(gateway.stores),
        Route("/metrics", MetricsEndpoint(metrics_access, gateway.messages).serve),
        *gateway.pages.routes(),
    ]


def health_routes(stores: OpenStores) -> list[Route]:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(_: Request) -> JSONResponse:
        report = {}
        for name, probe in stores.probes().items():
            try:
                await asyncio.wait_for(probe(), timeout=2)
                report[name] = "ready"
            except (RegistryError, TimeoutError):
                report[name] = "unavailable"
        ready = all(state == "ready" for state in report.values())
        return JSONResponse(
            {"ready": ready, "registries": report}, status_code=200 if ready else 503
        )

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


def build_middleware(gateway: Gateway) -> list[Middleware]:
    settings, tracing = gateway.settings, gateway.tracing
    return [
        Middleware(RequestIds),
        Middleware(SecurityHeaders),
        *([Middleware(HttpServerSpans, tracer_provider=tracing.provider)] if tracing else []),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "X-Request-ID",
                "Accept-Language",
                # OpenTelemetry's browser instrumentation, and Apollo Client's awareness and
                # CSRF-prevention headers.
                "traceparent",
                "tracestate",
                "apollographql-client-name",
                "apollographql-client-version",
                "apollo-require-preflight",
                "x-apollo-operation-name",
            ],
            expose_headers=["X-Request-ID", "Retry-After", "Content-Language"],
        ),
        # Inside CORS, so that a browser app can read the 500 it answers too.
        Middleware(ErrorBoundary, messages=gateway.messages),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, messages=gateway.messages),
    ]


def lifespan_of(gateway: Gateway) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start the background work of ``gateway`` with the app, and stop it after."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stores, settings, tracing = gateway.stores, gateway.settings, gateway.tracing
        if tracing:
            tracing.instrument(
                [stores.civil.engine, stores.passports.engine, stores.credentials.engine]
            )
        with untraced():  # background workers: they poll, and belong to no request
            await gateway.trusted_documents.load()
            await gateway.event_bus.start()
            gateway.notifier.start()
            gateway.sockets.start()
            review = None
            if settings.runs_agency_review:
                delay = timedelta(seconds=settings.agency_review_delay_seconds)
                review = asyncio.create_task(run_agency_review(gateway.agency_review, delay=delay))
        settle_start_up_heap()
        yield
        if review is not None:
            review.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await review
        await gateway.sockets.close()
        await gateway.notifier.close()
        await gateway.event_bus.close()
        await stores.close()
        mark_process_dead()
        if tracing:
            tracing.close()

    return lifespan


# Young objects a request makes before the collector runs (Python's default is 700: a
# MyFamily page makes thousands, so the default ran a collection several times a request).
YOUNG_GENERATION_THRESHOLD = 50_000


def settle_start_up_heap() -> None:
    """Keep the cyclic garbage collector off what start-up built (schema, catalogs, stores).

    Those objects live as long as the process; frozen, no collection walks them again, and
    a higher young-generation threshold lets a request's short-lived objects be freed by
    reference counting before a collection would have to look at them. Measured with
    bench/: about 0.7 ms of CPU per MyFamily request.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
