"""The legacy ``graphql-ws`` protocol (subscriptions-transport-ws), for older clients.

Client: ``connection_init``, ``start``, ``stop``, ``connection_terminate``.
Server: ``connection_ack``, ``connection_error``, ``ka``, ``data``, ``error``, ``complete``.

Every ``start`` passes the same admission pipeline as HTTP and graphql-transport-ws
(``server.socket_protocol``); a socket that sends no ``connection_init`` in time is
closed like one of the newer protocol (4408). The server sends ``ka`` every
``keep_alive_interval`` after the acknowledgement, as the protocol asks.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.outcome import Payload
from pipeline.request import Door
from server.socket_protocol import ProtocolViolation, SocketProtocol

PROTOCOL = "graphql-ws"


class LegacyWSProtocol(SocketProtocol):
    door = Door.LEGACY_WS
    keep_alive_interval = 15.0

    async def handle_message(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            if not await self.accept_init(message.get("payload")):
                await self.send({"type": "connection_error", "payload": {"code": "FORBIDDEN"}})
                raise ProtocolViolation(4403, "Forbidden")
            await self.send({"type": "connection_ack"})
            self._spawn(self._keep_alive())
        elif kind == "start":
            if not self.acknowledged:
                raise ProtocolViolation(4401, "Unauthorized")
            op_id = message.get("id")
            if not isinstance(op_id, str) or not op_id:
                raise ProtocolViolation(4400, "Invalid message")
            await self.stop_operation(op_id)  # the protocol lets a start replace its id
            await self.start_operation(op_id, message.get("payload"))
        elif kind == "stop":
            op_id = message.get("id")
            if isinstance(op_id, str):
                await self.stop_operation(op_id)
                await self.send_complete(op_id)
        elif kind == "connection_terminate":
            raise ProtocolViolation(1000, "")
        # The protocol ignores messages it does not know.

    async def on_malformed_message(self) -> None:
        """The legacy protocol ignores what it cannot parse."""

    async def send_result(self, op_id: str, payload: Payload) -> None:
        await self.send({"id": op_id, "type": "data", "payload": payload})

    async def send_refusal(self, op_id: str, payload: Payload) -> None:
        await self.send({"id": op_id, "type": "error", "payload": payload["errors"][0]})

    async def send_complete(self, op_id: str) -> None:
        await self.send({"id": op_id, "type": "complete"})

    async def _keep_alive(self) -> None:
        while True:
            await self.send({"type": "ka"})
            await asyncio.sleep(self.keep_alive_interval)
