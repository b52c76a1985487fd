"""Notifications: approvals and rejections told to the guardian, as a page and live.

``live.notifier.Notifier`` records them as decisions happen; here they are read back and
worded in the caller's language.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

from datasources.gateway_store.notification_store import StoredNotification
from datasources.passports.change_log import PermitEvent
from datasources.records import PermitStatus
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


class NotificationKind(enum.StrEnum):
    """What a notification tells: a decision of the agency."""

    PERMIT_APPROVED = "PERMIT_APPROVED"
    PERMIT_REJECTED = "PERMIT_REJECTED"


NOTIFIED = {
    PermitStatus.APPROVED: NotificationKind.PERMIT_APPROVED,
    PermitStatus.REJECTED: NotificationKind.PERMIT_REJECTED,
}


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    kind: NotificationKind
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
        kind=NotificationKind(stored.code),
        title=messages.message(f"{stored.code}_TITLE", locale),
        message=messages.message(
            stored.code, locale, number=stored.permit_number, name=name, reason=reason
        ),
        permit_number=stored.permit_number,
        at=stored.at,
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
