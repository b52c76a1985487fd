"""Bawaba's wiring: settings → registries → schema → routes → app, and the command line.

Nothing here decides anything; it connects the layers. ``gateway serve`` prepares the
stores (migrations, demo data) once, then starts uvicorn with as many workers as asked.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from datasources.civil_registry import SqlCivilRegistry
from datasources.country_directory import CountryDirectory
from datasources.demo_population import demo_person, seed_demo_population
from datasources.migrations import upgrade_to_latest
from datasources.passport_registry import SqlPassportRegistry
from datasources.redis_store import RedisStore
from datasources.sql_engine import create_registry_engine
from errors import RegistryError
from i18n.catalog import MessageCatalog
from resolvers.access_tokens import issue_access_token
from resolvers.context import Policy, Registries
from resolvers.graphql_view import GatewayGraphQL
from resolvers.national_ids import is_valid_national_id
from schema import build_schema
from settings import Settings

logger = logging.getLogger("bawaba")
TIMEZONE = ZoneInfo("Asia/Riyadh")


@dataclass
class OpenRegistries:
    civil: SqlCivilRegistry
    passports: SqlPassportRegistry
    redis: RedisStore | None = None

    def all(self) -> list[SqlCivilRegistry | SqlPassportRegistry | RedisStore]:
        stores: list[SqlCivilRegistry | SqlPassportRegistry | RedisStore] = [
            self.civil,
            self.passports,
        ]
        if self.redis:
            stores.append(self.redis)
        return stores

    async def close(self) -> None:
        for store in self.all():
            await store.close()


def open_registries(settings: Settings) -> OpenRegistries:
    if settings.civil_registry_url is None or settings.passport_registry_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    pool = settings.registry_pool_size
    return OpenRegistries(
        civil=SqlCivilRegistry(
            create_registry_engine(settings.registry_url("civil"), pool_size=pool)
        ),
        passports=SqlPassportRegistry(
            create_registry_engine(settings.registry_url("passport"), pool_size=pool)
        ),
        redis=RedisStore(settings.redis_url) if settings.redis_url else None,
    )


async def prepare_stores(settings: Settings) -> None:
    """Migrate every registry to its latest schema and, in demo mode, seed the demo people."""
    registries = open_registries(settings)
    try:
        await upgrade_to_latest(registries.civil.engine, "civil")
        await upgrade_to_latest(registries.passports.engine, "passport")
        if settings.demo and await seed_demo_population(registries.civil, registries.passports):
            logger.info("seeded the demo population")
    finally:
        await registries.close()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    messages = MessageCatalog.load()
    countries = CountryDirectory.load()
    schema = build_schema(
        messages,
        parse_cache_size=settings.parse_cache_size,
        validation_cache_size=settings.validation_cache_size,
    )
    opened = open_registries(settings)
    registries = Registries(
        civil=opened.civil, passports=opened.passports, countries=countries, messages=messages
    )
    graphql = GatewayGraphQL(
        schema,
        registries=registries,
        policy=Policy(permit_page_size_limit=settings.permit_page_size_limit),
        secret_key=settings.secret_key,
        timezone=TIMEZONE,
        graphiql=True,
    )

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(_: Request) -> JSONResponse:
        report = {}
        for registry in opened.all():
            try:
                await asyncio.wait_for(registry.ping(), timeout=2)
                report[registry.name] = "ready"
            except (RegistryError, TimeoutError):
                report[registry.name] = "unavailable"
        ready = all(state == "ready" for state in report.values())
        return JSONResponse(
            {"ready": ready, "registries": report}, status_code=200 if ready else 503
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await opened.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.state.registries = opened
    return app


# The command line ------------------------------------------------------------------------


def command_serve(arguments: argparse.Namespace) -> int:
    settings = Settings()
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
    )
    return 0


def command_migrate(_: argparse.Namespace) -> int:
    asyncio.run(prepare_stores(Settings()))
    print("registries are at their latest schema")
    return 0


def command_seed(arguments: argparse.Namespace) -> int:
    from datasources.synthetic_population import seed_synthetic_population

    settings = Settings()

    async def seed() -> None:
        await prepare_stores(settings)
        registries = open_registries(settings)
        try:
            count = await seed_synthetic_population(
                registries.civil, registries.passports, population=arguments.population
            )
            print(f"seeded {count} people")
        finally:
            await registries.close()

    asyncio.run(seed())
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
    print(
        issue_access_token(
            settings.secret_key,
            arguments.national_id,
            scopes=scopes,
            lifetime=timedelta(minutes=arguments.minutes),
        )
    )
    return 0


def command_export_schema(_: argparse.Namespace) -> int:
    print(build_schema(MessageCatalog.load()).as_str())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL) over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=command_serve)
    migrate = commands.add_parser("migrate", help="bring the registries to their latest schema")
    migrate.set_defaults(run=command_migrate)
    seed = commands.add_parser("seed", help="add a large synthetic population")
    seed.add_argument("--population", type=int, default=1000)
    seed.set_defaults(run=command_seed)
    token = commands.add_parser("token", help="print an access token for a demo person")
    token.add_argument("national_id")
    token.add_argument("--minutes", type=int, default=60)
    token.set_defaults(run=command_token)
    export = commands.add_parser("export-schema", help="print the schema as SDL")
    export.set_defaults(run=command_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    arguments = build_parser().parse_args(argv)
    return int(arguments.run(arguments))


if __name__ == "__main__":
    sys.exit(main())
