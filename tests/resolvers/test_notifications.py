"""Notifications of decisions: in the list, live, and an SMS for rejections."""

from __future__ import annotations

import asyncio

from demo.demo_population import GUARDIAN, KHALID, SARA
from gateway import gateway_of
from tests.support.live_server import TransportWS, serving
from tests.support.permit_helpers import issue

MY_NOTIFICATIONS = """{ myNotifications(first: 10) { totalCount
  edges { node { kind title message permitNumber } } } }"""


async def wait_for(condition, seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_decisions_become_notifications_and_rejections_an_sms(fresh_gateway) -> None:
    approved = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    rejected = await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    outbox = gateway_of(fresh_gateway.app).stores.sms
    sms_before = len(await outbox.messages(GUARDIAN.national_id, limit=100))
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    token = fresh_gateway.token(GUARDIAN.national_id)

    async def both_notified() -> bool:
        result = await fresh_gateway.graphql(MY_NOTIFICATIONS, token=token)
        numbers = {e["node"]["permitNumber"] for e in result["data"]["myNotifications"]["edges"]}
        return {approved["permit"]["number"], rejected["permit"]["number"]} <= numbers

    await wait_for(both_notified)
    arabic = await fresh_gateway.graphql(MY_NOTIFICATIONS, token=token, locale="ar")
    by_number = {
        e["node"]["permitNumber"]: e["node"] for e in arabic["data"]["myNotifications"]["edges"]
    }
    assert by_number[approved["permit"]["number"]]["kind"] == "PERMIT_APPROVED"
    refusal = by_number[rejected["permit"]["number"]]
    assert refusal["kind"] == "PERMIT_REJECTED"
    assert "ممنوع من السفر" in refusal["message"]  # the reason, in Arabic

    sms = await outbox.messages(GUARDIAN.national_id, limit=100)
    assert len(sms) == sms_before + 1  # the rejection only
    assert rejected["permit"]["number"] in sms[0].body


async def test_notifications_arrive_live(fresh_gateway) -> None:
    query = "subscription { notifications { kind permitNumber message } }"
    bearer = {
        "Authorization": f"Bearer {fresh_gateway.token(GUARDIAN.national_id)}",
        "Accept-Language": "en",
    }
    async with serving(fresh_gateway.app) as url, TransportWS.connect(url, bearer) as client:
        await client.subscribe(query)
        await asyncio.sleep(0.2)
        created = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        await gateway_of(fresh_gateway.app).agency_review.review_due()
        # The demo's own pending request is decided in the same review: two notifications.
        notes = [n["notifications"] for n in await client.next_events(2)]
    ours = next(n for n in notes if n["permitNumber"] == created["permit"]["number"])
    assert ours["kind"] == "PERMIT_APPROVED"
    assert "Sara Abdullah Al-Harbi" in ours["message"]
