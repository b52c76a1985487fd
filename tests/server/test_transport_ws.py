"""graphql-transport-ws messages go out as text frames: browsers cannot read binary ones."""

from __future__ import annotations

import json

import pytest
import websockets

from demo.demo_population import OPERATOR
from tests.live_server import serving


@pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True)
async def test_every_message_is_a_text_frame(fresh_gateway) -> None:
    token = fresh_gateway.token(OPERATOR.national_id, ("permits:watch-all",))
    async with (
        serving(fresh_gateway.app) as url,
        websockets.connect(f"{url}/graphql", subprotocols=["graphql-transport-ws"]) as socket,
    ):
        init = {"Authorization": f"Bearer {token}"}
        await socket.send(json.dumps({"type": "connection_init", "payload": init}))
        acknowledged = await socket.recv()
        await socket.send(json.dumps({"type": "ping"}))
        pong = await socket.recv()

    assert isinstance(acknowledged, str) and json.loads(acknowledged)["type"] == "connection_ack"
    assert isinstance(pong, str) and json.loads(pong)["type"] == "pong"
