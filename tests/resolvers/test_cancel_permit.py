"""Cancelling a permit: only by its guardian, only while PENDING or APPROVED, exactly once."""

from __future__ import annotations

from demo.demo_population import (
    GUARDIAN,
    KHALID,
    RESIDENT_GUARDIAN,
    SARA,
    demo_permit_id,
)
from resolvers.global_ids import encode_global_id
from tests.permit_helpers import PERMIT_DETAILS, cancel, count_rows, issue

SARAS_APPROVED = encode_global_id("TravelPermit", demo_permit_id(1))
KHALIDS_REJECTED = encode_global_id("TravelPermit", demo_permit_id(7))


async def test_the_guardian_cancels_with_a_reason(fresh_gateway) -> None:
    result = await cancel(fresh_gateway, GUARDIAN.national_id, SARAS_APPROVED, "Trip postponed")
    assert result["errors"] == []
    assert result["permit"]["status"] == "CANCELLED"
    assert result["permit"]["statusReason"]["code"] == "CANCELLED_BY_GUARDIAN"
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS.replace("at\n", "at note\n"),
        {"id": SARAS_APPROVED},
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    history = details["data"]["travelPermit"]["history"]
    assert [(step["status"], step["note"]) for step in history] == [
        ("PENDING", None),
        ("APPROVED", None),
        ("CANCELLED", "Trip postponed"),
    ]


async def test_cancelling_twice_is_an_error_with_a_code(fresh_gateway) -> None:
    await cancel(fresh_gateway, GUARDIAN.national_id, SARAS_APPROVED)
    before = await count_rows(fresh_gateway)
    again = await cancel(fresh_gateway, GUARDIAN.national_id, SARAS_APPROVED)
    assert again["permit"] is None
    assert again["errors"][0]["code"] == "PERMIT_NOT_CANCELLABLE"
    assert "cancelled" in again["errors"][0]["message"]
    assert await count_rows(fresh_gateway) == before


async def test_rejected_permits_cannot_be_cancelled(fresh_gateway) -> None:
    result = await cancel(fresh_gateway, GUARDIAN.national_id, KHALIDS_REJECTED)
    assert result["errors"][0]["code"] == "PERMIT_NOT_CANCELLABLE"


async def test_only_the_issuing_guardian_may_cancel(fresh_gateway) -> None:
    for viewer in (RESIDENT_GUARDIAN, SARA, KHALID):
        result = await cancel(fresh_gateway, viewer.national_id, SARAS_APPROVED)
        assert result == {
            "permit": None,
            "errors": [
                {
                    "code": "NOT_FOUND",
                    "message": result["errors"][0]["message"],
                    "field": "permitId",
                }
            ],
        }
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS, {"id": SARAS_APPROVED}, token=fresh_gateway.token(GUARDIAN.national_id)
    )
    assert details["data"]["travelPermit"]["status"] == "APPROVED"


async def test_malformed_ids_and_long_reasons_are_coded(fresh_gateway) -> None:
    garbage = await cancel(fresh_gateway, GUARDIAN.national_id, "nonsense")
    long = await cancel(fresh_gateway, GUARDIAN.national_id, SARAS_APPROVED, "x" * 201)
    assert garbage["errors"][0]["code"] == "NOT_FOUND"
    assert long["errors"][0] == {
        "code": "REASON_TOO_LONG",
        "field": "reason",
        "message": long["errors"][0]["message"],
    }


async def test_cancelling_frees_the_dates_for_a_new_permit(fresh_gateway) -> None:
    overlapping = {"destinations": ["AE"]}
    refused = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id, **overlapping)
    await cancel(fresh_gateway, GUARDIAN.national_id, SARAS_APPROVED)
    accepted = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id, **overlapping)
    assert refused["errors"][0]["code"] == "OVERLAPPING_PERMIT"
    assert accepted["errors"] == []
