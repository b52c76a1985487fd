"""Live permit status over graphql-transport-ws: who sees what, resuming, limits, clean-up."""

from __future__ import annotations

import asyncio

from demo.demo_population import GUARDIAN, OPERATOR, RESIDENT_GUARDIAN, SARA, demo_permit_id
from gateway import create_app, gateway_of
from resolvers.global_ids import encode_global_id
from tests.support.contract_documents import contract_document
from tests.support.live_server import TransportWS, serving
from tests.support.permit_helpers import cancel, issue

WATCH = contract_document("frontend/WatchMyPermits.graphql")
LIVE = contract_document("dashboard/LivePermits.graphql")


def bearer(gateway, person, scopes=()):
    return {"Authorization": f"Bearer {gateway.token(person.national_id, scopes)}"}


async def test_a_guardian_follows_a_request_until_the_agency_decides(fresh_gateway) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as client,
    ):
        await client.subscribe(WATCH)
        await asyncio.sleep(0.2)
        created = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        [pending] = await client.next_events(1)
        await gateway_of(fresh_gateway.app).agency_review.review_due()
        [approved] = await client.next_events(1)

    event = pending["travelPermitStatusChanged"]
    assert event["permit"]["id"] == created["permit"]["id"]
    assert (event["previousStatus"], event["status"]) == (None, "PENDING")
    decided = approved["travelPermitStatusChanged"]
    assert (decided["previousStatus"], decided["status"]) == ("PENDING", "APPROVED")
    assert decided["permit"]["status"] == "APPROVED"


async def test_a_guardian_never_sees_another_familys_events_and_an_operator_sees_all(
    fresh_gateway,
) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, bearer(fresh_gateway, RESIDENT_GUARDIAN)) as other_family,
        TransportWS.connect(
            url, bearer(fresh_gateway, OPERATOR, ("permits:watch-all",))
        ) as operator,
    ):
        await other_family.subscribe(WATCH)
        await operator.subscribe(LIVE)
        await asyncio.sleep(0.2)
        await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        [seen] = await operator.next_events(1)
        await other_family.expect_silence()
    assert seen["travelPermitStatusChanged"]["permit"]["traveller"] == {
        "nationalId": SARA.national_id
    }


async def resume_after(url, gateway, cursor, count):
    async with TransportWS.connect(url, bearer(gateway, GUARDIAN)) as client:
        await client.subscribe(WATCH, {"after": cursor})
        events = await client.next_events(count)
        await client.expect_silence()
    return [(e["travelPermitStatusChanged"]["status"]) for e in events], events


async def test_reconnecting_with_the_last_cursor_delivers_exactly_what_was_missed(
    fresh_gateway,
) -> None:
    async with serving(fresh_gateway.app) as url:
        async with TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as client:
            await client.subscribe(WATCH)
            await asyncio.sleep(0.2)
            await cancel(
                fresh_gateway,
                GUARDIAN.national_id,
                encode_global_id("TravelPermit", demo_permit_id(2)),
            )
            [last_seen] = await client.next_events(1)
        cursor = last_seen["travelPermitStatusChanged"]["cursor"]

        # While disconnected: three changes.
        created = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        await gateway_of(fresh_gateway.app).agency_review.review_due()
        await cancel(fresh_gateway, GUARDIAN.national_id, created["permit"]["id"])
        await asyncio.sleep(0.3)  # let the relay deliver them live too

        statuses, events = await resume_after(url, fresh_gateway, cursor, 3)
    assert statuses == ["PENDING", "APPROVED", "CANCELLED"]
    cursors = [e["travelPermitStatusChanged"]["cursor"] for e in events]
    assert len(set(cursors)) == 3

    # The same after the gateway restarts: a new process reads the same change log.
    restarted = create_app(fresh_gateway.settings, clock=fresh_gateway.clock)
    async with restarted.router.lifespan_context(restarted), serving(restarted) as url:
        statuses_again, _ = await resume_after(url, fresh_gateway, cursor, 3)
    assert statuses_again == statuses


async def test_a_closed_socket_leaves_nothing_behind(fresh_gateway) -> None:
    fan_out = gateway_of(fresh_gateway.app).services.events
    before = fan_out.subscriber_count
    async with serving(fresh_gateway.app) as url:
        async with TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as client:
            await client.subscribe(WATCH, id="a")
            await client.subscribe(WATCH, id="b")
            await asyncio.sleep(0.3)
            assert fan_out.subscriber_count == before + 2
        for _ in range(50):
            if fan_out.subscriber_count == before:
                break
            await asyncio.sleep(0.05)
    assert fan_out.subscriber_count == before
    slots = gateway_of(fresh_gateway.app).services.subscription_slots
    assert await slots.held_by(GUARDIAN.national_id) == 0


async def test_a_person_may_hold_ten_subscriptions(fresh_gateway) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as first,
        TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as second,
    ):
        for n in range(6):
            await first.subscribe(WATCH, id=f"a{n}")
        for n in range(4):
            await second.subscribe(WATCH, id=f"b{n}")
        await asyncio.sleep(0.3)
        await second.subscribe(WATCH, id="eleventh")
        refused = await second.receive()
    assert refused["id"] == "eleventh"
    assert refused["type"] in ("next", "error")
    errors = refused["payload"]["errors"] if refused["type"] == "next" else refused["payload"]
    assert errors[0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_REACHED"


async def test_a_bad_cursor_is_a_coded_error(fresh_gateway) -> None:
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, bearer(fresh_gateway, GUARDIAN)) as client,
    ):
        await client.subscribe(WATCH, {"after": "not-a-cursor"})
        message = await client.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "INVALID_CURSOR"
