"""graphql-transport-ws (the ``graphql-ws`` library's protocol): messages, pings, seats.

Client: ``connection_init``, ``subscribe``, ``complete``, ``ping``, ``pong``.
Server: ``connection_ack``, ``next``, ``error``, ``complete``, ``ping``, ``pong``.

Beyond the protocol's own rules (``server.socket_protocol`` has what both protocols share):

- Keep-alive: the protocol leaves pings to either side and a server that never pings cannot
  tell a dead peer (a phone that lost signal) from a quiet one. The server pings every
  ``ping_interval`` and closes peers silent for ``idle_timeout`` with 4504.
- Fan-out: a subscription the pipeline finds shareable takes a seat in its subscriber group
  (``live.shared_subscriptions``) instead of a generator of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket

from errors import BawabaError
from i18n.catalog import MessageCatalog
from live.direct_frames import text_frame_header
from live.shared_subscriptions import SharedSubscriptions
from live.subscriber_groups import SubscriberGroups
from pipeline.admission import AdmissionPipeline
from pipeline.outcome import Payload, Streaming
from pipeline.request import Door
from server.socket_protocol import ProtocolViolation, SocketLimits, SocketProtocol
from server.socket_sessions import OpenSockets, SocketSession

PROTOCOL = "graphql-transport-ws"
KEEP_ALIVE_CLOSE_CODE = 4504
_PING = b'{"type":"ping"}'
PING_FRAME = text_frame_header(len(_PING)) + _PING


class TransportWSProtocol(SocketProtocol):
    door = Door.TRANSPORT_WS
    ping_interval = 15.0
    idle_timeout = 45.0

    def __init__(
        self,
        websocket: WebSocket,
        *,
        pipeline: AdmissionPipeline,
        session: SocketSession,
        sockets: OpenSockets,
        limits: SocketLimits,
        messages: MessageCatalog,
        groups: SubscriberGroups | None,
    ) -> None:
        super().__init__(
            websocket,
            pipeline=pipeline,
            session=session,
            sockets=sockets,
            limits=limits,
            messages=messages,
        )
        self.seats = SharedSubscriptions(groups) if groups is not None else None
        # Seated subscriptions, and how each one's record is finished when it ends.
        self._seated: dict[str, Callable[[list[str]], Awaitable[None]]] = {}
        self._last_heard = time.monotonic()

    async def serve(self) -> None:
        self._spawn(self._keep_alive())
        await super().serve()

    async def handle_message(self, message: dict[str, Any]) -> None:
        self._last_heard = time.monotonic()
        kind = message["type"]
        if kind == "connection_init":
            if not await self.accept_init(message.get("payload")):
                raise ProtocolViolation(4403, "Forbidden")
            await self.send({"type": "connection_ack"})
        elif kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            await self._complete(message)
        else:
            raise ProtocolViolation(4400, f"Unknown message type: {kind}")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            raise ProtocolViolation(4401, "Unauthorized")
        op_id = message.get("id")
        if not isinstance(op_id, str) or not op_id:
            raise ProtocolViolation(4400, "Invalid message")
        if op_id in self.operations or op_id in self._seated:
            raise ProtocolViolation(4409, f"Subscriber for {op_id} already exists")
        await self.start_operation(op_id, message.get("payload"))

    async def _complete(self, message: dict[str, Any]) -> None:
        op_id = message.get("id")
        if not isinstance(op_id, str):
            raise ProtocolViolation(4400, "Invalid message")
        await self.stop_operation(op_id)

    def operation_count(self) -> int:
        return len(self.operations) + len(self._seated)

    async def run_stream(self, op_id: str, stream: Streaming) -> None:
        """A seat in the subscription's group when it has one, else its own stream.

        A seated subscription has no task once it has caught up: the group delivers to it,
        and ``complete`` or the connection's end gives the seat up."""
        shared = stream.shared
        if self.seats is None or shared is None:
            await super().run_stream(op_id, stream)
            return
        resume_after = shared.resume_after
        seat = self.seats.take(
            op_id, shared.document, shared.context, self.outbox, resuming=resume_after is not None
        )
        self._seated[op_id] = stream.finish
        if resume_after is not None:

            async def fail(error: BawabaError) -> None:
                refused = self.pipeline.refusal(error, self.arrival())
                await self.send_result(op_id, {"data": None, **refused.payload})
                await self.send_complete(op_id)
                await self._unseat(op_id, [error.code])

            await self.seats.catch_up(seat, resume_after, fail)

    async def stop_operation(self, op_id: str) -> None:
        await super().stop_operation(op_id)
        await self._unseat(op_id, [])

    async def _unseat(self, op_id: str, codes: list[str]) -> None:
        finish = self._seated.pop(op_id, None)
        if finish is not None:
            assert self.seats is not None
            self.seats.leave(op_id)
            await finish(codes)

    async def shutdown(self) -> None:
        await super().shutdown()
        for op_id in tuple(self._seated):
            await self._unseat(op_id, [])

    async def send_result(self, op_id: str, payload: Payload) -> None:
        await self.send({"id": op_id, "type": "next", "payload": payload})

    async def send_refusal(self, op_id: str, payload: Payload) -> None:
        await self.send({"id": op_id, "type": "error", "payload": payload["errors"]})

    async def send_complete(self, op_id: str) -> None:
        await self.send({"id": op_id, "type": "complete"})

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.ping_interval)
            if time.monotonic() - self._last_heard > self.idle_timeout:
                await self.close(KEEP_ALIVE_CLOSE_CODE, "No pong in time")
                return
            if self.acknowledged:
                # Ten thousand subscribers pinged through ASGI cost as much as the events:
                # where frames go straight to the transport, the ping is the same bytes.
                if self.outbox.direct:
                    self.outbox.push(PING_FRAME)
                else:
                    await self.send({"type": "ping"})
