"""Notifications of decisions (SMS for rejections) and the dashboard's counters."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from datasources.passports.tables import permit_status_changes, travel_permits
from demo.demo_population import GUARDIAN, KHALID, OPERATOR, SARA
from gateway import gateway_of
from tests.contract_documents import contract_document
from tests.live_server import TransportWS, serving
from tests.permit_helpers import issue

MY_NOTIFICATIONS = """{ myNotifications(first: 10) { totalCount
  edges { node { kind title message permitNumber } } } }"""
BOARD = contract_document("dashboard/PermitBoard.graphql")


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


async def registry_counts(gateway, start: date, end: date) -> dict[str, int]:
    """The same counts straight from the registry, independently of the gateway's SQL."""
    engine = gateway_of(gateway.app).stores.passports.engine
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(travel_permits.c.status, travel_permits.c.created_at))
        ).all()
    counts: dict[str, int] = {}
    for status, created in rows:
        riyadh_day = (created + timedelta(hours=3)).date()
        if start <= riyadh_day <= end:
            counts[status] = counts.get(status, 0) + 1
    return counts


async def test_statistics_agree_with_the_registry(fresh_gateway) -> None:
    await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    start, end = date.today() - timedelta(days=360), date.today() + timedelta(days=1)
    token = fresh_gateway.token(OPERATOR.national_id, ("stats:read",))

    result = await fresh_gateway.graphql(
        BOARD, {"from": start.isoformat(), "to": end.isoformat()}, token=token
    )
    assert "errors" not in result, result
    board = result["data"]["permitStatistics"]
    expected = await registry_counts(fresh_gateway, start, end)

    assert board["total"] == sum(expected.values())
    assert {s["status"]: s["count"] for s in board["byStatus"] if s["count"]} == expected
    assert len(board["byDay"]) == (end - start).days + 1
    assert sum(day["requested"] for day in board["byDay"]) == board["total"]
    engine = gateway_of(fresh_gateway.app).stores.passports.engine
    async with engine.connect() as connection:
        approvals = (
            await connection.execute(
                select(func.count()).where(permit_status_changes.c.status == "APPROVED")
            )
        ).scalar_one()
    assert sum(day["approved"] for day in board["byDay"]) == approvals


async def test_statistics_need_the_stats_scope_and_a_sane_range(gateway) -> None:
    variables = {"from": "2026-01-01", "to": "2026-01-31"}
    person = await gateway.graphql(BOARD, variables, token=gateway.token(GUARDIAN.national_id))
    backwards = await gateway.graphql(
        BOARD,
        {"from": "2026-02-01", "to": "2026-01-01"},
        token=gateway.token(OPERATOR.national_id, ("stats:read",)),
    )
    too_long = await gateway.graphql(
        BOARD,
        {"from": "2020-01-01", "to": "2026-01-01"},
        token=gateway.token(OPERATOR.national_id, ("stats:read",)),
    )
    assert person["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID_DATE_RANGE"
    assert too_long["errors"][0]["extensions"]["code"] == "DATE_RANGE_TOO_LONG"
