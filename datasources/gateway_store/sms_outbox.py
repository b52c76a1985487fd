"""The SMS adapter. Embedded default: an outbox table, read with ``gateway outbox``.

A real deployment puts an SMS provider behind the same ``send``. The server log only ever
shows the destination masked and never the text (it holds one-time codes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_store.tables import sms_outbox
from datasources.sql_engine import reading, translated_errors

logger = logging.getLogger("bawaba.sms")


@dataclass(frozen=True, slots=True)
class SmsMessage:
    national_id: str
    destination: str
    body: str
    created_at: datetime


class SmsGateway(Protocol):
    async def send(self, message: SmsMessage) -> None: ...


def mask_phone_number(number: str) -> str:
    """``+966501234567`` → ``+9665******67``: enough to recognise, not enough to use."""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:5] + "*" * (len(number) - 7) + number[-2:]


class OutboxSmsGateway:
    """Stores each message in the gateway store's outbox instead of sending it."""

    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = reading(engine)

    async def send(self, message: SmsMessage) -> None:
        async with translated_errors(self.name), self.engine.begin() as connection:
            await connection.execute(
                insert(sms_outbox),
                [
                    {
                        "national_id": message.national_id,
                        "destination": message.destination,
                        "body": message.body,
                        "created_at": message.created_at,
                    }
                ],
            )
        logger.info("SMS to %s placed in the outbox", mask_phone_number(message.destination))

    async def messages(
        self, national_id: str | None = None, *, limit: int = 20
    ) -> list[SmsMessage]:
        """The newest messages, newest first, for one person or everyone."""
        statement = select(sms_outbox).order_by(sms_outbox.c.id.desc()).limit(limit)
        if national_id is not None:
            statement = statement.where(sms_outbox.c.national_id == national_id)
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            SmsMessage(row.national_id, row.destination, row.body, row.created_at) for row in rows
        ]
