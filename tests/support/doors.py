"""One operation sent through each of the gateway's four doors, and the verdict it got.

The doors are HTTP POST, HTTP GET (the envelope as query parameters), graphql-transport-ws
and the legacy graphql-ws. A verdict is what a client acts on: the first error's code (or
None for a clean answer) and the data; HTTP adds its status.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx

from tests.support.legacy_ws import LegacyWS
from tests.support.live_server import TransportWS

POST = "POST"
GET = "GET"
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
DOORS = (POST, GET, TRANSPORT_WS, LEGACY_WS)


@dataclass(frozen=True)
class Verdict:
    code: str | None  # the first error's extensions.code; None when there is no error
    data: Any = None
    status: int | None = None  # the HTTP status; None over a WebSocket

    @property
    def answered(self) -> bool:
        return self.code is None and self.data is not None


def verdict_of(payload: Mapping[str, Any], status: int | None = None) -> Verdict:
    """The verdict of a GraphQL response (``data``, ``errors``)."""
    errors = payload.get("errors") or []
    code = (errors[0].get("extensions") or {}).get("code") if errors else None
    return Verdict(code, payload.get("data"), status)


def query_parameters(payload: Mapping[str, Any]) -> dict[str, str]:
    """A GET's query parameters: strings as they are, anything else as JSON text."""
    return {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in payload.items()
    }


class Doors:
    """An HTTP client and one socket of each protocol, all authenticated as one caller."""

    def __init__(
        self, http: httpx.AsyncClient, transport: TransportWS, legacy: LegacyWS, token: str
    ) -> None:
        self.http = http
        self.transport = transport
        self.legacy = legacy
        self.headers = {"Authorization": f"Bearer {token}"}
        self._ids = count(1)

    @classmethod
    @asynccontextmanager
    async def open(cls, base_url: str, token: str) -> AsyncIterator[Doors]:
        """The four doors of the gateway at ``base_url`` (http://host:port)."""
        ws_url = base_url.replace("http://", "ws://", 1)
        init = {"Authorization": f"Bearer {token}"}
        async with (
            httpx.AsyncClient(base_url=base_url, timeout=30) as http,
            TransportWS.connect(ws_url, init) as transport,
            LegacyWS.connect(ws_url, init) as legacy,
        ):
            yield cls(http, transport, legacy, token)

    async def through(self, door: str, payload: Mapping[str, Any]) -> Verdict:
        if door == POST:
            response = await self.http.post("/graphql", json=payload, headers=self.headers)
            return verdict_of(response.json(), response.status_code)
        if door == GET:
            response = await self.http.get(
                "/graphql", params=query_parameters(payload), headers=self.headers
            )
            return verdict_of(response.json(), response.status_code)
        if door == TRANSPORT_WS:
            return await self._over_transport_ws(payload)
        return await self._over_legacy_ws(payload)

    async def through_every_door(self, payload: Mapping[str, Any]) -> dict[str, Verdict]:
        return {door: await self.through(door, payload) for door in DOORS}

    async def _over_transport_ws(self, payload: Mapping[str, Any]) -> Verdict:
        op_id = str(next(self._ids))
        await self.transport.send({"id": op_id, "type": "subscribe", "payload": payload})
        message = await self._answer(self.transport, op_id)
        if message["type"] == "error":  # a refusal: the payload is the list of errors
            return verdict_of({"errors": message["payload"]})
        assert message["type"] == "next", message
        completed = await self._answer(self.transport, op_id)
        assert completed["type"] == "complete", completed
        return verdict_of(message["payload"])

    async def _over_legacy_ws(self, payload: Mapping[str, Any]) -> Verdict:
        op_id = str(next(self._ids))
        await self.legacy.start(payload, id=op_id)
        message = await self._answer(self.legacy, op_id)
        if message["type"] == "error":  # a refusal: the payload is one error
            return verdict_of({"errors": [message["payload"]]})
        assert message["type"] == "data", message
        completed = await self._answer(self.legacy, op_id)
        assert completed["type"] == "complete", completed
        return verdict_of(message["payload"])

    @staticmethod
    async def _answer(socket: TransportWS | LegacyWS, op_id: str) -> dict[str, Any]:
        message = await socket.receive(timeout=15)
        assert message.get("id") == op_id, message
        return message
