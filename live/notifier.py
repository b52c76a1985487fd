"""The notifier: approvals and rejections told to the guardian, rejections also by SMS.

``Notifier`` runs in every gateway process, fed by the event bus; the store records each
notification once, and only the process that recorded it sends the SMS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from datasources.event_bus import EventFanOut
from datasources.gateway_store.notification_store import (
    NotificationRow,
    SqlNotificationStore,
    StoredNotification,
)
from datasources.gateway_store.sms_outbox import SmsGateway, SmsMessage
from datasources.passports.change_log import PermitEvent
from datasources.records import PermitStatus
from datasources.registry_interfaces import CivilRegistry
from errors import BawabaError, SubscriberTooSlow
from i18n.catalog import MessageCatalog
from resolvers.notifications import NOTIFIED, present_notification

logger = logging.getLogger("bawaba.notifications")


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
        row: NotificationRow = {
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
            stored = StoredNotification(id=0, **row)
            # The platform's SMS carries both languages: the person's choice is not on record.
            body = " / ".join(
                present_notification(stored, self.messages, locale).message
                for locale in ("ar", "en")
            )
            await self.sms.send(
                SmsMessage(guardian.national_id, guardian.mobile_number, body, event.at)
            )
