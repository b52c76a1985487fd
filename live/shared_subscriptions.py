"""A connection's seats in subscriber groups: taking one, catching up, leaving.

The admission pipeline decides that a subscription may be served by a group (a trusted
document whose answer depends only on audience and language: ``live.shared_documents``),
after every check and with the person's subscription slot taken; the graphql-transport-ws
handler then seats it here instead of running a generator of its own. A seat that resumes
``after`` a cursor reads the change log up to where it joined with the same catch-up as
the standard path (``ChangeLogReader.permit_events_between``), while the group's live
events wait in the member's ``held`` list.
"""

from __future__ import annotations

import collections
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from opentelemetry.trace import Span

from errors import BawabaError
from live.connection_outbox import ConnectionOutbox
from live.shared_documents import SharedDocument
from live.subscriber_groups import GroupMember, NextPayload, SubscriberGroup, SubscriberGroups
from resolvers.context import Context
from resolvers.live_status import SUBSCRIPTION_FIELD
from telemetry.metrics import count_subscription_closed, count_subscription_opened
from telemetry.tracing import start_operation_span


@dataclass(slots=True)
class Seat:
    """One subscription served by a group."""

    group: SubscriberGroup
    member: GroupMember
    span: Span | None


class SharedSubscriptions:
    """The seats of one connection, by operation id."""

    def __init__(self, groups: SubscriberGroups) -> None:
        self.groups = groups
        self.seats: dict[str, Seat] = {}

    def take(
        self,
        op_id: str,
        document: SharedDocument,
        context: Context,
        outbox: ConnectionOutbox,
        *,
        resuming: bool,
    ) -> Seat:
        """Seat the subscription in its group; no await, so no event slips between."""
        services = context.services
        member = GroupMember(op_id, context, outbox)
        # Events up to the joining position are in the change log, every later one reaches
        # the group.
        member.position = services.events.position or 0
        group = self.groups.join(document, {}, context, member)
        count_subscription_opened(SUBSCRIPTION_FIELD)
        tracer = services.loader_tracer
        span = (
            start_operation_span(tracer, document.operation_name, context.request_id, root=True)
            if tracer is not None
            else None
        )
        seat = Seat(group, member, span)
        self.seats[op_id] = seat
        if resuming:
            member.held = collections.deque()
        return seat

    async def catch_up(
        self, seat: Seat, start: int, fail: Callable[[BawabaError], Awaitable[None]]
    ) -> None:
        """The change log's events in (start, joined], then what the group held meanwhile."""
        member = seat.member
        joined = member.position
        reader = member.context.services.change_log
        try:
            async for event in reader.permit_events_between(start, joined):
                rendered = await seat.group.render(event)
                if rendered is not None:
                    payload, subjects = rendered
                    member.record(subjects)
                    await member.outbox.put(member.frame(NextPayload(payload)))
        except BawabaError as error:
            await fail(error)
            return
        member.position = max(start, joined)
        member.release_held()

    def leave(self, op_id: str) -> bool:
        """Give the seat up, if ``op_id`` has one: its group, metric and span."""
        seat = self.seats.pop(op_id, None)
        if seat is None:
            return False
        self.groups.leave(seat.group, seat.member)
        count_subscription_closed(SUBSCRIPTION_FIELD)
        if seat.span is not None:
            seat.span.end()
        return True
