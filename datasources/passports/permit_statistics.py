"""Counts of permits for the operations dashboard, computed by the registry's database.

Days are calendar days in Riyadh (UTC+3 all year, no daylight saving), so a permit
requested at 01:00 Riyadh time counts on that Riyadh day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.passports.tables import permit_status_changes, travel_permits
from datasources.sql_engine import is_postgresql, reading, translated_errors

RIYADH_OFFSET = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class DayCounts:
    date: date
    requested: int
    approved: int
    rejected: int
    cancelled: int


@dataclass(frozen=True, slots=True)
class PermitStatistics:
    total: int
    by_status: dict[str, int]
    by_day: list[DayCounts]


class SqlPermitStatistics:
    name = "passport"

    def __init__(self, engine: AsyncEngine) -> None:
        self._reader = reading(engine)
        self._postgresql = is_postgresql(engine)

    def _riyadh_day(self, column: ColumnElement[datetime]) -> ColumnElement[date]:
        if self._postgresql:
            return func.date(func.timezone("Asia/Riyadh", column))
        return func.date(column, "+3 hours")

    async def count(self, start: date, end: date) -> PermitStatistics:
        """Permits requested on days start..end (their status now), and each day's changes."""
        since = datetime.combine(start, time(), UTC) - RIYADH_OFFSET
        until = datetime.combine(end + timedelta(days=1), time(), UTC) - RIYADH_OFFSET
        created_day = self._riyadh_day(travel_permits.c.created_at).label("day")
        changed_day = self._riyadh_day(permit_status_changes.c.at).label("day")
        in_range = (travel_permits.c.created_at >= since, travel_permits.c.created_at < until)
        by_status = (
            select(travel_permits.c.status, func.count())
            .where(*in_range)
            .group_by(travel_permits.c.status)
        )
        requested = select(created_day, func.count()).where(*in_range).group_by(created_day)
        decided = (
            select(changed_day, permit_status_changes.c.status, func.count())
            .where(
                permit_status_changes.c.at >= since,
                permit_status_changes.c.at < until,
                permit_status_changes.c.status.in_(["APPROVED", "REJECTED", "CANCELLED"]),
            )
            .group_by(changed_day, permit_status_changes.c.status)
        )
        async with translated_errors(self.name), self._reader.connect() as connection:
            statuses = {row[0]: int(row[1]) for row in await connection.execute(by_status)}
            days: defaultdict[str, dict[str, int]] = defaultdict(dict)
            for day, count in await connection.execute(requested):
                days[str(day)]["REQUESTED"] = int(count)
            for day, status, count in await connection.execute(decided):
                days[str(day)][status] = int(count)
        by_day = []
        current = start
        while current <= end:
            counts = days.get(current.isoformat(), {})
            by_day.append(
                DayCounts(
                    current,
                    counts.get("REQUESTED", 0),
                    counts.get("APPROVED", 0),
                    counts.get("REJECTED", 0),
                    counts.get("CANCELLED", 0),
                )
            )
            current += timedelta(days=1)
        return PermitStatistics(sum(statuses.values()), statuses, by_day)
