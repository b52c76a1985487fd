"""What both GraphQL WebSocket protocols share: one connection, its operations, its outbox.

``graphql-transport-ws`` (``server.transport_ws``) and the legacy ``graphql-ws``
(``server.legacy_ws``) differ in message names and in little else. Here is the rest:

- the receive loop: a text frame no larger than the HTTP body limit, holding a JSON object
  (anything else closes the socket: 1009 for size, 4400 for the rest);
- ``connection_init`` within ``connection_init_timeout`` (4408 otherwise), authenticated
  by ``server.socket_sessions``; at most one (4429);
- every operation through the admission pipeline (``pipeline.admission``), exactly as an
  HTTP request goes, with the socket's session as its caller: the same trusted documents,
  limits, cost, rate limits and log lines;
- one ordered outbox per connection (``live.connection_outbox``) for every message, so
  protocol messages and fan-out frames never overtake each other and a peer that stops
  reading is closed (4499) instead of buffered without bound.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from errors import BawabaError, NotAuthenticated, SubscriberTooSlow, SubscriptionLimitReached
from i18n.catalog import MessageCatalog
from live.connection_outbox import ConnectionOutbox, Frame
from live.direct_frames import DirectFrames, direct_frames_of, text_frame_header
from pipeline.admission import AdmissionPipeline
from pipeline.outcome import Answered, Outcome, Payload, Refused, Streaming, codes_of
from pipeline.request import Arrival, Door
from server.socket_sessions import OpenSockets, SocketSession
from telemetry.metrics import record_errors
from telemetry.request_ids import request_id_of

logger = logging.getLogger("bawaba.websocket")


@dataclass(frozen=True, slots=True)
class SocketLimits:
    """What one connection may do (from ``settings.Settings``)."""

    connection_init_timeout: timedelta
    max_operations: int
    max_frame_bytes: int
    outbox_capacity: int


class ProtocolViolation(Exception):
    """Raised when a peer breaks the protocol: the socket closes with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class SocketProtocol(abc.ABC):
    """One connection speaking one GraphQL WebSocket protocol."""

    door: Door

    def __init__(
        self,
        websocket: WebSocket,
        *,
        pipeline: AdmissionPipeline,
        session: SocketSession,
        sockets: OpenSockets,
        limits: SocketLimits,
        messages: MessageCatalog,
    ) -> None:
        self.websocket = websocket
        self.pipeline = pipeline
        self.session = session
        self.sockets = sockets
        self.limits = limits
        self.messages = messages
        self.request_id = request_id_of(websocket.scope)
        self.acknowledged = False
        self.init_received = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.direct: DirectFrames | None = direct_frames_of(websocket.scope)
        self.outbox = ConnectionOutbox(
            websocket.send_text,
            self.close,
            capacity=limits.outbox_capacity,
            direct=self.direct,
        )
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the connection ------------------------------------------------------------------

    async def serve(self) -> None:
        """Run the connection until either side closes it; leave nothing behind."""
        self._spawn(self._close_without_init())
        try:
            while True:
                message = await self.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    await self.handle_frame(message)
                except ProtocolViolation as violation:
                    await self.close(violation.code, violation.reason)
                    break
        except WebSocketDisconnect:
            pass
        finally:
            await self.shutdown()

    async def handle_frame(self, message: Mapping[str, Any]) -> None:
        text = message.get("text")
        if text is None:
            raise ProtocolViolation(4400, "WebSocket message type must be text")
        limit = self.limits.max_frame_bytes
        # A character is 1 to 4 bytes of UTF-8: count bytes only when characters could pass.
        if len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit):
            raise ProtocolViolation(1009, "Message too big")
        try:
            decoded = orjson.loads(text)
        except orjson.JSONDecodeError:
            decoded = None
        if not isinstance(decoded, dict) or not isinstance(decoded.get("type"), str):
            await self.on_malformed_message()
            return
        await self.handle_message(decoded)

    @abc.abstractmethod
    async def handle_message(self, message: dict[str, Any]) -> None: ...

    async def on_malformed_message(self) -> None:
        raise ProtocolViolation(4400, "Invalid message")

    async def accept_init(self, payload: object) -> bool:
        """Authenticate ``connection_init``; False (the socket then closes) when refused."""
        if self.init_received:
            raise ProtocolViolation(4429, "Too many initialisation requests")
        self.init_received = True
        if payload is not None and not isinstance(payload, dict):
            raise ProtocolViolation(4400, "Invalid connection init payload")
        try:
            await self.session.authenticate(payload or {})
        except NotAuthenticated as refusal:
            record_errors([refusal.code])
            return False
        except BawabaError as error:  # the gateway store cannot answer: try again later
            logger.warning("a socket could not be authenticated: %s", error.code)
            return False
        self.sockets.add(self.session)
        self.acknowledged = True
        return True

    async def _close_without_init(self) -> None:
        await asyncio.sleep(self.limits.connection_init_timeout.total_seconds())
        if not self.acknowledged and not self.init_received:
            await self.close(4408, "Connection initialisation timeout")

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code=code, reason=reason)

    async def send(self, message: Mapping[str, object]) -> None:
        """Queue a protocol message behind everything already queued."""
        await self.outbox.put(self.frame(orjson.dumps(message)))

    def frame(self, encoded: bytes) -> Frame:
        if self.outbox.direct:
            return text_frame_header(len(encoded)) + encoded
        return encoded.decode()

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def operation_count(self) -> int:
        """Operations running now (what ``max_operations`` limits)."""
        return len(self.operations)

    async def shutdown(self) -> None:
        """Stop every operation and task of the connection; nothing is left running."""
        for task in (*self.operations.values(), *self._tasks):
            task.cancel()
        for task in (*self.operations.values(), *tuple(self._tasks)):
            with contextlib.suppress(BaseException):
                await task
        self.operations.clear()
        self.sockets.discard(self.session)
        await self.outbox.aclose()

    # -- operations ----------------------------------------------------------------------

    async def start_operation(self, op_id: str, payload: object) -> None:
        """Admit and run one operation in a task of its own."""
        if self.operation_count() >= self.limits.max_operations:
            error = SubscriptionLimitReached(limit=self.limits.max_operations)
            await self.send_refusal(op_id, self.pipeline.refuse(error, self.arrival()).payload)
            return
        task = self._spawn(self._run_operation(op_id, payload))
        self.operations[op_id] = task
        task.add_done_callback(lambda _: self._forget(op_id, task))

    def _forget(self, op_id: str, task: asyncio.Task[None]) -> None:
        if self.operations.get(op_id) is task:
            del self.operations[op_id]

    async def stop_operation(self, op_id: str) -> None:
        task = self.operations.pop(op_id, None)
        if task is not None:
            task.cancel()

    def arrival(self) -> Arrival:
        return Arrival(
            door=self.door,
            request_id=self.request_id,
            client_address=self.session.client_address,
            locale=self.session.locale,
        )

    async def _run_operation(self, op_id: str, payload: object) -> None:
        outcome: Outcome = await self.pipeline.run(payload, self.arrival(), socket=self.session)
        if isinstance(outcome, Refused):
            if outcome.reason in ("TOKEN_EXPIRED", "SESSION_REVOKED"):
                return  # the session has closed the socket, saying which
            await self.send_refusal(op_id, outcome.payload)
        elif isinstance(outcome, Answered):
            await self.send_result(op_id, outcome.payload)
            await self.send_complete(op_id)
        else:
            await self.run_stream(op_id, outcome)

    async def run_stream(self, op_id: str, stream: Streaming) -> None:
        """Each of a subscription's results, then ``complete``; slow peers are closed."""
        codes: list[str] = []
        try:
            async for result in stream.results:
                sent = codes_of(result)
                codes.extend(sent)
                if SubscriberTooSlow.code in sent:
                    # The subscriber fell a whole buffer behind: it resumes with its cursor.
                    await self.close(SubscriberTooSlow.close_code, SubscriberTooSlow.close_reason)
                    return
                await self.send_result(op_id, result)
            await self.send_complete(op_id)
        finally:
            with contextlib.suppress(BaseException):
                await stream.results.aclose()
            await stream.finish(codes)

    @abc.abstractmethod
    async def send_result(self, op_id: str, payload: Payload) -> None: ...

    @abc.abstractmethod
    async def send_refusal(self, op_id: str, payload: Payload) -> None: ...

    @abc.abstractmethod
    async def send_complete(self, op_id: str) -> None: ...
