"""Racing requests: one permit per idempotency key, one cancel, one active permit per trip.

Run for real on PostgreSQL (and on SQLite): the requests are sent at once through the
app, each on its own connection from the pool.
"""

from __future__ import annotations

import asyncio

from demo.demo_population import GUARDIAN, SARA, demo_permit_id
from resolvers.global_ids import encode_global_id
from tests.support.permit_helpers import CANCEL, ISSUE, count_rows, in_days, permit_input


async def test_identical_concurrent_requests_create_one_permit(fresh_gateway) -> None:
    token = fresh_gateway.token(GUARDIAN.national_id)
    variables = {
        "input": permit_input(
            SARA.national_id, today=fresh_gateway.today(), idempotencyKey="holiday-2026"
        )
    }
    before = await count_rows(fresh_gateway)

    results = await asyncio.gather(
        *(fresh_gateway.graphql(ISSUE, variables, token=token) for _ in range(10))
    )

    assert all(r["data"]["issueTravelPermit"]["permit"] for r in results), results
    ids = {r["data"]["issueTravelPermit"]["permit"]["id"] for r in results}
    assert len(ids) == 1
    assert all(r["data"]["issueTravelPermit"]["errors"] == [] for r in results)
    assert (await count_rows(fresh_gateway))["permits"] == before["permits"] + 1


async def test_two_concurrent_cancels_end_in_one_cancellation(fresh_gateway) -> None:
    token = fresh_gateway.token(GUARDIAN.national_id)
    permit_id = encode_global_id("TravelPermit", demo_permit_id(1))
    before = await count_rows(fresh_gateway)

    results = await asyncio.gather(
        *(fresh_gateway.graphql(CANCEL, {"id": permit_id}, token=token) for _ in range(2))
    )

    outcomes = sorted(
        (r["data"]["cancelTravelPermit"]["errors"] or [{"code": "CANCELLED"}])[0]["code"]
        for r in results
    )
    assert outcomes == ["CANCELLED", "PERMIT_NOT_CANCELLABLE"]
    after = await count_rows(fresh_gateway)
    assert after["history"] == before["history"] + 1
    assert after["changes"] == before["changes"] + 1


async def test_racing_overlapping_permits_cannot_both_become_active(fresh_gateway) -> None:
    token = fresh_gateway.token(GUARDIAN.national_id)
    requests = [
        permit_input(
            SARA.national_id,
            today=fresh_gateway.today(),
            destinations=["TR"],
            validFrom=in_days(10 + n),
            validUntil=in_days(20 + n),
            idempotencyKey=f"race-{n}",
        )
        for n in range(6)
    ]

    results = await asyncio.gather(
        *(fresh_gateway.graphql(ISSUE, {"input": request}, token=token) for request in requests)
    )

    payloads = [r["data"]["issueTravelPermit"] for r in results]
    created = [p for p in payloads if p["permit"]]
    refused = [p["errors"][0]["code"] for p in payloads if not p["permit"]]
    assert len(created) == 1
    assert refused == ["OVERLAPPING_PERMIT"] * 5
