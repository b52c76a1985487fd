"""Shared plumbing of the SQL adapters: engines, array binding and error translation."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import asyncpg
from purgatory import AsyncCircuitBreakerFactory

# purgatory's internals (OpenedState, AsyncCircuitBreaker): tests/test_library_internals.py
from purgatory.domain.model import OpenedState
from sqlalchemy import DateTime, String, Table, bindparam, event, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Dialect, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from errors import RegistryTimeout, RegistryUnavailable
from telemetry.metrics import record_registry_call

if TYPE_CHECKING:  # purgatory exports its factory, not the breaker it hands out
    from purgatory.service._async.circuitbreaker import AsyncCircuitBreaker


def create_registry_engine(url: str, *, pool_size: int) -> AsyncEngine:
    """An async engine for one registry's database, tuned for its dialect."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediately)
        return engine
    # No overflow: an overflow connection is closed as soon as it is returned, so under load
    # each request would open connections (TLS attempt, type introspection, empty statement
    # cache). A full pool makes requests wait for a warm connection instead.
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False, pool_recycle=1800
    )


def _configure_sqlite(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # ``dbapi_connection`` is the driver's own (aiosqlite's adapter): its isolation_level is
    # sqlite3's, which the DB-API protocol does not name.
    # WAL lets readers run while the demo's writers work; foreign keys are off by default.
    # Transactions are begun by ``_begin_immediately``, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediately(connection: Connection) -> None:
    # SQLite's default BEGIN takes the write lock only at the first write, so two
    # transactions could both check a rule and then both write. BEGIN IMMEDIATE makes each
    # writing transaction whole: its checks and its writes see one state of the database.
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # readers run without a transaction
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def reading(engine: AsyncEngine) -> AsyncEngine:
    """The same pool without an implicit transaction: no BEGIN/ROLLBACK around each read."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def is_postgresql(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


class JSONList(TypeDecorator[Sequence[str]]):
    """A list bound as one JSON text parameter, for SQLite's ``json_each``."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Sequence[str] | None, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(list(value))


def any_of(column: ColumnElement[Any], name: str, *, postgresql: bool) -> ColumnElement[bool]:
    """``column`` is one of the list bound as ``name``: one statement text for any batch size.

    PostgreSQL: ``column = ANY(:name)`` with an array. SQLite has no arrays: the list comes as
    one JSON text and ``json_each`` unpacks it. Either way the SQL never changes with the
    list's length, so drivers and servers keep one prepared statement for it (an expanding
    ``IN`` would be rendered anew for every length).
    """
    if postgresql:
        return column == bindparam(name, type_=ARRAY(String)).any_()
    values = func.json_each(bindparam(name, type_=JSONList)).table_valued("value")
    return column.in_(select(values.c.value))


# Failures of the driver or the network, reported as RegistryUnavailable; asyncpg's own
# errors reach here from reads run on the driver (``sql_reads``).
_DRIVER_FAILURES = (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def registry_error_for(registry: str, error: BaseException) -> BaseException:
    """The gateway's own ``RegistryError`` for a driver or network failure (caused by it);
    any other error as it is, a constraint violation included (the caller decides)."""
    translated: BaseException
    if isinstance(error, IntegrityError):
        return error
    if isinstance(error, TimeoutError):
        translated = RegistryTimeout(registry=registry)
    elif isinstance(error, _DRIVER_FAILURES):
        translated = RegistryUnavailable(registry=registry)
    else:
        return error
    translated.__cause__ = error
    return translated


@asynccontextmanager
async def translated_errors(registry: str) -> AsyncIterator[None]:
    """Turn driver and network failures into the gateway's own ``RegistryError``."""
    try:
        yield
    except Exception as error:
        translated = registry_error_for(registry, error)
        if translated is error:
            raise
        raise translated from error


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return (
            value.astimezone(UTC)
            if dialect.name != "sqlite"
            else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def newest_first_page(
    reader: AsyncEngine,
    table: Table,
    owned: ColumnElement[bool],
    *,
    first: int,
    before_id: int | None,
    registry: str,
) -> tuple[Sequence[Row[*tuple[Any, ...]]], int, bool]:
    """A page of ``table``'s rows matching ``owned``, by descending id, before ``before_id``;
    with the total of all matching rows and whether more follow."""
    statement = select(table).where(owned).order_by(table.c.id.desc()).limit(first + 1)
    if before_id is not None:
        statement = statement.where(table.c.id < before_id)
    async with translated_errors(registry), reader.connect() as connection:
        rows = (await connection.execute(statement)).all()
        total = int((await connection.execute(select(func.count()).where(owned))).scalar_one())
    return rows[:first], total, len(rows) > first


class RegistryGuard:
    """Every call to one registry: a time limit, a circuit breaker shared by its calls, and
    its count and duration in the metrics.

    After ``threshold`` failures in a row the breaker opens: calls fail at once with
    ``RegistryUnavailable`` for ``ttl`` seconds instead of waiting on a registry that is
    down, then one call is let through to see if it is back.
    """

    def __init__(
        self,
        name: str,
        *,
        timeout: float | None = None,
        breakers: AsyncCircuitBreakerFactory | None = None,
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.breakers = breakers
        self._breaker: AsyncCircuitBreaker | None = None

    def call(self) -> GuardedCall:
        """``async with guard.call(): ...`` runs one call under the guard."""
        return GuardedCall(self)

    async def breaker(self) -> AsyncCircuitBreaker | None:
        """This registry's breaker. Its state lives in the factory's in-memory repository,
        so the wrapper is found once and kept (purgatory builds a new one per lookup)."""
        if self.breakers is None:
            return None
        if self._breaker is None:
            self._breaker = await self.breakers.get_breaker(self.name)
        return self._breaker


class GuardedCall:
    """One call under a ``RegistryGuard``: ``translated_errors``, then the breaker, then the
    time limit, innermost last, and the call's result in the metrics.

    A class rather than nested ``@asynccontextmanager`` generators: every registry read on
    the hot path passes through here, and the generators cost as much as the rest of it.
    """

    __slots__ = ("_breaker", "_guard", "_started", "_timeout")

    def __init__(self, guard: RegistryGuard) -> None:
        self._guard = guard
        self._breaker: AsyncCircuitBreaker | None = None
        self._timeout: asyncio.Timeout | None = None

    async def __aenter__(self) -> None:
        self._started = time.perf_counter()
        guard = self._guard
        try:
            self._breaker = await guard.breaker()
            if self._breaker is not None:
                await self._breaker.__aenter__()
        except OpenedState as error:
            self._record("circuit_open")
            raise RegistryUnavailable(registry=guard.name) from error
        except BaseException as error:
            self._record(_result_of(error))
            raise
        self._timeout = asyncio.timeout(guard.timeout)
        await self._timeout.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:  # never swallows an error: a call's body runs to its end or raises
        error = exc
        try:
            assert self._timeout is not None
            await self._timeout.__aexit__(exc_type, exc, tb)  # a timeout becomes TimeoutError
        except BaseException as raised:
            error = raised
        if error is not None:
            error = registry_error_for(self._guard.name, error)
        if self._breaker is not None:  # counts the failure (IntegrityError excepted) or success
            await self._breaker.__aexit__(
                type(error) if error is not None else None,
                error,
                error.__traceback__ if error is not None else None,
            )
        self._record(_result_of(error))
        if error is None:
            return False
        if error is exc:
            return False  # re-raised as it came
        raise error

    def _record(self, result: str) -> None:
        record_registry_call(self._guard.name, result, time.perf_counter() - self._started)


def _result_of(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, RegistryTimeout):
        return "timeout"
    if isinstance(error, RegistryUnavailable):
        return "circuit_open" if isinstance(error.__cause__, OpenedState) else "unavailable"
    if isinstance(error, IntegrityError):
        return "constraint"
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"  # the request went away, not the registry
    return "error"


def circuit_breakers(*, threshold: int, ttl: float) -> AsyncCircuitBreakerFactory:
    """One factory for the process: a breaker per registry name, kept in memory."""
    # Constraint violations are answers, not outages: they never open a breaker.
    return AsyncCircuitBreakerFactory(
        default_threshold=threshold, default_ttl=ttl, exclude=[IntegrityError]
    )
