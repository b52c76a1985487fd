"""Bawaba's wiring: settings → stores → services → schema → routes → app, and the command line.

Nothing here decides anything; it connects the layers. ``gateway serve`` prepares the
stores (migrations, demo data) once, then starts uvicorn with as many workers as asked.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import uvicorn
from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from datasources.country_directory import CountryDirectory
from datasources.event_bus import EventFanOut, LocalEventBus, RedisEventBus, wake_on_commit
from datasources.gateway_store.attempt_counters import RedisAttemptCounters, SqlAttemptCounters
from datasources.gateway_store.cost_budgets import open_cost_budgets
from datasources.gateway_store.partner_keys import SqlPartnerKeyStore
from datasources.gateway_store.rate_limit_store import open_rate_limiter
from datasources.passports.change_log import ChangeLogReader
from datasources.passports.permit_statistics import SqlPermitStatistics
from datasources.stores import OpenStores, open_stores, prepare_stores
from demo.agency_review import AgencyReview, run_agency_review
from demo.demo_population import demo_person
from errors import RegistryError
from execution.compiled.operations import compile_trusted
from execution.schema import GatewaySchema, build_schema
from i18n.catalog import MessageCatalog
from live.direct_frames import DirectFramesWebSocketProtocol
from resolvers.context import GatewayStore, Policy, Registries, Services
from resolvers.national_ids import is_valid_national_id
from resolvers.notifications import Notifier
from security.access_tokens import issue_access_token
from security.authentication import Authenticator, RevokedSessions
from security.body_limit import BodySizeLimit
from security.operation_limits import OperationLimits
from security.rate_limits import RateLimits
from security.trusted_documents import TrustedDocuments, build_manifest
from server.graphql_view import GatewayGraphQL
from server.http_hygiene import RequestHygiene
from settings import Settings
from telemetry.metrics import mark_process_dead, metrics_shared_by
from telemetry.metrics_endpoint import MetricsAccess, MetricsEndpoint
from telemetry.request_log import JSON_LOG_CONFIG, use_json_logs
from telemetry.tracing import HttpServerSpans, Tracing, untraced
from web.pages import Pages

logger = logging.getLogger("bawaba")
TIMEZONE = ZoneInfo("Asia/Riyadh")
ROOT = Path(__file__).resolve().parent
TRUSTED_DOCUMENTS = ROOT / "trusted-documents.json"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_now,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The gateway app; traces go to ``tracer_provider`` (tests) or as OTEL_* variables say."""
    settings = settings or Settings()
    messages = MessageCatalog.load()
    stores = open_stores(settings)
    tracing = Tracing(tracer_provider) if tracer_provider else Tracing.from_environment(os.environ)
    fan_out = EventFanOut(capacity=settings.subscriber_buffer_size)
    change_log = ChangeLogReader(stores.passports.engine, stores.passports)
    bus: LocalEventBus | RedisEventBus = (
        RedisEventBus(change_log, fan_out, stores.redis.client, stream=settings.event_stream)
        if stores.redis
        else LocalEventBus(change_log, fan_out)
    )
    wake_on_commit(stores.passports.engine, bus.wake)
    services = build_services(settings, stores, messages, fan_out, change_log, clock, tracing)
    schema = build_gateway_schema(settings, messages, tracing)
    pages = Pages(contract_dir=ROOT / "contract", demo=settings.demo)
    graphql = build_view(settings, stores, services, schema, pages, clock)
    review = AgencyReview(stores.passports.engine, clock=clock)
    notifier = Notifier(
        events=fan_out,
        store=stores.notifications,
        civil=stores.civil,
        sms=stores.sms,
        messages=messages,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if tracing:
            tracing.instrument(
                [stores.civil.engine, stores.passports.engine, stores.credentials.engine]
            )
        with untraced():  # background workers: they poll, and belong to no request
            await bus.start()
            notifier.start()
            worker = None
            if settings.runs_agency_review:
                delay = timedelta(seconds=settings.agency_review_delay_seconds)
                worker = asyncio.create_task(run_agency_review(review, delay=delay))
        settle_start_up_heap()
        yield
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        await notifier.close()
        await bus.close()
        await stores.close()
        mark_process_dead()
        if tracing:
            tracing.close()

    metrics_access = MetricsAccess(settings.metrics_allowed_networks, settings.metrics_token)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *health_routes(stores),
            Route("/metrics", MetricsEndpoint(metrics_access, messages).serve),
            *pages.routes(),
        ],
        lifespan=lifespan,
        middleware=build_middleware(settings, messages, tracing),
    )
    app.state.registries = stores
    app.state.services = services
    app.state.agency_review = review
    app.state.event_bus = bus
    app.state.schema = schema
    app.state.tracing = tracing
    app.state.graphql = graphql
    app.state.subscriber_groups = graphql.subscriber_groups
    return app


# Young objects a request makes before the collector runs (Python's default is 700: a
# MyFamily page makes thousands, so the default ran a collection several times a request).
YOUNG_GENERATION_THRESHOLD = 50_000


def settle_start_up_heap() -> None:
    """Keep the cyclic garbage collector off what start-up built (schema, plans, catalogs).

    Those objects live as long as the process; frozen, no collection walks them again, and
    a higher young-generation threshold lets a request's short-lived objects be freed by
    reference counting before a collection would have to look at them. Measured with
    bench/: about 0.7 ms of CPU per MyFamily request.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


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
        policy=Policy(
            permit_page_size_limit=settings.permit_page_size_limit,
            permit_max_days=settings.permit_max_days,
            access_token_lifetime=timedelta(minutes=settings.access_token_minutes),
        ),
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
        cost_ceiling=settings.cost_ceiling,
        limits=OperationLimits(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_directives=settings.max_directives,
            max_root_fields=settings.max_root_fields,
        ),
        tracing_extensions=tracing.schema_extensions() if tracing else (),
    )


def build_view(
    settings: Settings,
    stores: OpenStores,
    services: Services,
    schema: GatewaySchema,
    pages: Pages,
    clock: Clock,
) -> GatewayGraphQL:
    trusted = TrustedDocuments.load(TRUSTED_DOCUMENTS, settings.trusted_documents)
    return GatewayGraphQL(
        schema,
        services=services,
        authenticator=Authenticator(
            secret_key=settings.secret_key,
            sessions=RevokedSessions(stores.credentials, clock=clock),
            partner_keys=stores.partner_keys,
        ),
        timezone=TIMEZONE,
        graphiql=True,
        allowed_origins=settings.cors_origins,
        trusted=trusted,
        production=not settings.demo,
        compiled=compile_trusted(schema, trusted) if settings.compiled_execution else None,
        connection_init_timeout=timedelta(seconds=settings.connection_init_timeout_seconds),
        graphiql_page=pages.graphiql,
        shared_subscriptions=settings.shared_subscriptions,
    )


def health_routes(stores: OpenStores) -> list[Route]:
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(_: Request) -> JSONResponse:
        report = {}
        for name, probe in stores.probes().items():
            try:
                await asyncio.wait_for(probe(), timeout=2)  # type: ignore[arg-type]
                report[name] = "ready"
            except (RegistryError, TimeoutError):
                report[name] = "unavailable"
        ready = all(state == "ready" for state in report.values())
        return JSONResponse(
            {"ready": ready, "registries": report}, status_code=200 if ready else 503
        )

    return [Route("/healthz", healthz), Route("/readyz", readyz)]


def build_middleware(
    settings: Settings, messages: MessageCatalog, tracing: Tracing | None
) -> list[Middleware]:
    return [
        Middleware(RequestHygiene),
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
            ],
            expose_headers=["X-Request-ID"],
        ),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, messages=messages),
    ]


# The command line ------------------------------------------------------------------------


def command_serve(arguments: argparse.Namespace) -> int:
    settings = Settings()
    # Several workers write their metrics to shared files, so /metrics shows their totals.
    with metrics_shared_by(arguments.workers):
        if settings.auto_migrate:
            asyncio.run(prepare_stores(settings))
        uvicorn.run(
            "gateway:create_app",
            factory=True,
            host=arguments.host,
            port=arguments.port,
            workers=arguments.workers,
            log_level="info",
            access_log=False,
            log_config=JSON_LOG_CONFIG,  # applied again in each worker process
            # The graphql-transport-ws handler pings and drops silent peers itself (4504); a
            # second, protocol-level ping per connection would double that traffic.
            ws_ping_interval=None,
            # Fan-out writes each subscriber's frame straight to its transport (see
            # live/direct_frames.py); per-message deflate would rule that out and cost a
            # compressor per connection, for messages of a few hundred bytes.
            ws=DirectFramesWebSocketProtocol,
            ws_per_message_deflate=False,
        )
    return 0


def command_migrate(_: argparse.Namespace) -> int:
    asyncio.run(prepare_stores(Settings()))
    print("every store is at its latest schema")
    return 0


def command_seed(arguments: argparse.Namespace) -> int:
    from demo.synthetic_population import seed_synthetic_population

    settings = Settings()

    async def seed() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await seed_synthetic_population(
                stores.civil, stores.passports, population=arguments.population
            )
        finally:
            await stores.close()

    print(f"seeded {asyncio.run(seed())} people")
    return 0


def command_token(arguments: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.demo:
        print("gateway token works in demo mode only (BAWABA_MODE=demo)", file=sys.stderr)
        return 2
    if not is_valid_national_id(arguments.national_id):
        print(f"{arguments.national_id} is not a valid national ID", file=sys.stderr)
        return 2
    person = demo_person(arguments.national_id)
    scopes = person.scopes if person else ()
    lifetime = timedelta(minutes=arguments.minutes)
    print(
        issue_access_token(
            settings.secret_key, arguments.national_id, scopes=scopes, lifetime=lifetime
        )
    )
    return 0


def command_trusted_documents(_: argparse.Namespace) -> int:
    """Print the manifest of the contract's documents (commit it as trusted-documents.json)."""
    print(orjson.dumps(build_manifest(ROOT / "contract"), option=orjson.OPT_INDENT_2).decode())
    return 0


def command_export_schema(_: argparse.Namespace) -> int:
    print(build_schema(MessageCatalog.load()).as_str())
    return 0


def command_outbox(arguments: argparse.Namespace) -> int:
    """The SMS messages the embedded default 'sent', newest first."""
    settings = Settings()

    async def read() -> list[str]:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            messages = await stores.sms.messages(arguments.national_id, limit=arguments.limit)
        finally:
            await stores.close()
        return [
            f"{m.created_at:%Y-%m-%d %H:%M:%S} {m.national_id} {m.destination}  {m.body}"
            for m in messages
        ]

    for line in asyncio.run(read()):
        print(line)
    return 0


def command_partner(arguments: argparse.Namespace) -> int:
    settings = Settings()

    async def run() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await _partner_action(stores.partner_keys, arguments)
        finally:
            await stores.close()

    return asyncio.run(run())


async def _partner_action(keys: SqlPartnerKeyStore, arguments: argparse.Namespace) -> int:
    if arguments.action == "create":
        key, secret = await keys.create(arguments.name, arguments.scope, at=utc_now())
        print(f"created partner key {key.id} for {key.name} with {' '.join(sorted(key.scopes))}")
        print(f"X-API-Key: {secret}")
        print("the key is shown once; store it now", file=sys.stderr)
        return 0
    if arguments.action == "list":
        for key in await keys.all():
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.id}  {key.name}  {' '.join(sorted(key.scopes))}  {state}")
        return 0
    if await keys.revoke(arguments.key_id, at=utc_now()):
        print(f"revoked {arguments.key_id}")
        return 0
    print(f"no active partner key {arguments.key_id}", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL) over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=command_serve)
    commands.add_parser("migrate", help="bring every store to its latest schema").set_defaults(
        run=command_migrate
    )
    seed = commands.add_parser("seed", help="add a large synthetic population")
    seed.add_argument("--population", type=int, default=1000)
    seed.set_defaults(run=command_seed)
    token = commands.add_parser("token", help="print an access token for a demo person")
    token.add_argument("national_id")
    token.add_argument("--minutes", type=int, default=60)
    token.set_defaults(run=command_token)
    commands.add_parser("export-schema", help="print the schema as SDL").set_defaults(
        run=command_export_schema
    )
    commands.add_parser(
        "trusted-documents", help="print the manifest of the contract's documents"
    ).set_defaults(run=command_trusted_documents)
    outbox = commands.add_parser("outbox", help="show the SMS outbox (embedded default)")
    outbox.add_argument("national_id", nargs="?")
    outbox.add_argument("--limit", type=int, default=20)
    outbox.set_defaults(run=command_outbox)
    partner = commands.add_parser("partner", help="manage partner API keys")
    actions = partner.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, help="e.g. permits:verify")
    actions.add_parser("list", help="list keys (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a key by its ID")
    revoke.add_argument("key_id")
    partner.set_defaults(run=command_partner)
    return parser


def main(argv: list[str] | None = None) -> int:
    use_json_logs()
    arguments = build_parser().parse_args(argv)
    return int(arguments.run(arguments))


if __name__ == "__main__":
    sys.exit(main())
