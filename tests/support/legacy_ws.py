"""Just enough of a legacy ``graphql-ws`` (subscriptions-transport-ws) client to test with."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets

PROTOCOL = "graphql-ws"


class LegacyWS:
    """Client messages: ``connection_init``, ``start``, ``stop``, ``connection_terminate``;
    the server's keep-alive (``ka``) is skipped by ``receive``."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket

    @classmethod
    @asynccontextmanager
    async def connect(
        cls, url: str, payload: dict[str, Any] | None, *, acknowledge: bool = True
    ) -> AsyncIterator[LegacyWS]:
        """A socket on ``url``'s /graphql; ``connection_init`` sent with ``payload`` unless
        it is None, and its ``connection_ack`` awaited when ``acknowledge``."""
        async with websockets.connect(f"{url}/graphql", subprotocols=[PROTOCOL]) as socket:
            assert socket.subprotocol == PROTOCOL
            client = cls(socket)
            if payload is not None:
                await client.send({"type": "connection_init", "payload": payload})
                if acknowledge:
                    acknowledged = await client.receive()
                    assert acknowledged["type"] == "connection_ack", acknowledged
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] != "ka":
                return message  # type: ignore[no-any-return]

    async def start(self, payload: object, id: str = "1") -> None:
        await self.send({"id": id, "type": "start", "payload": payload})

    async def stop(self, id: str) -> None:
        await self.send({"id": id, "type": "stop"})
