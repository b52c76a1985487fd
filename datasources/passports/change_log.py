"""Reading the passports agency's change log: every permit status change, in order.

The change log's id is the cursor subscribers resume from. Ids come from a sequence, so on
PostgreSQL a transaction that took id 104 may commit after the one that took 105; readers
therefore only advance past a missing id once it has stayed missing for ``gap_timeout``
(a rolled-back transaction leaves a hole that never fills).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.passports.passport_registry import SqlPassportRegistry
from datasources.passports.tables import change_log
from datasources.records import PermitStatus, TravelPermit
from datasources.sql_engine import reading, translated_errors


@dataclass(frozen=True, slots=True)
class PermitEvent:
    """One permit status change, with the permit as it is now."""

    id: int
    permit_id: str
    traveller_id: str
    guardian_id: str
    status: PermitStatus
    previous_status: PermitStatus | None
    reason: str | None
    at: datetime
    permit: TravelPermit | None


class ChangeLogReader:
    name = "passport"

    def __init__(
        self, engine: AsyncEngine, registry: SqlPassportRegistry, *, gap_timeout: float = 5.0
    ) -> None:
        self._reader = reading(engine)
        self.registry = registry
        self.gap_timeout = gap_timeout
        self._gap_seen_since: dict[int, float] = {}
        self._after = (
            select(change_log)
            .where(change_log.c.id > bindparam("after"), change_log.c.entity_type == "PERMIT")
            .order_by(change_log.c.id)
            .limit(bindparam("limit"))
        )
        self._all_after = (
            select(change_log.c.id)
            .where(change_log.c.id > bindparam("after"))
            .order_by(change_log.c.id)
            .limit(bindparam("limit"))
        )

    async def latest_id(self) -> int:
        async with translated_errors(self.name), self._reader.connect() as connection:
            return int((await connection.execute(select(func.max(change_log.c.id)))).scalar() or 0)

    async def permit_events_after(self, after: int, *, limit: int = 500) -> list[PermitEvent]:
        """Permit events with ids in (after, …], in order; may be fewer than exist."""
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (await connection.execute(self._after, {"after": after, "limit": limit})).all()
        permits = await self.registry.permits_by_ids(list({row.entity_id for row in rows}))
        return [
            PermitEvent(
                id=row.id,
                permit_id=row.entity_id,
                traveller_id=row.subject_id,
                guardian_id=row.guardian_id or "",
                status=PermitStatus(row.status),
                previous_status=PermitStatus(row.previous_status) if row.previous_status else None,
                reason=row.reason,
                at=row.at,
                permit=permits.get(row.entity_id),
            )
            for row in rows
        ]

    async def permit_events_between(
        self, position: int, ceiling: int
    ) -> AsyncIterator[PermitEvent]:
        """Every permit event with an id in (position, ceiling], in order, a page at a time.

        The catch-up of a subscriber that resumes ``after`` a cursor: ``ceiling`` is where
        live delivery took over when it subscribed, so nothing is read twice or missed.
        """
        while position < ceiling:
            batch = [e for e in await self.permit_events_after(position) if e.id <= ceiling]
            if not batch:
                return
            for event in batch:
                yield event
            position = batch[-1].id

    async def settled_position(self, after: int, *, limit: int = 1000) -> int:
        """How far past ``after`` the log is complete: no id below it can still appear."""
        async with translated_errors(self.name), self._reader.connect() as connection:
            ids: Sequence[int] = (
                (await connection.execute(self._all_after, {"after": after, "limit": limit}))
                .scalars()
                .all()
            )
        position = after
        now = time.monotonic()
        for entry_id in ids:
            if entry_id != position + 1:
                first_seen = self._gap_seen_since.setdefault(position + 1, now)
                if now - first_seen < self.gap_timeout:
                    break  # an earlier transaction may still commit into this hole
                self._gap_seen_since.pop(position + 1, None)
            position = entry_id
        return position
