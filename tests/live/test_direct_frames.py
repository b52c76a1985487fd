"""Fan-out frames written straight to the transport: text frames, each with its own id; a peer
whose transport backs up falls back to its outbox and is closed with 4499; compression keeps
the standard ASGI path."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator

import pytest
import websockets

from demo.demo_population import GUARDIAN, SARA, demo_permit_id
from errors import SubscriberTooSlow
from gateway import gateway_of
from live.direct_frames import text_frame_header
from live.subscriber_groups import SubscriberGroup
from resolvers.pagination import decode_sequence_cursor
from tests.support.contract_documents import contract_document
from tests.support.factories import permit_event
from tests.support.live_server import TransportWS, next_frame, operator, serving, settle
from tests.support.permit_helpers import issue

LIVE = contract_document("dashboard/LivePermits.graphql")


def only_group(gateway) -> SubscriberGroup:
    groups = gateway_of(gateway.app).subscriber_groups
    [key] = list(groups._groups)
    return groups.group(key)


@contextlib.asynccontextmanager
async def two_dashboards(
    gateway, ids: tuple[str, str], per_message_deflate: bool = False
) -> AsyncIterator[tuple[TransportWS, TransportWS]]:
    """Two operators' connections, each subscribed to ``LivePermits`` (one group)."""
    async with (
        serving(gateway.app, per_message_deflate=per_message_deflate) as url,
        TransportWS.connect(url, operator(gateway, 1)) as first,
        TransportWS.connect(url, operator(gateway, 2)) as second,
    ):
        await first.subscribe(LIVE, id=ids[0])
        await second.subscribe(LIVE, id=ids[1])
        await asyncio.sleep(0.2)
        yield first, second


def cursor_of(raw: str | bytes) -> int:
    event = json.loads(raw)["payload"]["data"]["travelPermitStatusChanged"]
    return decode_sequence_cursor(event["cursor"])


def test_frame_headers_follow_rfc_6455() -> None:
    assert text_frame_header(5) == b"\x81\x05"
    assert text_frame_header(125) == b"\x81\x7d"
    assert text_frame_header(126) == b"\x81\x7e\x00\x7e"
    assert text_frame_header(65535) == b"\x81\x7e\xff\xff"
    assert text_frame_header(65536) == b"\x81\x7f" + (65536).to_bytes(8, "big")


@pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True)
@pytest.mark.parametrize("per_message_deflate", [False, True], ids=["direct", "deflate"])
async def test_each_subscriber_gets_a_text_frame_with_its_own_id(
    fresh_gateway, per_message_deflate: bool
) -> None:
    ids = ("first-op", "a-much-longer-operation-id-than-the-first")
    async with two_dashboards(fresh_gateway, ids, per_message_deflate) as (first, second):
        members = list(only_group(fresh_gateway).members)
        await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        frames = [await next_frame(first), await next_frame(second)]

    # Compression is per connection: its frames cannot be prepared once, so they go via ASGI.
    assert {member.direct for member in members} == {not per_message_deflate}
    assert frames[0].startswith('{"id":"first-op","type":"next","payload":{"data":')
    assert frames[1].startswith('{"id":"a-much-longer-operation-id-than-the-first","type":"next"')
    assert frames[0].split('"payload":', 1)[1] == frames[1].split('"payload":', 1)[1]
    assert cursor_of(frames[0]) == cursor_of(frames[1])


async def collect(client: TransportWS, into: list[int]) -> None:
    while True:
        message = json.loads(await client.socket.recv())
        if message["type"] == "ping":
            await client.send({"type": "pong"})
        else:
            into.append(cursor_of(json.dumps(message)))


async def drained(group: SubscriberGroup) -> None:
    while group._events:
        await asyncio.sleep(0.001)


@pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True)
async def test_a_peer_that_stops_reading_is_closed_4499_and_others_get_everything(
    fresh_gateway,
) -> None:
    services = gateway_of(fresh_gateway.app).services
    permit_id = demo_permit_id(1)
    permit = (await services.registries.passports.permits_by_ids([permit_id]))[permit_id]
    capacity, services.events.capacity = services.events.capacity, 20
    received: list[int] = []
    try:
        async with (
            serving(fresh_gateway.app) as url,
            TransportWS.connect(url, operator(fresh_gateway, 1)) as fast,
            TransportWS.connect(url, operator(fresh_gateway, 2)) as stuck,
        ):
            await fast.subscribe(LIVE, id="fast")
            await stuck.subscribe(LIVE, id="stuck")
            await asyncio.sleep(0.2)
            group = only_group(fresh_gateway)
            [stuck_member] = [m for m in group.members if m.prefix.startswith('{"id":"stuck"')]
            assert stuck_member.direct
            shrink_send_buffer(stuck_member)
            stuck.socket.transport.pause_reading()  # this peer stops reading
            reader = asyncio.create_task(collect(fast, received))
            start = services.events.position
            count = 0
            # Until its transport is past the high-water mark and its outbox overflows.
            while not stuck_member.outbox.closed and count < 5000:
                count += 1
                services.events.deliver([permit_event(start + count, permit)], start + count)
                await drained(group)
            await settle(lambda: len(received) == count)
            reader.cancel()
            stuck.socket.transport.resume_reading()
            seen, code = await read_until_closed(stuck)
    finally:
        services.events.capacity = capacity

    assert stuck_member.outbox.closed
    assert received == [start + n for n in range(1, count + 1)]  # in order, once each
    assert code == SubscriberTooSlow.close_code
    # What the slow peer got is an unbroken run from the start: no gap, no repeat.
    assert 0 < len(seen) < count
    assert seen == [start + n for n in range(1, len(seen) + 1)]


def shrink_send_buffer(member) -> None:
    """A small kernel buffer on the server's end, so its transport backs up sooner."""
    server_side = member.outbox._direct._protocol.transport.get_extra_info("socket")
    server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


async def read_until_closed(client: TransportWS) -> tuple[list[int], int | None]:
    seen: list[int] = []
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            message = json.loads(await asyncio.wait_for(client.socket.recv(), 10))
            if message["type"] == "next":
                seen.append(cursor_of(json.dumps(message)))
    return seen, client.socket.close_code


@pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True)
@pytest.mark.parametrize("per_message_deflate", [False, True], ids=["direct", "deflate"])
async def test_subscribers_are_pinged_with_text_frames_and_silent_ones_dropped(
    fresh_gateway, monkeypatch, per_message_deflate: bool
) -> None:
    from server.transport_ws import KEEP_ALIVE_CLOSE_CODE, TransportWSProtocol

    monkeypatch.setattr(TransportWSProtocol, "ping_interval", 0.2)
    monkeypatch.setattr(TransportWSProtocol, "idle_timeout", 0.7)
    ids = ("answering", "silent")
    async with two_dashboards(fresh_gateway, ids, per_message_deflate) as (answering, silent):
        assert {m.direct for m in only_group(fresh_gateway).members} == {not per_message_deflate}
        answer = asyncio.create_task(keep_answering(answering))  # pongs to every ping
        pings: list[str | bytes] = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                pings.append(await asyncio.wait_for(silent.socket.recv(), 3))
        await asyncio.sleep(0.5)
        assert not answer.done() and answering.socket.close_code is None
        answer.cancel()

    assert len(pings) >= 2 and set(pings) == {'{"type":"ping"}'}  # text frames, as str
    assert closed.value.rcvd.code == KEEP_ALIVE_CLOSE_CODE


async def keep_answering(client: TransportWS) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            await client.receive(timeout=1)  # answers every ping with a pong
