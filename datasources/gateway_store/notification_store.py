"""Notifications kept for each person in the gateway's store, written once per event.

Every gateway process sees every event; the unique (event, recipient) index lets exactly
one of them record a notification, and only that one sends its SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_store.tables import notifications
from datasources.sql_engine import newest_first_page, reading, translated_errors


class NotificationRow(TypedDict):
    """A notification as it is written, before the store numbers it."""

    event_id: int
    national_id: str
    code: str
    permit_id: str
    permit_number: str
    traveller_name_ar: str
    traveller_name_en: str
    reason: str | None
    at: datetime


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

    async def add_once(self, row: NotificationRow) -> bool:
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
        rows, total, has_next = await newest_first_page(
            self._reader, notifications, notifications.c.national_id == national_id,
            first=first, before_id=before_id, registry=self.name,
        )  # fmt: skip
        return [StoredNotification(**row._mapping) for row in rows], total, has_next
