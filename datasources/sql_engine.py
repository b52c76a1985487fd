"""Shared plumbing of the SQL adapters: engines, array binding and error translation."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from sqlalchemy import DateTime, String, Table, bindparam, event, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from errors import RegistryTimeout, RegistryUnavailable
from telemetry.metrics import record_registry_call


def create_registry_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
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


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the demo's writers work; foreign keys are off by default.
    # Transactions are begun by ``_begin_immediately``, not by the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediately(connection: Any) -> None:
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
        return column == bindparam(name, type_=ARRAY(String)).any_()  # type: ignore[no-any-return]
    values = func.json_each(bindparam(name, type_=JSONList)).table_valued("value")
    return column.in_(select(values.c.value))


@asynccontextmanager
async def translated_errors(registry: str) -> AsyncIterator[None]:
    """Turn driver and network failures into the gateway's own ``RegistryError``."""
    try:
        yield
    except IntegrityError:
        raise  # a constraint said no: the caller decides what that means
    except TimeoutError as error:
        raise RegistryTimeout(registry=registry) from error
    except (SQLAlchemyError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        # asyncpg's own errors reach here from reads run on the driver (``sql_reads``).
        raise RegistryUnavailable(registry=registry) from error


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
) -> tuple[Sequence[Row[Any]], int, bool]:
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

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        started = time.perf_counter()
        result = "error"
        try:
            async with self._guarded():
                yield
            result = "ok"
        except RegistryTimeout:
            result = "timeout"
            raise
        except RegistryUnavailable as error:
            result = "circuit_open" if isinstance(error.__cause__, OpenedState) else "unavailable"
            raise
        except IntegrityError:
            result = "constraint"
            raise
        except asyncio.CancelledError:
            result = "cancelled"  # the request went away, not the registry
            raise
        finally:
            record_registry_call(self.name, result, time.perf_counter() - started)

    @asynccontextmanager
    async def _guarded(self) -> AsyncIterator[None]:
        async with translated_errors(self.name):
            if self.breakers is None:
                async with asyncio.timeout(self.timeout):
                    yield
                return
            try:
                breaker = await self.breakers.get_breaker(self.name)
                async with breaker, asyncio.timeout(self.timeout):
                    yield
            except OpenedState as error:
                raise RegistryUnavailable(registry=self.name) from error


def circuit_breakers(*, threshold: int, ttl: float) -> AsyncCircuitBreakerFactory:
    """One factory for the process: a breaker per registry name, kept in memory."""
    # Constraint violations are answers, not outages: they never open a breaker.
    return AsyncCircuitBreakerFactory(
        default_threshold=threshold, default_ttl=ttl, exclude=[IntegrityError]
    )
