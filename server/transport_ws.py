"""graphql-transport-ws: Strawberry's handler, with server pings and seats in groups.

- Keep-alive: the protocol leaves pings to either side and Strawberry only answers the
  client's; a server that never pings cannot tell a dead peer (a phone that lost signal)
  from a quiet one. The server pings, and drops peers that stop answering (4504).
- Fan-out: a ``subscribe`` whose document a group can serve takes a seat in that group
  (``live.shared_subscriptions``) instead of a generator of its own; every other message
  goes through Strawberry's handler unchanged, so clients see the same protocol either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView, AsyncWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    Message,
    SubscribeMessage,
)

from errors import BawabaError
from execution.error_presentation import present_errors
from execution.schema import GatewaySchema
from live.connection_outbox import ConnectionOutbox
from live.direct_frames import direct_frames_of, text_frame_header
from live.shared_documents import SharedDocuments
from live.shared_subscriptions import SharedSubscriptions
from live.subscriber_groups import SubscriberGroups
from resolvers.context import Context

KEEP_ALIVE_CLOSE_CODE = 4504


@runtime_checkable
class SeatedView(Protocol):
    """A view whose subscriptions may sit in groups (``server.graphql_view.GatewayGraphQL``)."""

    subscriber_groups: SubscriberGroups
    shared_documents: SharedDocuments


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    ping_interval = 15.0
    idle_timeout = 45.0

    async def handle(self) -> None:
        self._last_heard = time.monotonic()
        keep_alive = asyncio.create_task(self._keep_alive())
        try:
            await super().handle()
        finally:
            keep_alive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keep_alive

    async def handle_message(self, message: Message) -> None:
        self._last_heard = time.monotonic()
        await super().handle_message(message)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.ping_interval)
            if time.monotonic() - self._last_heard > self.idle_timeout:
                await self.websocket.close(code=KEEP_ALIVE_CLOSE_CODE, reason="No pong in time")
                return
            if self.connection_acknowledged:
                with contextlib.suppress(Exception):
                    await self.send_ping()

    async def send_ping(self) -> None:
        await self.send_message({"type": "ping"})


class TextFrameWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends every message as a text frame.

    The view encodes JSON to bytes (orjson), and Strawberry sends bytes as binary frames;
    browsers hand binary frames to JavaScript as a Blob, which the graphql-ws client cannot
    read (it closes with 4004). The protocol's messages are JSON text, so send them as such.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


_PING = b'{"type":"ping"}'
PING_FRAME = text_frame_header(len(_PING)) + _PING


class FanOutTransportWSHandler(KeepAliveTransportWSHandler):
    """The gateway's graphql-transport-ws handler (``server.graphql_view``)."""

    def __init__(
        self,
        view: AsyncBaseHTTPView[Any, Any, Any, Any, Any, Context, None],
        websocket: AsyncWebSocketAdapter,
        context: Context,
        root_value: None,
        schema: BaseSchema,
        connection_init_wait_timeout: timedelta,
        max_subscriptions_per_connection: int | None = None,
    ) -> None:
        super().__init__(
            view,
            websocket,
            context,
            root_value,
            schema,
            connection_init_wait_timeout,
            max_subscriptions_per_connection,
        )
        self._seats = (
            SharedSubscriptions(view.subscriber_groups, view.shared_documents)
            if isinstance(view, SeatedView)
            else None
        )
        self._outbox: ConnectionOutbox | None = None

    async def send_ping(self) -> None:
        # Every subscriber is pinged every interval: with ten thousand of them, pings through
        # ASGI cost as much CPU as the events. The frame is the same bytes for everyone.
        if self._outbox is not None and self._outbox.direct:
            self._outbox.push(PING_FRAME)
        else:
            await super().send_ping()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self._take_seat(message):
            await super().handle_subscribe(message)

    def _take_seat(self, message: SubscribeMessage) -> bool:
        seats, context = self._seats, self.context
        if seats is None or not isinstance(context, Context) or not self.connection_acknowledged:
            return False
        op_id = message["id"]
        limit = self.max_subscriptions_per_connection
        if op_id in self.operations or (limit is not None and len(self.operations) >= limit):
            return False  # Strawberry's handler answers both
        payload = message.get("payload")
        admission = seats.admit(context, payload) if isinstance(payload, dict) else None
        if admission is None:
            return False
        seat = seats.take(op_id, admission, context, self._connection_outbox(context))
        operation: Operation[Context, None] = Operation(
            self, op_id, payload["query"], payload.get("variables"), payload.get("operationName")
        )
        self.operations[op_id] = operation
        if admission.resume_after is not None:

            async def fail(error: BawabaError) -> None:
                await self._fail(op_id, error)

            operation.task = asyncio.create_task(seats.catch_up(seat, admission.resume_after, fail))
            operation.task.add_done_callback(self._task_done)
        return True

    def _connection_outbox(self, context: Context) -> ConnectionOutbox:
        if self._outbox is None:
            socket = self.websocket
            assert isinstance(socket, ASGIWebSocketAdapter)  # the gateway serves ASGI only
            self._outbox = ConnectionOutbox(
                socket.ws.send_text,
                socket.close,
                capacity=context.services.events.capacity,
                direct=direct_frames_of(socket.ws.scope),
            )
        return self._outbox

    async def _fail(self, op_id: str, error: BawabaError) -> None:
        """As the standard path ends a subscription whose source failed: errors, complete."""
        assert self._seats is not None
        context, schema = self.context, self.schema
        assert isinstance(schema, GatewaySchema)  # the view's, which the handler is given
        presented = present_errors(
            [GraphQLError(str(error), original_error=error)], schema.messages, context
        )
        self._seats.leave(op_id)
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

    async def cleanup_operation(self, operation_id: str) -> None:
        if self._seats is not None:
            self._seats.leave(operation_id)
        operation = self.operations.get(operation_id)
        if operation is not None and operation.task is None:
            del self.operations[operation_id]
            return
        await super().cleanup_operation(operation_id)

    async def shutdown(self) -> None:
        await super().shutdown()  # cleans up every operation, seated ones included
        if self._outbox is not None:
            await self._outbox.aclose()
