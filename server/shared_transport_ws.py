"""graphql-transport-ws where a shareable subscription joins a group instead of running alone.

A ``subscribe`` message whose document is shareable (``live.shared_documents``) and
that would be accepted as it stands joins its ``SubscriberGroup``: no generator, execution
context or task of its own (unless it resumes ``after`` a cursor, for the catch-up). Every
other message, and every subscribe that the standard path would refuse or answer with an
error (limits, bad cursor, store down), goes through Strawberry's handler unchanged, so
clients see the same protocol either way.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

from graphql import GraphQLError
from opentelemetry.trace import Span
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from errors import BawabaError, InputRejected
from execution.error_presentation import present_errors
from live.connection_outbox import ConnectionOutbox
from live.direct_frames import direct_frames_of, text_frame_header
from live.shared_documents import CURSOR_VARIABLE, SharedDocument
from live.subscriber_groups import (
    GroupMember,
    NextPayload,
    SubscriberGroup,
    SubscriberGroups,
)
from resolvers.context import Context
from resolvers.live_status import MAX_SUBSCRIPTIONS_PER_PERSON
from resolvers.pagination import decode_sequence_cursor
from server.transport_ws import KeepAliveTransportWSHandler
from telemetry.metrics import count_subscription_closed, count_subscription_opened
from telemetry.tracing import start_operation_span

# The one root field a shared document selects (live/shared_documents.py).
SUBSCRIPTION_FIELD = "travelPermitStatusChanged"
_PING = b'{"type":"ping"}'
PING_FRAME = text_frame_header(len(_PING)) + _PING


class SharedSubscription:
    __slots__ = ("group", "holder", "member", "span")

    def __init__(
        self, group: SubscriberGroup, member: GroupMember, holder: str, span: Span | None
    ) -> None:
        self.group = group
        self.member = member
        self.holder = holder
        self.span = span


class FanOutTransportWSHandler(KeepAliveTransportWSHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared: dict[str, SharedSubscription] = {}
        self._outbox: ConnectionOutbox | None = None

    async def send_ping(self) -> None:
        # Every subscriber is pinged every interval: with ten thousand of them, pings through
        # ASGI cost as much CPU as the events. The frame is the same bytes for everyone.
        if self._outbox is not None and self._outbox.direct:
            self._outbox.push(PING_FRAME)
        else:
            await super().send_ping()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self._join(message):
            await super().handle_subscribe(message)

    def _admissible(self, message: SubscribeMessage) -> tuple[SharedDocument, int | None] | None:
        """The shared document and resume position, if the standard path would accept it."""
        groups: SubscriberGroups | None = getattr(self.view, "subscriber_groups", None)
        context = self.context
        if groups is None or not isinstance(context, Context) or not self.connection_acknowledged:
            return None
        limit = self.max_subscriptions_per_connection
        if message["id"] in self.operations or (
            limit is not None and len(self.operations) >= limit
        ):
            return None
        payload = message.get("payload")
        if not isinstance(payload, dict):
            return None
        variables = payload.get("variables")
        shared = self.view.shared_documents.find(  # type: ignore[attr-defined]
            payload.get("query"), payload.get("operationName"), variables
        )
        holder = context.viewer.national_id
        services = context.services
        if shared is None or holder is None or services.events.position is None:
            return None
        if services.subscriptions_per_person.get(holder, 0) >= MAX_SUBSCRIPTIONS_PER_PERSON:
            return None
        cursor = (variables or {}).get(CURSOR_VARIABLE)
        try:
            start = decode_sequence_cursor(cursor) if cursor is not None else None
        except InputRejected:
            return None
        return shared, start

    def _join(self, message: SubscribeMessage) -> bool:
        admitted = self._admissible(message)
        if admitted is None:
            return False
        shared, start = admitted
        context: Context = self.context
        services = context.services
        groups: SubscriberGroups = self.view.subscriber_groups  # type: ignore[attr-defined]
        if self._outbox is None:
            socket: Any = self.websocket
            self._outbox = ConnectionOutbox(
                socket.ws.send_text,
                self.websocket.close,
                capacity=services.events.capacity,
                direct=direct_frames_of(socket.ws.scope),
            )
        op_id = message["id"]
        member = GroupMember(op_id, context, self._outbox)
        # No await from here to the end: events up to `ceiling` are in the change log, every
        # later one reaches the group.
        ceiling = services.events.position or 0
        member.position = ceiling
        group = groups.join(shared, {}, context, member)
        holder = context.viewer.national_id or ""
        counts = services.subscriptions_per_person
        counts[holder] = counts.get(holder, 0) + 1
        count_subscription_opened(SUBSCRIPTION_FIELD)
        payload = message["payload"]
        operation: Operation[Any, Any] = Operation(
            self, op_id, payload["query"], payload.get("variables"), payload.get("operationName")
        )
        self.operations[op_id] = operation
        tracer = services.loader_tracer
        span = (
            start_operation_span(tracer, shared.operation_name, context.request_id, root=True)
            if tracer is not None
            else None
        )
        subscription = SharedSubscription(group, member, holder, span)
        self._shared[op_id] = subscription
        if start is not None:
            member.held = collections.deque()
            operation.task = asyncio.create_task(self._catch_up(subscription, start, ceiling))
            operation.task.add_done_callback(self._task_done)
        return True

    async def _catch_up(self, subscription: SharedSubscription, start: int, ceiling: int) -> None:
        """The change log's events in (start, ceiling], then what the group held meanwhile."""
        member = subscription.member
        reader = member.context.services.change_log
        position = start
        try:
            while position < ceiling:
                batch = [e for e in await reader.permit_events_after(position) if e.id <= ceiling]
                if not batch:
                    break
                for event in batch:
                    rendered = await subscription.group.render(event)
                    if rendered is not None:
                        payload, subjects = rendered
                        member.record(subjects)
                        await member.outbox.put(member.frame(NextPayload(payload)))
                position = batch[-1].id
        except BawabaError as error:
            await self._fail(subscription, error)
            return
        member.position = max(start, ceiling)
        member.release_held()

    async def _fail(self, subscription: SharedSubscription, error: BawabaError) -> None:
        """As the standard path ends a subscription whose source failed: errors, complete."""
        op_id = next(k for k, v in self._shared.items() if v is subscription)
        context: Context = self.context
        schema: Any = self.schema
        presented = present_errors(
            [GraphQLError(str(error), original_error=error)], schema.messages, context
        )
        self._leave(op_id)
        operation = self.operations.get(op_id)
        if operation is None:
            return
        await operation.send_operation_message(
            {
                "id": op_id,
                "type": "next",
                "payload": {"data": None, "errors": [e.formatted for e in presented]},
            }
        )
        await operation.send_operation_message({"id": op_id, "type": "complete"})

    def _leave(self, op_id: str) -> None:
        subscription = self._shared.pop(op_id, None)
        if subscription is None:
            return
        groups: SubscriberGroups = self.view.subscriber_groups  # type: ignore[attr-defined]
        groups.leave(subscription.group, subscription.member)
        count_subscription_closed(SUBSCRIPTION_FIELD)
        if subscription.span is not None:
            subscription.span.end()
        counts = subscription.member.context.services.subscriptions_per_person
        counts[subscription.holder] -= 1
        if counts[subscription.holder] <= 0:
            del counts[subscription.holder]

    async def cleanup_operation(self, operation_id: str) -> None:
        self._leave(operation_id)
        operation = self.operations.get(operation_id)
        if operation is not None and operation.task is None:
            del self.operations[operation_id]
            return
        await super().cleanup_operation(operation_id)

    async def shutdown(self) -> None:
        await super().shutdown()  # cleans up every operation, shared ones included
        if self._outbox is not None:
            await self._outbox.aclose()
