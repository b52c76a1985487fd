"""Reads on the hot path: statements built once at start-up, run with the least per-call work.

A registry describes each read once, as a SQLAlchemy Core ``select``; ``open_reads`` turns it
into what its engine runs best:

- On PostgreSQL (asyncpg) the statement is compiled once to SQL text with ``$n`` parameters,
  and each call runs it on the asyncpg connection under SQLAlchemy's pool. asyncpg keeps a
  prepared statement per connection, so a call is one round trip, with no SQLAlchemy
  compilation, result processing or transaction (no BEGIN/ROLLBACK) around it. SQLAlchemy
  still owns the pool: one set of connections per registry, closed by ``engine.dispose()``.
- Elsewhere (SQLite) SQLAlchemy runs the same statement, without an implicit transaction,
  through its compiled cache.

Rows come back as mappings (``row["national_id"]``) on both, so one builder makes the records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select


class Row(Protocol):
    """A row read by column name: SQLAlchemy's ``RowMapping`` and asyncpg's ``Record`` are."""

    def __getitem__(self, column: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class PreparedRead:
    """One read, built once: the Core statement and, for a driver path, its compiled text."""

    statement: Select[*tuple[Any, ...]]
    sql: str = ""
    # For each $n in order: the parameter's name, its default and its bind conversion.
    names: tuple[str, ...] = ()
    defaults: tuple[Any, ...] = ()
    converters: tuple[Callable[[Any], Any] | None, ...] = ()

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, default, convert in zip(self.names, self.defaults, self.converters, strict=True):
            value = parameters.get(name, default)
            values.append(convert(value) if convert is not None and value is not None else value)
        return values


def compile_for_driver(statement: Select[*tuple[Any, ...]], dialect: Dialect) -> PreparedRead:
    """Compile ``statement`` to the driver's SQL text once; its binds become positional."""
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binds = {name: compiled.binds[name] for name in names}
    return PreparedRead(
        statement=statement,
        sql=compiled.string,
        names=names,
        defaults=tuple(compiled.params.get(name) for name in names),
        converters=tuple(binds[name].type.bind_processor(dialect) for name in names),
    )


class CoreReads:
    """Reads run by SQLAlchemy Core, outside any transaction (the embedded SQLite default)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    def prepare(self, statement: Select[*tuple[Any, ...]]) -> PreparedRead:
        return PreparedRead(statement=statement)

    async def fetch(self, read: PreparedRead, parameters: Mapping[str, Any]) -> Sequence[Row]:
        async with self._engine.connect() as connection:
            result = await connection.execute(read.statement, dict(parameters))
            return result.mappings().all()


class AsyncpgReads:
    """Reads run on the asyncpg connection under SQLAlchemy's pool, as compiled text."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def prepare(self, statement: Select[*tuple[Any, ...]]) -> PreparedRead:
        return compile_for_driver(statement, self._engine.dialect)

    async def fetch(self, read: PreparedRead, parameters: Mapping[str, Any]) -> Sequence[Row]:
        async with asyncpg_connection(self._engine) as driver:
            return await driver.fetch(read.sql, *read.arguments(parameters))


@asynccontextmanager
async def asyncpg_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """The asyncpg connection under one of ``engine``'s pooled connections, returned after.

    A failed or cancelled call may leave the connection mid-protocol: it is then closed
    rather than returned for reuse.
    """
    pooled = await engine.raw_connection()
    try:
        driver = pooled.driver_connection
        assert isinstance(driver, asyncpg.Connection)
        yield driver
    except BaseException:
        pooled.invalidate()
        raise
    finally:
        pooled.close()


Reads = CoreReads | AsyncpgReads


def open_reads(engine: AsyncEngine) -> Reads:
    """The fastest way this engine's driver offers to run prepared reads."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg":
        return AsyncpgReads(engine)
    return CoreReads(engine)
