"""Issuing a travel permit: every rule, idempotency, and the agency's review."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from demo.demo_population import FAISAL, GUARDIAN, KHALID, NOURA, OMAR, SARA, YOUSEF
from gateway import gateway_of
from tests.factories import make_family
from tests.permit_helpers import PERMIT_DETAILS, count_rows, day, issue


async def test_a_request_is_created_pending(fresh_gateway) -> None:
    before = await count_rows(fresh_gateway)
    result = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        SARA.national_id,
        destinations=["fr", "IT"],
        kind="MULTIPLE_TRIPS",
    )
    permit = result["permit"]
    assert result["errors"] == []
    assert permit["status"] == "PENDING"
    assert permit["kind"] == "MULTIPLE_TRIPS"
    assert re.fullmatch(r"TP-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", permit["number"])
    assert permit["traveller"] == {"nationalId": SARA.national_id}
    assert [d["code"] for d in permit["destinations"]] == ["FR", "IT"]
    assert await count_rows(fresh_gateway) == {name: count + 1 for name, count in before.items()}


async def test_the_same_key_returns_the_same_permit(fresh_gateway) -> None:
    first = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id, idempotencyKey="k1")
    again = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id, idempotencyKey="k1")
    other = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        SARA.national_id,
        idempotencyKey="k1",
        destinations=["DE"],
    )
    assert again["permit"]["id"] == first["permit"]["id"]
    assert other["permit"] is None
    assert other["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize(
    ("traveller", "changes", "code", "field"),
    [
        (OMAR.national_id, {}, "NOT_GUARDIAN_OF_TRAVELLER", "travellerNationalId"),
        ("1112045870", {}, "INVALID_NATIONAL_ID", "travellerNationalId"),
        (FAISAL.national_id, {}, "TRAVELLER_OVER_AGE_LIMIT", "travellerNationalId"),
        (YOUSEF.national_id, {}, "TRAVELLER_OVER_AGE_LIMIT", "travellerNationalId"),
        (NOURA.national_id, {}, "TRAVELLER_MARRIED", "travellerNationalId"),
        (SARA.national_id, {"validFrom": day(-1)}, "VALID_FROM_IN_PAST", "validFrom"),
        (
            SARA.national_id,
            {"validFrom": day(400), "validUntil": day(410)},
            "VALID_FROM_TOO_FAR",
            "validFrom",
        ),
        (SARA.national_id, {"validUntil": day(10)}, "VALID_UNTIL_NOT_AFTER_START", "validUntil"),
        (SARA.national_id, {"validUntil": day(10 + 365)}, "VALIDITY_TOO_LONG", "validUntil"),
        (SARA.national_id, {"destinations": ["FR", "XX"]}, "UNKNOWN_COUNTRY", "destinations"),
        (SARA.national_id, {"destinations": ["FR", "fr"]}, "DUPLICATE_DESTINATION", "destinations"),
        (SARA.national_id, {"destinations": ["AE"]}, "OVERLAPPING_PERMIT", "validFrom"),
        (
            SARA.national_id,
            {"destinations": [], "validFrom": day(75), "validUntil": day(80)},
            "OVERLAPPING_PERMIT",
            "validFrom",
        ),
        (
            SARA.national_id,
            {"idempotencyKey": "x" * 101},
            "INVALID_IDEMPOTENCY_KEY",
            "idempotencyKey",
        ),
    ],
    ids=[
        "not-guardian",
        "malformed-id",
        "over-age",
        "over-age-in-hijri-years",
        "married",
        "starts-in-past",
        "starts-too-far",
        "ends-before-start",
        "too-long",
        "unknown-country",
        "repeated-country",
        "overlaps-approved",
        "all-countries-overlaps-pending",
        "long-key",
    ],
)
async def test_each_rule_is_a_coded_error_that_creates_nothing(
    fresh_gateway, traveller, changes, code, field
) -> None:
    before = await count_rows(fresh_gateway)
    result = await issue(fresh_gateway, GUARDIAN.national_id, traveller, locale="ar", **changes)
    assert result["permit"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [(code, field)]
    assert re.search("[\u0600-\u06ff]", result["errors"][0]["message"])
    assert await count_rows(fresh_gateway) == before


async def test_all_failures_are_reported_together(fresh_gateway) -> None:
    result = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        NOURA.national_id,
        validFrom=day(-3),
        destinations=["ZZ"],
    )
    assert {e["code"] for e in result["errors"]} == {
        "TRAVELLER_MARRIED",
        "VALID_FROM_IN_PAST",
        "UNKNOWN_COUNTRY",
    }


async def test_a_child_who_turns_21_during_the_permit_is_refused(fresh_gateway) -> None:
    # 21 Hijri years are about 7,441 days; this child reaches them 15 days from now.
    born = date.today() - timedelta(days=7441 - 15)
    guardian, (child,) = await make_family(fresh_gateway, dependents=1, permits_each=0, born=born)
    short = await issue(fresh_gateway, guardian, child, validFrom=day(1), validUntil=day(5))
    long = await issue(fresh_gateway, guardian, child, validFrom=day(1), validUntil=day(40))
    assert short["errors"] == []
    assert long["errors"][0]["code"] == "TRAVELLER_OVER_AGE_LIMIT"


async def test_a_traveller_without_a_passport_is_refused(fresh_gateway) -> None:
    guardian, (child,) = await make_family(
        fresh_gateway, dependents=1, permits_each=0, child_passports=False
    )
    result = await issue(fresh_gateway, guardian, child)
    assert result["errors"][0]["code"] == "TRAVELLER_HAS_NO_PASSPORT"


async def test_the_agency_approves_or_rejects_with_a_reason(fresh_gateway) -> None:
    approved = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    banned = await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    advisory = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        SARA.national_id,
        destinations=["SD"],
        validFrom=day(100),
        validUntil=day(110),
    )
    review = gateway_of(fresh_gateway.app).agency_review

    token = fresh_gateway.token(GUARDIAN.national_id)

    async def outcome(result):
        details = await fresh_gateway.graphql(
            PERMIT_DETAILS, {"id": result["permit"]["id"]}, token=token
        )
        permit = details["data"]["travelPermit"]
        return (
            permit["status"],
            (permit["statusReason"] or {}).get("code"),
            [step["status"] for step in permit["history"]],
        )

    await review.review_due(older_than=timedelta(minutes=1))  # not due yet: submitted just now
    assert (await outcome(approved))[0] == "PENDING"
    fresh_gateway.clock.advance(minutes=2)
    await review.review_due(older_than=timedelta(minutes=1))

    assert await outcome(approved) == ("APPROVED", None, ["PENDING", "APPROVED"])
    assert await outcome(banned) == (
        "REJECTED",
        "TRAVELLER_HAS_TRAVEL_BAN",
        ["PENDING", "REJECTED"],
    )
    assert await outcome(advisory) == (
        "REJECTED",
        "DESTINATION_UNDER_ADVISORY",
        ["PENDING", "REJECTED"],
    )


async def test_a_passport_expiring_before_the_permit_ends_is_rejected(fresh_gateway) -> None:
    guardian, (child,) = await make_family(
        fresh_gateway, dependents=1, permits_each=0, passport_days_left=15
    )
    result = await issue(fresh_gateway, guardian, child, validFrom=day(10), validUntil=day(20))
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS, {"id": result["permit"]["id"]}, token=fresh_gateway.token(guardian)
    )
    assert details["data"]["travelPermit"]["statusReason"]["code"] == (
        "PASSPORT_EXPIRES_BEFORE_PERMIT_ENDS"
    )


async def test_approved_permits_expire_after_their_last_day(fresh_gateway) -> None:
    result = await issue(
        fresh_gateway, GUARDIAN.national_id, SARA.national_id, validFrom=day(0), validUntil=day(3)
    )
    review = gateway_of(fresh_gateway.app).agency_review
    await review.review_due()
    fresh_gateway.clock.advance(days=5)
    assert await review.expire_due() >= 1
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS,
        {"id": result["permit"]["id"]},
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    permit = details["data"]["travelPermit"]
    assert permit["status"] == "EXPIRED"
    assert [s["status"] for s in permit["history"]] == ["PENDING", "APPROVED", "EXPIRED"]
