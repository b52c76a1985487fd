"""Notifications kept for each person in the gateway's store, written once per event.

Every gateway process sees every event; the unique (event, recipient) index lets exactly
one of them record a notification, and only that one sends its SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_tables import notifications
from datasources.sql_engine import reading, translated_errors


@dataclass(frozen=True, slots=True)
class StoredNotification:
    id: int
    event_id: int
    national_id: str
    code: str
    permit_id: str
    permit_number: str
    traveller_name_ar: str
    traveller_name_en: str
    reason: str | None
    at: datetime


class SqlNotificationStore:
    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = reading(engine)

    async def add_once(self, row: dict[str, object]) -> bool:
        """Record the notification; False if another process recorded it first."""
        async with translated_errors(self.name):
            try:
                async with self.engine.begin() as connection:
                    await connection.execute(insert(notifications), [row])
            except IntegrityError:
                return False
        return True

    async def for_person(
        self, national_id: str, *, first: int, before_id: int | None
    ) -> tuple[list[StoredNotification], int, bool]:
        statement = (
            select(notifications)
            .where(notifications.c.national_id == national_id)
            .order_by(notifications.c.id.desc())
            .limit(first + 1)
        )
        if before_id is not None:
            statement = statement.where(notifications.c.id < before_id)
        count = select(func.count()).where(notifications.c.national_id == national_id)
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (await connection.execute(statement)).all()
            total = int((await connection.execute(count)).scalar_one())
        found = [StoredNotification(**row._mapping) for row in rows[:first]]
        return found, total, len(rows) > first
