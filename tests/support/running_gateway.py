"""A gateway app running in the test's event loop, with a client, a SQL statement counter
and a clock the test controls; and the settings such a gateway starts from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from cli.stores import prepare_stores
from gateway import create_app, gateway_of
from resolvers.calendars import gateway_today
from settings import Settings
from tests.support.servers import postgres_databases
from tests.support.tokens import issue_access_token

TEST_SECRET = "test-secret-" + "x" * 40

# Tests send many requests from one address and person; the budgets have tests of their own.
GENEROUS_LIMITS = {
    "rate_limit_per_caller": "100000/minute",
    "rate_limit_sign_in": "10000/minute",
    "rate_limit_issue_permit": "10000/hour",
    "cost_budget_per_caller": "100000000/minute",
}


async def make_settings(backend: str, directory: Path) -> Settings:
    """Settings for a fresh pair of registries on ``backend``."""
    if backend == "sqlite":
        return Settings(
            mode="demo",
            data_dir=directory,
            secret_key=TEST_SECRET,
            agency_review=False,
            **GENEROUS_LIMITS,
        )
    databases = await postgres_databases()
    return Settings(
        mode="demo",
        data_dir=directory,
        secret_key=TEST_SECRET,
        agency_review=False,
        **GENEROUS_LIMITS,
        civil_registry_url=await databases.create("civil"),
        passport_registry_url=await databases.create("passport"),
        gateway_store_url=await databases.create("gateway"),
    )


class AdjustableClock:
    """The real time, plus whatever a test has advanced it by; set to ``start`` (an aware
    instant) when one is given, and running on from there."""

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **amount: float) -> None:
        self.offset += timedelta(**amount)


# 23:30 UTC is 02:30 the next day in Riyadh: the gateway's day is already tomorrow while the
# machine's calendar (in UTC) still shows today. A test that counts days on the machine's
# calendar fails from 21:00 to 24:00 UTC; at this clock it fails at any hour.
LATE_EVENING_UTC = time(23, 30)
BACKENDS = ("sqlite", "postgres")
AT_LATE_EVENING_UTC = "-at-2330-utc"


def late_evening_clock() -> AdjustableClock:
    """A clock at 23:30 UTC of the current UTC day, running on from there."""
    return AdjustableClock(start=datetime.combine(datetime.now(UTC).date(), LATE_EVENING_UTC, UTC))


def backend_and_clock(variant: str) -> tuple[str, AdjustableClock]:
    """What a gateway fixture's parameter asks for: ``sqlite`` or ``postgres`` on the real
    time, or either followed by ``-at-2330-utc`` on the late evening clock."""
    backend = variant.removesuffix(AT_LATE_EVENING_UTC)
    return backend, late_evening_clock() if backend != variant else AdjustableClock()


def also_at_2330_utc(fixture: str) -> pytest.MarkDecorator:
    """Run a date-sensitive test with ``fixture`` (``gateway`` or ``fresh_gateway``) on each
    backend twice: at the real time, and with the gateway's clock at 23:30 UTC."""
    variants = [*BACKENDS, *(backend + AT_LATE_EVENING_UTC for backend in BACKENDS)]
    return pytest.mark.parametrize(fixture, variants, indirect=True)


def today_of(app: Starlette) -> date:
    """The gateway's day (Riyadh's, by the gateway's own clock): what "today" means to it."""
    return gateway_today(gateway_of(app).services.clock())


@dataclass
class RunningGateway:
    """A gateway app started on one backend, with a client and a SQL statement counter."""

    backend: str
    settings: Settings
    app: Starlette
    client: httpx.AsyncClient
    statements: list[str]
    clock: AdjustableClock

    def today(self) -> date:
        """The gateway's day by its clock; dates the tests send are counted from it."""
        return gateway_today(self.clock())

    def day(self, offset: int) -> str:
        """The ISO date ``offset`` days from the gateway's day."""
        return (self.today() + timedelta(days=offset)).isoformat()

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        locale: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.post(query, variables, token=token, locale=locale, headers=headers)
        assert response.headers["content-type"].startswith("application/"), response.text
        return response.json()  # type: ignore[no-any-return]

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        locale: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if locale:
            headers["Accept-Language"] = locale
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.client.post("/graphql", json=body, headers=headers)

    def request_statements(self) -> list[str]:
        """The SQL sent since ``statements`` was cleared, less what no request asked for: the
        event relay's polling of the change log, which runs in the background whatever the
        requests do, and asyncpg's lookup of column types (jit off, the types, jit back),
        which a pooled connection runs once, on its first use of them."""
        return [
            s
            for s in self.statements
            if "change_log" not in s and "typeinfo_tree" not in s and "set_config('jit'" not in s
        ]

    def token(self, national_id: str, scopes: tuple[str, ...] = ()) -> str:
        return issue_access_token(self.settings.secret_key, national_id, scopes=scopes)


async def start_gateway(
    settings: Settings,
    backend: str,
    *,
    clock: AdjustableClock | None = None,
    tracer_provider: Any = None,
) -> AsyncIterator[RunningGateway]:
    """Prepare the stores (the demo people seeded as of the clock's day), start the app,
    and yield it running; stopped when the caller's loop ends."""
    clock = clock or AdjustableClock()
    await prepare_stores(settings, clock=clock)
    app = create_app(settings, clock=clock, tracer_provider=tracer_provider)
    statements: list[str] = []
    registries = gateway_of(app).stores
    for engine in (registries.civil.engine, registries.passports.engine):
        event.listen(
            engine.sync_engine,
            "before_cursor_execute",
            lambda _conn, _cursor, statement, *_: statements.append(statement),
        )
        if engine.dialect.driver == "asyncpg":
            # Hot reads run on the asyncpg connection itself (datasources/sql_reads.py), out of
            # SQLAlchemy's sight: count what the driver sends (transaction control included).
            event.listen(
                engine.sync_engine,
                "connect",
                lambda connection, _record: connection.driver_connection.add_query_logger(
                    lambda logged: statements.append(logged.query)
                ),
            )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield RunningGateway(backend, settings, app, client, statements, clock)


@asynccontextmanager
async def serving_settings(
    settings: Settings,
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """A gateway prepared and started from ``settings``, with a client for it."""
    await prepare_stores(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client
