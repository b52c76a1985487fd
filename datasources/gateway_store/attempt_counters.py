"""Counters of failed sign-in attempts and the locks they lead to, shared by all processes.

Two stores with one interface: the gateway's SQL store (embedded default) and Redis (when
configured). Each increment is atomic, so concurrent failures are all counted. What the
counts mean (thresholds, lock lengths) is decided in ``security/sign_in_limits.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_store.tables import attempt_counters
from datasources.sql_engine import is_postgresql, translated_errors
from errors import RegistryUnavailable


@dataclass(frozen=True, slots=True)
class CounterState:
    failures: int = 0
    lock_level: int = 0
    locked_until: datetime | None = None


class AttemptCounters(Protocol):
    async def state(self, key: str) -> CounterState: ...

    async def add_failure(self, key: str, *, at: datetime) -> CounterState: ...

    async def lock(self, key: str, *, until: datetime, level: int, at: datetime) -> None: ...

    async def reset(self, key: str) -> None: ...


class SqlAttemptCounters:
    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._dialect = postgresql if is_postgresql(engine) else sqlite

    async def state(self, key: str) -> CounterState:
        async with translated_errors(self.name), self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(attempt_counters).where(attempt_counters.c.key == key)
                )
            ).first()
        return (
            CounterState(row.failures, row.lock_level, row.locked_until) if row else CounterState()
        )

    async def add_failure(self, key: str, *, at: datetime) -> CounterState:
        statement = self._dialect.insert(attempt_counters).values(
            key=key, failures=1, lock_level=0, locked_until=None, updated_at=at
        )
        statement = statement.on_conflict_do_update(
            index_elements=[attempt_counters.c.key],
            set_={"failures": attempt_counters.c.failures + 1, "updated_at": at},
        ).returning(
            attempt_counters.c.failures,
            attempt_counters.c.lock_level,
            attempt_counters.c.locked_until,
        )
        async with translated_errors(self.name), self.engine.begin() as connection:
            row = (await connection.execute(statement)).one()
        return CounterState(row.failures, row.lock_level, row.locked_until)

    async def lock(self, key: str, *, until: datetime, level: int, at: datetime) -> None:
        async with translated_errors(self.name), self.engine.begin() as connection:
            await connection.execute(
                update(attempt_counters)
                .where(attempt_counters.c.key == key)
                .values(failures=0, lock_level=level, locked_until=until, updated_at=at)
            )

    async def reset(self, key: str) -> None:
        async with translated_errors(self.name), self.engine.begin() as connection:
            await connection.execute(delete(attempt_counters).where(attempt_counters.c.key == key))


class RedisAttemptCounters:
    """One Redis hash per key; forgotten a day after its last change."""

    name = "redis"
    _KEEP_SECONDS = 24 * 3600

    def __init__(self, client: Redis, *, namespace: str = "bawaba:attempts:") -> None:
        self.client = client
        self.namespace = namespace

    async def state(self, key: str) -> CounterState:
        try:
            values = await self.client.hgetall(self.namespace + key)
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error
        return _state(values)

    async def add_failure(self, key: str, *, at: datetime) -> CounterState:
        name = self.namespace + key
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hincrby(name, "failures", 1)
                pipe.expire(name, self._KEEP_SECONDS)
                pipe.hgetall(name)
                _, _, values = await pipe.execute()
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error
        return _state(values)

    async def lock(self, key: str, *, until: datetime, level: int, at: datetime) -> None:
        name = self.namespace + key
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hset(
                    name,
                    mapping={"failures": 0, "lock_level": level, "locked_until": until.timestamp()},
                )
                pipe.expire(name, self._KEEP_SECONDS)
                await pipe.execute()
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error

    async def reset(self, key: str) -> None:
        try:
            await self.client.delete(self.namespace + key)
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error


def _state(values: Mapping[bytes | str, bytes | str]) -> CounterState:
    # redis-py types a hash for both of its decoding modes; this client's keys are bytes.
    locked_until = values.get(b"locked_until")
    return CounterState(
        failures=int(values.get(b"failures", 0)),
        lock_level=int(values.get(b"lock_level", 0)),
        locked_until=datetime.fromtimestamp(float(locked_until), UTC) if locked_until else None,
    )
