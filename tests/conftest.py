"""Fixtures: a gateway on each backend (SQLite files, real PostgreSQL), clients, SQL counters.

PostgreSQL is found at ``BAWABA_TEST_POSTGRES_URL`` (default: the local server's ``test``
database). Each test session creates its own databases there and drops them afterwards.
Without a server the PostgreSQL tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from cli.stores import prepare_stores
from gateway import create_app, gateway_of
from settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "BAWABA_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test"
)
ON_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-" + "x" * 40


async def _postgres_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError) as error:
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
    await connection.close()
    return None


@dataclass
class PostgresDatabases:
    """Throw-away databases on the test server, dropped when the session ends."""

    created: list[str] = field(default_factory=list)

    async def create(self, purpose: str) -> str:
        name = f"bawaba_test_{purpose}_{uuid.uuid4().hex[:10]}"
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self.created.append(name)
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        return f"{base}/{name}"

    async def drop_all(self) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for name in self.created:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


_databases = PostgresDatabases()


@pytest.fixture(scope="session", autouse=True)
async def _drop_test_databases() -> AsyncIterator[None]:
    yield
    if _databases.created:
        await _databases.drop_all()


async def postgres_databases() -> PostgresDatabases:
    """The session's PostgreSQL databases; skips (fails on CI) when there is no server."""
    problem = await _postgres_reachable()
    if problem:
        if ON_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    return _databases


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
    """The real time, plus whatever a test has advanced it by."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **amount: float) -> None:
        self.offset += timedelta(**amount)


@dataclass
class Gateway:
    """A running gateway app on one backend, with a client and a SQL statement counter."""

    backend: str
    settings: Settings
    app: Starlette
    client: httpx.AsyncClient
    statements: list[str]
    clock: AdjustableClock

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
        """The SQL sent since ``statements`` was cleared, less the event relay's polling of
        the change log, which runs in the background whatever the requests do."""
        return [s for s in self.statements if "change_log" not in s]

    def token(self, national_id: str, scopes: tuple[str, ...] = ()) -> str:
        from tests.support.tokens import issue_access_token

        return issue_access_token(self.settings.secret_key, national_id, scopes=scopes)


async def start_gateway(
    settings: Settings, backend: str, *, tracer_provider: Any = None
) -> AsyncIterator[Gateway]:
    await prepare_stores(settings)
    clock = AdjustableClock()
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
            yield Gateway(backend, settings, app, client, statements, clock)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    """A gateway with the demo population, shared by the read-only tests of a backend."""
    backend = request.param
    settings = await make_settings(backend, tmp_path_factory.mktemp(f"demo-{backend}"))
    async for running in start_gateway(settings, backend):
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
async def fresh_gateway(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Gateway]:
    """A gateway of its own (demo population included), for tests that add data."""
    backend = request.param
    settings = await make_settings(backend, tmp_path)
    async for running in start_gateway(settings, backend):
        yield running


@pytest.fixture
def contract_dir() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent / "contract"


def random_secret() -> str:
    return secrets.token_urlsafe(48)


REDIS_URL = os.environ.get("BAWABA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
async def redis_url() -> str:
    """The test Redis; skips (fails on CI) when there is no server."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        if ON_CI:
            pytest.fail(f"CI=true but Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


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
