"""Fixtures: a gateway on each backend (SQLite files, real PostgreSQL), the test Redis, and
the contract's folder; what they are built from lives in ``tests/support/``. The session's
PostgreSQL databases are dropped when it finishes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.contract_documents import CONTRACT_DIR
from tests.support.running_gateway import (
    BACKENDS,
    RunningGateway,
    backend_and_clock,
    make_settings,
    start_gateway,
)
from tests.support.servers import REDIS_URL, SESSION_DATABASES, redis_problem, skip_or_fail


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the PostgreSQL databases this session (or xdist worker) created, once every
    fixture has stopped using them: here, outside any test's time limit."""
    if SESSION_DATABASES.created:
        asyncio.run(SESSION_DATABASES.drop_all())


@pytest.fixture(scope="session", params=BACKENDS)
async def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningGateway]:
    """A gateway with the demo population, shared by the read-only tests of a backend (and
    of a clock: see ``also_at_2330_utc``)."""
    backend, clock = backend_and_clock(request.param)
    settings = await make_settings(backend, tmp_path_factory.mktemp(f"demo-{request.param}"))
    async for running in start_gateway(settings, backend, clock=clock):
        yield running


@pytest.fixture(params=BACKENDS)
async def fresh_gateway(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[RunningGateway]:
    """A gateway of its own (demo population included), for tests that add data."""
    backend, clock = backend_and_clock(request.param)
    settings = await make_settings(backend, tmp_path)
    async for running in start_gateway(settings, backend, clock=clock):
        yield running


@pytest.fixture
def contract_dir() -> Path:
    return CONTRACT_DIR


@pytest.fixture(scope="session")
async def redis_url() -> str:
    """The test Redis; skips (fails on CI) when there is no server."""
    problem = await redis_problem()
    if problem:
        skip_or_fail(problem)
    return REDIS_URL
