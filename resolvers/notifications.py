"""Notifications: approvals and rejections told to the guardian, rejections also by SMS.

``Notifier`` runs in every gateway process, fed by the event bus; the store records each
notification once, and only the process that recorded it sends the SMS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

from datasources.event_bus import EventFanOut, SubscriberTooSlow
from datasources.gateway_store.notification_store import SqlNotificationStore, StoredNotification
from datasources.gateway_store.sms_outbox import SmsGateway, SmsMessage
from datasources.passports.change_log import PermitEvent
from datasources.records import PermitStatus
from datasources.registry_interfaces import CivilRegistry
from errors import BawabaError
from i18n.catalog import Locale, MessageCatalog
from resolvers.context import Context, Info
from resolvers.live_status import permit_events
from resolvers.pagination import (
    Connection,
    encode_sequence_cursor,
    sequence_connection,
    sequence_page,
)
from telemetry.metrics import open_subscription

logger = logging.getLogger("bawaba.notifications")
NOTIFIED = {PermitStatus.APPROVED: "PERMIT_APPROVED", PermitStatus.REJECTED: "PERMIT_REJECTED"}


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    kind: str
    title: str
    message: str
    permit_number: str
    at: datetime


def present_notification(
    stored: StoredNotification, messages: MessageCatalog, locale: Locale
) -> Notification:
    name = stored.traveller_name_ar if locale == "ar" else stored.traveller_name_en
    reason = messages.message(stored.reason, locale) if stored.reason else ""
    return Notification(
        id=encode_sequence_cursor(stored.event_id),
        kind=stored.code,
        title=messages.message(f"{stored.code}_TITLE", locale),
        message=messages.message(
            stored.code, locale, number=stored.permit_number, name=name, reason=reason
        ),
        permit_number=stored.permit_number,
        at=stored.at,
    )


class Notifier:
    """Turns permit decisions into notifications (and SMS for rejections), once each."""

    def __init__(
        self,
        *,
        events: EventFanOut,
        store: SqlNotificationStore,
        civil: CivilRegistry,
        sms: SmsGateway,
        messages: MessageCatalog,
    ) -> None:
        self.events, self.store, self.civil, self.sms = events, store, civil, sms
        self.messages = messages
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            subscription = self.events.subscribe()
            try:
                async for event in subscription:
                    if event.status in NOTIFIED:
                        await self._notify(event)
            except SubscriberTooSlow:
                logger.warning("the notifier fell behind; some decisions were not notified")
            except BawabaError:
                logger.exception("a notification could not be recorded")
            finally:
                subscription.close()

    async def _notify(self, event: PermitEvent) -> None:
        people = await self.civil.people_by_ids([event.traveller_id, event.guardian_id])
        traveller, guardian = people.get(event.traveller_id), people.get(event.guardian_id)
        if event.permit is None or traveller is None:
            return
        row = {
            "event_id": event.id,
            "national_id": event.guardian_id,
            "code": NOTIFIED[event.status],
            "permit_id": event.permit_id,
            "permit_number": event.permit.number,
            "traveller_name_ar": traveller.name.ar,
            "traveller_name_en": traveller.name.en,
            "reason": event.reason,
            "at": event.at,
        }
        recorded = await self.store.add_once(row)
        if recorded and event.status is PermitStatus.REJECTED and guardian is not None:
            stored = StoredNotification(id=0, **row)  # type: ignore[arg-type]
            # The platform's SMS carries both languages: the person's choice is not on record.
            body = " / ".join(
                present_notification(stored, self.messages, locale).message
                for locale in ("ar", "en")
            )
            await self.sms.send(
                SmsMessage(guardian.national_id, guardian.mobile_number, body, event.at)
            )


async def my_notifications(
    info: Info, first: int = 20, after: str | None = None
) -> Connection[Notification]:
    context = info.context
    national_id = context.viewer.require_person()
    page_size, before = sequence_page(first, after, limit=context.policy.permit_page_size_limit)
    found, total, has_next = await context.store.notifications.for_person(
        national_id, first=page_size, before_id=before
    )
    messages = context.registries.messages
    nodes = [present_notification(stored, messages, context.locale) for stored in found]
    return sequence_connection(
        nodes, [stored.id for stored in found], total_count=total, has_next_page=has_next,
        after=after is not None,
    )  # fmt: skip


async def notifications(info: Info) -> AsyncGenerator[Notification]:
    """Live notifications of the signed-in guardian, as they are decided."""
    context: Context = info.context
    with open_subscription("notifications"):
        async for event in permit_events(context, None):
            if event.status in NOTIFIED and event.guardian_id == context.viewer.national_id:
                stored = await _stored_for(context, event)
                if stored is not None:
                    yield present_notification(stored, context.registries.messages, context.locale)


async def _stored_for(context: Context, event: PermitEvent) -> StoredNotification | None:
    traveller = await context.loaders.person_by_national_id.load(event.traveller_id)
    if event.permit is None or traveller is None:
        return None
    return StoredNotification(
        id=0,
        event_id=event.id,
        national_id=event.guardian_id,
        code=NOTIFIED[event.status],
        permit_id=event.permit_id,
        permit_number=event.permit.number,
        traveller_name_ar=traveller.name.ar,
        traveller_name_en=traveller.name.en,
        reason=event.reason,
        at=event.at,
    )
