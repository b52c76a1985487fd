"""A real uvicorn server in the test's event loop (for clients and browsers), a
graphql-transport-ws client, and the operators that watch the live board through it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
import websockets
from starlette.applications import Starlette

from gateway import gateway_of
from live.direct_frames import DirectFramesWebSocketProtocol
from resolvers.national_ids import luhn_check_digit
from tests.support.gateway_processes import free_port


@asynccontextmanager
async def uvicorn_server(
    app: Starlette, *, per_message_deflate: bool = False
) -> AsyncIterator[tuple[int, uvicorn.Server]]:
    """Serve ``app`` on a free local port in this event loop; yield the port and the server.

    The WebSocket protocol and compression are those of ``gateway serve`` unless asked.
    """
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws=DirectFramesWebSocketProtocol,
        ws_per_message_deflate=per_message_deflate,
        ws_max_size=gateway_of(app).settings.max_body_bytes,  # as `gateway serve` sets it
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield port, server
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def serving(app: Starlette, *, per_message_deflate: bool = False) -> AsyncIterator[str]:
    """Serve ``app`` on a free local port; yield its ws:// base URL."""
    async with uvicorn_server(app, per_message_deflate=per_message_deflate) as (port, _):
        yield f"ws://127.0.0.1:{port}"


@dataclass
class LiveServer:
    """A real uvicorn server in the test's event loop, for the browser to talk to."""

    url: str
    server: uvicorn.Server

    def drop_websockets(self) -> int:
        """Cut every open WebSocket as a network failure would: no close frame."""
        dropped = 0
        for connection in list(self.server.server_state.connections):
            kind = type(connection).__name__  # WebSocketProtocol, WSProtocol, …SansIOProtocol
            if "websocket" in kind.lower() or kind == "WSProtocol":
                connection.transport.abort()  # type: ignore[attr-defined]
                dropped += 1
        return dropped


@asynccontextmanager
async def live_server(app: Starlette) -> AsyncIterator[LiveServer]:
    async with uvicorn_server(app) as (port, server):
        yield LiveServer(f"http://127.0.0.1:{port}", server)


class TransportWS:
    """Just enough of a graphql-transport-ws client to test the server with."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        url: str,
        payload: dict[str, Any] | None,
        *,
        acknowledge: bool = True,
        headers: dict[str, str] | None = None,
    ) -> AsyncIterator[TransportWS]:
        async with websockets.connect(
            f"{url}/graphql", subprotocols=["graphql-transport-ws"], additional_headers=headers
        ) as socket:
            client = cls(socket)
            if payload is not None:
                await client.send({"type": "connection_init", "payload": payload})
                if acknowledge:
                    assert (await client.receive())["type"] == "connection_ack"
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            return message  # type: ignore[no-any-return]

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None, id: str = "1"):
        await self.send(
            {
                "id": id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def next_events(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        events = []
        while len(events) < count:
            message = await self.receive(timeout)
            assert message["type"] == "next", message
            events.append(message["payload"]["data"])
        return events

    async def expect_silence(self, seconds: float = 0.6) -> None:
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")


def operator_id(number: int) -> str:
    """The national ID of test operator ``number``: valid, and no demo person's."""
    payload = f"18{number:07d}"
    return payload + str(luhn_check_digit(payload))


def operator(gateway, number: int, locale: str | None = None) -> dict[str, str]:
    """The connection_init payload of test operator ``number``, who may watch every permit."""
    token = gateway.token(operator_id(number), ("permits:watch-all",))
    payload = {"Authorization": f"Bearer {token}"}
    return payload | ({"Accept-Language": locale} if locale else {})


async def next_frame(client: TransportWS) -> str:
    """The next ``next`` frame exactly as the server sent it: text (browsers cannot read binary
    frames)."""
    while True:
        raw = await asyncio.wait_for(client.socket.recv(), 5)
        assert isinstance(raw, str), raw
        message = json.loads(raw)
        if message["type"] == "ping":
            await client.send({"type": "pong"})
            continue
        assert message["type"] == "next", message
        return raw


async def settle(condition, attempts: int = 100) -> None:
    """Wait (up to 5 s) until ``condition()`` holds; the test's asserts say whether it did."""
    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0.05)
