"""Live permit status: the subscription that loses nothing, and who may see which event.

A subscriber that passes ``after`` first reads, from the change log, every event after that
cursor up to what this process has already delivered live, then receives live events; ids
are compared so nothing is sent twice. A guardian sees the permits they issued, a traveller
their own, a token with ``permits:watch-all`` every permit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime

from datasources.passports.change_log import PermitEvent
from datasources.records import PermitStatus, TravelPermit
from errors import (
    NotAuthorized,
    RegistryUnavailable,
)
from resolvers.authorization import WATCH_ALL_PERMITS
from resolvers.context import Context, Info
from resolvers.family import Reason
from resolvers.pagination import decode_sequence_cursor, encode_sequence_cursor
from security.viewer import Viewer
from telemetry.metrics import open_subscription

# The root field of the live status subscription (schema/subscription.py).
SUBSCRIPTION_FIELD = "travelPermitStatusChanged"


@dataclass(frozen=True, slots=True)
class PermitStatusEvent:
    cursor: str
    permit: TravelPermit | None
    previous_status: PermitStatus | None
    status: PermitStatus
    reason: Reason | None
    at: datetime


def may_see_event(viewer: Viewer, event: PermitEvent) -> bool:
    if viewer.has_scope(WATCH_ALL_PERMITS):
        return True
    return viewer.national_id in (event.guardian_id, event.traveller_id)


def present_event(context: Context, event: PermitEvent) -> PermitStatusEvent:
    reason = Reason(event.reason, context.message(event.reason)) if event.reason else None
    return PermitStatusEvent(
        cursor=encode_sequence_cursor(event.id),
        permit=event.permit,
        previous_status=event.previous_status,
        status=event.status,
        reason=reason,
        at=event.at,
    )


async def permit_events(context: Context, after: str | None) -> AsyncGenerator[PermitEvent]:
    """Every event the viewer may see after the cursor, then live ones, each exactly once."""
    viewer = context.viewer
    if viewer.national_id is None:
        raise NotAuthorized()
    start = decode_sequence_cursor(after) if after is not None else None
    bus = context.services.events
    # No await between these two lines: every event in `live` is above `ceiling`, and every
    # event up to `ceiling` is in the change log.
    if bus.position is None:
        raise RegistryUnavailable(registry="passport")
    live = bus.subscribe()
    ceiling = bus.position
    try:
        position = ceiling if start is None else start
        async for event in context.services.change_log.permit_events_between(position, ceiling):
            if may_see_event(viewer, event):
                yield event
        position = max(position, ceiling)
        async for event in live:
            if event.id > position and may_see_event(viewer, event):
                yield event
            position = max(position, event.id)
    finally:
        live.close()


async def travel_permit_status_changed(
    info: Info, after: str | None = None
) -> AsyncGenerator[PermitStatusEvent]:
    """Every event the viewer may see; ``SubscriberTooSlow`` ends it when it falls a whole
    buffer behind (its socket is then closed, so the client resumes with its cursor)."""
    context = info.context
    with open_subscription(SUBSCRIPTION_FIELD):
        async for event in permit_events(context, after):
            yield present_event(context, event)
