"""A connection's seats in subscriber groups: joining, catching up, leaving.

A ``subscribe`` whose document is shareable (``live.shared_documents``) joins the
``SubscriberGroup`` of its audience instead of running its own generator; the WebSocket
handler (``server.transport_ws``) asks ``SharedSubscriptions.admit`` first and hands
everything else to Strawberry. A seat takes the person's subscription slot like the
standard path does (``security.subscription_slots``), and a seat that resumes ``after`` a
cursor reads the change log up to where it joined with the same catch-up as the standard
path (``ChangeLogReader.permit_events_between``).
"""

from __future__ import annotations

import collections
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from opentelemetry.trace import Span

from errors import BawabaError, InputRejected
from live.connection_outbox import ConnectionOutbox
from live.shared_documents import CURSOR_VARIABLE, SharedDocument, SharedDocuments
from live.subscriber_groups import GroupMember, NextPayload, SubscriberGroup, SubscriberGroups
from resolvers.context import Context
from resolvers.live_status import SUBSCRIPTION_FIELD
from resolvers.pagination import decode_sequence_cursor
from telemetry.metrics import count_subscription_closed, count_subscription_opened
from telemetry.tracing import start_operation_span


@dataclass(frozen=True, slots=True)
class Admission:
    """A subscribe message that may take a seat: its document and where it resumes."""

    document: SharedDocument
    resume_after: int | None


@dataclass(slots=True)
class Seat:
    """One subscription served by a group."""

    group: SubscriberGroup
    member: GroupMember
    holder: str
    span: Span | None


OpenOutbox = Callable[[Context], ConnectionOutbox]


class SharedSubscriptions:
    """The seats of one connection, by operation id."""

    def __init__(self, groups: SubscriberGroups, documents: SharedDocuments) -> None:
        self.groups = groups
        self.documents = documents
        self.seats: dict[str, Seat] = {}

    def admit(self, context: Context, payload: Mapping[str, object]) -> Admission | None:
        """The seat this subscribe payload may take, if the standard path would accept it;
        None sends it the standard way (which answers every refusal and error)."""
        variables = payload.get("variables")
        shared = self.documents.find(payload.get("query"), payload.get("operationName"), variables)
        holder = context.viewer.national_id
        services = context.services
        if shared is None or holder is None or services.events.position is None:
            return None
        if not services.subscription_slots.has_room(holder):
            return None
        cursor = variables.get(CURSOR_VARIABLE) if isinstance(variables, dict) else None
        try:
            start = decode_sequence_cursor(cursor) if isinstance(cursor, str) else None
        except InputRejected:
            return None
        return Admission(shared, start)

    def take(
        self, op_id: str, admission: Admission, context: Context, outbox: ConnectionOutbox
    ) -> Seat:
        """Seat the subscription in its group; no await, so no event slips between."""
        services = context.services
        member = GroupMember(op_id, context, outbox)
        # Events up to `ceiling` are in the change log, every later one reaches the group.
        ceiling = services.events.position or 0
        member.position = ceiling
        group = self.groups.join(admission.document, {}, context, member)
        holder = context.viewer.national_id or ""
        services.subscription_slots.take(holder)
        count_subscription_opened(SUBSCRIPTION_FIELD)
        tracer = services.loader_tracer
        span = (
            start_operation_span(
                tracer, admission.document.operation_name, context.request_id, root=True
            )
            if tracer is not None
            else None
        )
        seat = Seat(group, member, holder, span)
        self.seats[op_id] = seat
        if admission.resume_after is not None:
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
        """Give the seat up (if ``op_id`` has one): its group, slot, metric and span."""
        seat = self.seats.pop(op_id, None)
        if seat is None:
            return False
        self.groups.leave(seat.group, seat.member)
        count_subscription_closed(SUBSCRIPTION_FIELD)
        if seat.span is not None:
            seat.span.end()
        seat.member.context.services.subscription_slots.release(seat.holder)
        return True
