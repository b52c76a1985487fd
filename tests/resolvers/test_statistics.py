"""The dashboard's counters: they agree with the registry; stats scope and sane range only."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from datasources.passports.tables import permit_status_changes, travel_permits
from demo.demo_population import GUARDIAN, KHALID, OPERATOR, SARA
from gateway import gateway_of
from tests.support.contract_documents import contract_document
from tests.support.permit_helpers import issue
from tests.support.running_gateway import also_at_2330_utc

BOARD = contract_document("dashboard/PermitBoard.graphql")


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


@also_at_2330_utc("fresh_gateway")
async def test_statistics_agree_with_the_registry(fresh_gateway) -> None:
    await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    today = fresh_gateway.today()
    start, end = today - timedelta(days=360), today + timedelta(days=1)
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
