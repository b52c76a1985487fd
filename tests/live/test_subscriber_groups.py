"""Fan-out that encodes once: groups, identical bytes, slow members, clean-up, resuming."""

from __future__ import annotations

import asyncio
import collections

import orjson
from graphql import parse

from demo.demo_population import GUARDIAN, SARA, demo_permit_id
from errors import SubscriberTooSlow
from gateway import gateway_of
from live.connection_outbox import ConnectionOutbox
from live.shared_documents import shareable
from live.subscriber_groups import GroupMember, SubscriberGroup
from resolvers.pagination import decode_sequence_cursor, encode_sequence_cursor
from tests.support.contract_documents import contract_document
from tests.support.factories import dashboard_context, permit_event
from tests.support.live_server import TransportWS, next_frame, operator, serving, settle
from tests.support.permit_helpers import issue

WATCH = contract_document("frontend/WatchMyPermits.graphql")
LIVE = contract_document("dashboard/LivePermits.graphql")


def only_group(gateway) -> SubscriberGroup:
    groups = gateway_of(gateway.app).subscriber_groups
    [key] = list(groups._groups)
    return groups.group(key)


async def test_a_group_executes_once_per_event_and_sends_everyone_the_same_bytes(
    fresh_gateway,
) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, operator(fresh_gateway, 1)) as first,
        TransportWS.connect(url, operator(fresh_gateway, 2)) as second,
        TransportWS.connect(url, operator(fresh_gateway, 3)) as third,
    ):
        for number, client in enumerate((first, second, third)):
            await client.subscribe(LIVE, id=f"op-{number}")
        await asyncio.sleep(0.2)
        group = only_group(fresh_gateway)
        assert group.subscriber_count == 3
        await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id, destinations=["IT"])
        frames = [[await next_frame(c) for _ in range(2)] for c in (first, second, third)]

    assert group.executions == 2
    for number, received in enumerate(frames):
        for frame in received:
            prefix = f'{{"id":"op-{number}","type":"next","payload":'
            assert frame.startswith(prefix)
    payloads = [[frame.split('"payload":', 1)[1] for frame in received] for received in frames]
    assert payloads[0] == payloads[1] == payloads[2]
    assert payloads[0][0] != payloads[0][1]
    event = orjson.loads(payloads[0][0][:-1])["data"]["travelPermitStatusChanged"]
    assert event["status"] == "PENDING"
    assert event["permit"]["traveller"] == {"nationalId": SARA.national_id}


async def test_languages_documents_and_audiences_make_separate_groups(fresh_gateway) -> None:
    groups = gateway_of(fresh_gateway.app).subscriber_groups
    guardian = {"Authorization": f"Bearer {fresh_gateway.token(GUARDIAN.national_id)}"}
    async with serving(fresh_gateway.app) as url:
        async with (
            TransportWS.connect(url, operator(fresh_gateway, 1, "en")) as english,
            TransportWS.connect(url, operator(fresh_gateway, 2, "ar")) as arabic,
            TransportWS.connect(url, operator(fresh_gateway, 3, "en")) as watching,
            TransportWS.connect(url, guardian) as family,
        ):
            await english.subscribe(LIVE)
            await arabic.subscribe(LIVE)
            await watching.subscribe(WATCH)
            await family.subscribe(WATCH)
            await asyncio.sleep(0.2)
            assert len(groups) == 4
            await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
            for client in (english, arabic, watching, family):
                [event] = await client.next_events(1)
                assert event["travelPermitStatusChanged"]["status"] == "PENDING"
            executions = sorted(groups.group(key).executions for key in list(groups._groups))
        await settle(lambda: len(groups) == 0)
    assert executions == [1, 1, 1, 1]
    assert len(groups) == 0


async def test_a_slow_member_is_closed_while_the_others_receive_everything_in_order(
    gateway,
) -> None:
    services = gateway_of(gateway.app).services
    groups = gateway_of(gateway.app).subscriber_groups
    shared = shareable(gateway_of(gateway.app).schema.graphql_schema, parse(LIVE), "live")
    assert shared is not None
    permit_id = demo_permit_id(1)
    permit = (await services.registries.passports.permits_by_ids([permit_id]))[permit_id]
    stuck = asyncio.Event()  # never set: this peer stops reading
    closed: list[int] = []
    fast_frames: list[bytes] = []

    async def send_stuck(_: bytes) -> None:
        await stuck.wait()

    async def send_fast(frame: bytes) -> None:
        fast_frames.append(frame)

    async def close(code: int, _: str) -> None:
        closed.append(code)

    slow_box = ConnectionOutbox(send_stuck, close, capacity=3)
    fast_box = ConnectionOutbox(send_fast, close, capacity=3)
    context = dashboard_context(services)
    slow = GroupMember("slow", context, slow_box)
    fast = GroupMember("fast", context, fast_box)
    position = services.events.position
    slow.position = fast.position = position
    group = groups.join(shared, {}, context, slow)
    groups.join(shared, {}, context, fast)
    try:
        for n in range(1, 9):
            services.events.deliver([permit_event(position + n, permit)], position + n)
            await settle(lambda n=n: len(fast_frames) == n)
        await settle(lambda: closed == [SubscriberTooSlow.close_code])
    finally:
        groups.leave(group, slow)
        groups.leave(group, fast)
        await slow_box.aclose()
        await fast_box.aclose()
    events = [orjson.loads(f)["payload"]["data"]["travelPermitStatusChanged"] for f in fast_frames]
    cursors = [decode_sequence_cursor(event["cursor"]) for event in events]
    assert cursors == [position + n for n in range(1, 9)]
    assert closed == [SubscriberTooSlow.close_code]
    assert group.executions == 8


def frames_of(member_frames: list[bytes]) -> list[int]:
    return [
        decode_sequence_cursor(
            orjson.loads(frame)["payload"]["data"]["travelPermitStatusChanged"]["cursor"]
        )
        for frame in member_frames
    ]


async def test_live_events_held_during_catch_up_follow_it_once_and_in_order(gateway) -> None:
    services = gateway_of(gateway.app).services
    groups = gateway_of(gateway.app).subscriber_groups
    shared = shareable(gateway_of(gateway.app).schema.graphql_schema, parse(LIVE), "live")
    assert shared is not None
    permit_id = demo_permit_id(1)
    permit = (await services.registries.passports.permits_by_ids([permit_id]))[permit_id]
    sent: list[bytes] = []

    async def send(frame: bytes) -> None:
        sent.append(frame)

    async def close(code: int, _: str) -> None:
        raise AssertionError(f"closed with {code}")

    outbox = ConnectionOutbox(send, close, capacity=100)
    context = dashboard_context(services)
    member = GroupMember("resuming", context, outbox)
    ceiling = services.events.position
    member.position = ceiling
    member.held = collections.deque()
    group = groups.join(shared, {}, context, member)
    try:
        # Live while catching up: one at the ceiling (the log has it too), two after it.
        services.events.deliver(
            [permit_event(ceiling + 1, permit), permit_event(ceiling + 2, permit)], ceiling + 2
        )
        await settle(lambda: len(member.held) == 2)
        assert sent == []  # nothing live overtakes the catch-up
        # The catch-up read the log up to ceiling + 1 (say the relay delivered it first).
        rendered = await group.render(permit_event(ceiling + 1, permit))
        await outbox.put(member.prefix + rendered[0] + "}")
        member.position = ceiling + 1
        member.release_held()
        services.events.deliver([permit_event(ceiling + 3, permit)], ceiling + 3)
        await settle(lambda: len(sent) == 3)
    finally:
        groups.leave(group, member)
        await outbox.aclose()
    assert frames_of(sent) == [ceiling + 1, ceiling + 2, ceiling + 3]


async def test_resuming_across_the_handover_loses_and_repeats_nothing(fresh_gateway) -> None:
    guardian = {"Authorization": f"Bearer {fresh_gateway.token(GUARDIAN.national_id)}"}
    async with serving(fresh_gateway.app) as url:
        async with TransportWS.connect(url, guardian) as first:
            await first.subscribe(WATCH)
            await asyncio.sleep(0.2)
            await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
            [seen] = await first.next_events(1)
        cursor = seen["travelPermitStatusChanged"]["cursor"]
        for country in ("IT", "DE", "ES"):  # missed while away
            await issue(
                fresh_gateway, GUARDIAN.national_id, SARA.national_id, destinations=[country]
            )
        async with TransportWS.connect(url, guardian) as back:
            await back.subscribe(WATCH, {"after": cursor})
            # More events race the catch-up.
            for country in ("NL", "TR"):
                await issue(
                    fresh_gateway, GUARDIAN.national_id, SARA.national_id, destinations=[country]
                )
            events = await back.next_events(5)
            await back.expect_silence()
    cursors = [decode_sequence_cursor(e["travelPermitStatusChanged"]["cursor"]) for e in events]
    assert cursors == sorted(cursors) and len(set(cursors)) == 5
    assert cursors[0] > decode_sequence_cursor(cursor)


def shared_tasks() -> list[asyncio.Task]:
    names = (
        "SubscriberGroup._run",
        "ConnectionOutbox._write",
        "ConnectionOutbox._drain_direct",
        "FanOutTransportWSHandler._catch_up",
    )
    return [
        task
        for task in asyncio.all_tasks()
        if any(name in task.get_coro().__qualname__ for name in names)
    ]


async def test_closing_leaves_no_group_task_or_count_behind(fresh_gateway) -> None:
    groups = gateway_of(fresh_gateway.app).subscriber_groups
    services = gateway_of(fresh_gateway.app).services
    guardian = {"Authorization": f"Bearer {fresh_gateway.token(GUARDIAN.national_id)}"}
    before = len(shared_tasks())
    subscribers = services.events.subscriber_count  # the notifier's own
    async with serving(fresh_gateway.app) as url:
        async with (
            TransportWS.connect(url, guardian) as family,
            TransportWS.connect(url, operator(fresh_gateway, 7)) as board,
        ):
            await family.subscribe(WATCH, id="live")
            await family.subscribe(WATCH, {"after": encode_sequence_cursor(0)}, id="resuming")
            await board.subscribe(LIVE)
            await board.subscribe(LIVE, id="done")
            await asyncio.sleep(0.3)
            assert len(groups) == 2
            assert len(shared_tasks()) > before
            await board.send({"id": "done", "type": "complete"})
            await settle(lambda: only_member_counts(groups) == [1, 2])
            assert await services.subscription_slots.held_by(GUARDIAN.national_id) == 2
        await settle(lambda: len(groups) == 0 and len(shared_tasks()) == before)
    assert len(groups) == 0
    assert services.events.subscriber_count == subscribers
    assert await services.subscription_slots.held_by(GUARDIAN.national_id) == 0
    assert len(shared_tasks()) == before


def only_member_counts(groups) -> list[int]:
    return sorted(groups.group(key).subscriber_count for key in list(groups._groups))
