"""The PostgreSQL and Redis servers the tests use, and what to do when one is missing.

PostgreSQL is found at ``BAWABA_TEST_POSTGRES_URL`` (default: the local server's ``test``
database), Redis at ``BAWABA_TEST_REDIS_URL``. Each test session (each xdist worker is one)
creates its own PostgreSQL databases, with unique names, and drops them when it ends.
Without a server the tests that need it skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

import asyncpg
import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "BAWABA_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BAWABA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ON_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip the test for ``reason``; on CI, where every test must run, fail it instead."""
    if ON_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


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
            # A throw-away database need not wait for its commits to reach the disk: the
            # server's fsyncs were most of the suite's time, and nothing reads these after a
            # crash. What a transaction sees is the same either way.
            await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        finally:
            await connection.close()
        self.created.append(name)
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        return f"{base}/{name}"

    async def drop_all(self) -> None:
        if not self.created:
            return
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            for name in self.created:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()
        self.created.clear()


# One per process (each xdist worker is one); conftest.py drops them when the session ends.
SESSION_DATABASES = PostgresDatabases()


async def postgres_databases() -> PostgresDatabases:
    """The session's PostgreSQL databases; skips (fails on CI) when there is no server."""
    problem = await _postgres_reachable()
    if problem:
        skip_or_fail(problem)
    return SESSION_DATABASES


async def redis_problem() -> str | None:
    """Why the test Redis cannot be used, or ``None`` when it answers."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        return f"Redis is not reachable at {REDIS_URL}: {error}"
    finally:
        await client.aclose()
    return None
