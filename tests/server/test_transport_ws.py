"""The graphql-transport-ws handler: messages go out as text frames (browsers cannot read
binary ones); bad credentials close with 4403, a silent socket with 4408; the server pings
and drops peers that stop answering."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from demo.demo_population import GUARDIAN, OPERATOR
from gateway import create_app
from tests.support.live_server import TransportWS, serving


def bearer(gateway, person):
    return {"Authorization": f"Bearer {gateway.token(person.national_id)}"}


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


@pytest.mark.parametrize(
    "payload",
    [{}, {"Authorization": "Bearer not-a-token"}, {"token": "x.y.z"}],
    ids=["no-token", "garbage", "garbage-token-field"],
)
async def test_bad_credentials_close_the_socket_with_4403(fresh_gateway, payload) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, payload, acknowledge=False) as client,
    ):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd.code == 4403


async def test_a_silent_socket_is_closed_after_the_init_timeout(fresh_gateway) -> None:
    settings = fresh_gateway.settings.model_copy(update={"connection_init_timeout_seconds": 0.3})
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        serving(app) as url,
        TransportWS.connect(url, None) as client,
    ):
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await client.receive(timeout=3)
    assert closed.value.rcvd.code == 4408


async def test_the_server_pings_and_drops_peers_that_stop_answering(fresh_gateway, monkeypatch):
    from server.transport_ws import KEEP_ALIVE_CLOSE_CODE, TransportWSProtocol

    monkeypatch.setattr(TransportWSProtocol, "ping_interval", 0.2)
    monkeypatch.setattr(TransportWSProtocol, "idle_timeout", 0.7)
    async with serving(fresh_gateway.app) as url:
        async with TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as answering:
            for _ in range(8):  # receive() answers every ping with a pong
                with pytest.raises(TimeoutError):
                    await answering.receive(timeout=0.2)
            assert answering.socket.close_code is None
        async with TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as silent:
            pings = 0
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    message = json.loads(await asyncio.wait_for(silent.socket.recv(), 3))
                    pings += message["type"] == "ping"
    assert pings >= 2
    assert closed.value.rcvd.code == KEEP_ALIVE_CLOSE_CODE
