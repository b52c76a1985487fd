"""The append-only access audit: who read or changed a person's data, when and from where.

``operation`` is the registered name of the trusted document that read (empty for an ad hoc
one: a caller's own name for its operation is never recorded); ``purpose`` the scopes the
reader held that let it read other people's data (none for family); ``client_address``
is for operators only (``gateway audit``), never shown to the person whose data was read.

Entries are buffered in memory and written together every fraction of a second (and at
shutdown): one COPY on PostgreSQL, one multi-row INSERT elsewhere, so recording an access
costs a request almost nothing. A reader of the log flushes its own process's buffer
first, so it always sees its own requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_store.tables import access_audit
from datasources.sql_engine import is_postgresql, newest_first_page, reading, translated_errors
from datasources.sql_reads import asyncpg_connection
from errors import RegistryError

logger = logging.getLogger("bawaba.audit")


@dataclass(frozen=True, slots=True)
class AccessRecord:
    subject_id: str
    accessor_kind: str
    accessor_id: str
    accessor_name: str
    operation: str
    client_address: str
    at: datetime
    purpose: str | None = None


_COLUMNS = tuple(field.name for field in fields(AccessRecord))


def _row_of(record: AccessRecord) -> dict[str, object]:
    # Not dataclasses.asdict: it deep-copies every value, and this runs for every read audited.
    return {name: getattr(record, name) for name in _COLUMNS}


def _values_of(record: AccessRecord) -> tuple[object, ...]:
    return tuple(getattr(record, name) for name in _COLUMNS)


@dataclass(frozen=True, slots=True)
class AccessEntry:
    id: int
    record: AccessRecord


class SqlAccessAuditLog:
    name = "gateway"

    def __init__(self, engine: AsyncEngine, *, flush_interval: float = 0.2) -> None:
        self.engine = engine
        self._reader = reading(engine)
        self._pending: list[AccessRecord] = []
        self._flush_interval = flush_interval
        self._flusher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def record(self, record: AccessRecord) -> None:
        """Queue one entry; it reaches the store within ``flush_interval`` seconds."""
        self._pending.append(record)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self._flush_interval)
        try:
            await self.flush()
        except RegistryError:
            logger.exception("audit entries could not be written; kept for the next attempt")

    async def flush(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            try:
                async with translated_errors(self.name):
                    await self._write(batch)
            except RegistryError:
                self._pending[:0] = batch  # nothing accepted is lost: retried on next flush
                raise

    async def _write(self, batch: list[AccessRecord]) -> None:
        if is_postgresql(self.engine):
            # COPY on the driver's connection: SQLAlchemy's multi-row INSERT binds every
            # value of every row in Python, which showed in the MyFamily profile.
            async with asyncpg_connection(self.engine) as driver:
                await driver.copy_records_to_table(
                    access_audit.name, records=[_values_of(r) for r in batch], columns=_COLUMNS
                )
            return
        async with self.engine.begin() as connection:
            await connection.execute(insert(access_audit), [_row_of(r) for r in batch])

    async def close(self) -> None:
        if self._flusher is not None and not self._flusher.done():
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.flush()

    async def entries_for(
        self, subject_id: str, *, first: int, before_id: int | None
    ) -> tuple[list[AccessEntry], int, bool]:
        """A page of one person's entries, newest first; with the total and if more follow."""
        await self.flush()
        rows, total, has_next = await newest_first_page(
            self._reader, access_audit, access_audit.c.subject_id == subject_id,
            first=first, before_id=before_id, registry=self.name,
        )  # fmt: skip
        entries = [
            AccessEntry(
                id=row.id,
                record=AccessRecord(
                    subject_id=row.subject_id,
                    accessor_kind=row.accessor_kind,
                    accessor_id=row.accessor_id,
                    accessor_name=row.accessor_name,
                    operation=row.operation,
                    client_address=row.client_address,
                    at=row.at,
                    purpose=row.purpose,
                ),
            )
            for row in rows
        ]
        return entries, total, has_next
