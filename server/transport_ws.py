"""graphql-transport-ws with keep-alive: the server pings, and drops peers that stop answering.

The protocol leaves pings to either side and Strawberry only answers the client's; a server
that never pings cannot tell a dead peer (a phone that lost signal) from a quiet one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

KEEP_ALIVE_CLOSE_CODE = 4504


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
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

    async def handle_message(self, message: Any) -> None:
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
