"""Issuing a travel permit: every rule, idempotency, and the agency's review. Cancelling one:
only by its guardian, only while PENDING or APPROVED, exactly once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from demo.demo_population import (
    FAISAL,
    GUARDIAN,
    KHALID,
    NOURA,
    OMAR,
    RESIDENT_GUARDIAN,
    SARA,
    YOUSEF,
    demo_permit_id,
)
from gateway import gateway_of
from resolvers.global_ids import encode_global_id
from tests.support.factories import make_family
from tests.support.permit_helpers import PERMIT_DETAILS, cancel, count_rows, in_days, issue
from tests.support.running_gateway import also_at_2330_utc

SARAS_APPROVED = encode_global_id("TravelPermit", demo_permit_id(1))
KHALIDS_REJECTED = encode_global_id("TravelPermit", demo_permit_id(7))


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


@also_at_2330_utc("fresh_gateway")
@pytest.mark.parametrize(
    ("traveller", "changes", "code", "field"),
    [
        (OMAR.national_id, {}, "NOT_GUARDIAN_OF_TRAVELLER", "travellerNationalId"),
        ("1112045870", {}, "INVALID_NATIONAL_ID", "travellerNationalId"),
        (FAISAL.national_id, {}, "TRAVELLER_OVER_AGE_LIMIT", "travellerNationalId"),
        (YOUSEF.national_id, {}, "TRAVELLER_OVER_AGE_LIMIT", "travellerNationalId"),
        (NOURA.national_id, {}, "TRAVELLER_MARRIED", "travellerNationalId"),
        (SARA.national_id, {"validFrom": in_days(-1)}, "VALID_FROM_IN_PAST", "validFrom"),
        (
            SARA.national_id,
            {"validFrom": in_days(400), "validUntil": in_days(410)},
            "VALID_FROM_TOO_FAR",
            "validFrom",
        ),
        (
            SARA.national_id,
            {"validUntil": in_days(10)},
            "VALID_UNTIL_NOT_AFTER_START",
            "validUntil",
        ),
        (SARA.national_id, {"validUntil": in_days(10 + 365)}, "VALIDITY_TOO_LONG", "validUntil"),
        (SARA.national_id, {"destinations": ["FR", "XX"]}, "UNKNOWN_COUNTRY", "destinations"),
        (SARA.national_id, {"destinations": ["FR", "fr"]}, "DUPLICATE_DESTINATION", "destinations"),
        (
            SARA.national_id,
            {"destinations": ["FR", "sa"]},
            "DESTINATION_IS_HOME_COUNTRY",
            "destinations",
        ),
        (SARA.national_id, {"destinations": ["AE"]}, "OVERLAPPING_PERMIT", "validFrom"),
        (
            SARA.national_id,
            {"destinations": [], "validFrom": in_days(75), "validUntil": in_days(80)},
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
        "home-country",
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


async def test_a_residents_child_may_travel_to_their_nationality_but_not_to_the_kingdom(
    fresh_gateway,
) -> None:
    # A resident's permit, like a citizen's, is for leaving Saudi Arabia: the country of the
    # traveller's nationality (Egypt for Omar) is abroad.
    dates = {"validFrom": in_days(100), "validUntil": in_days(110)}
    guardian, child = RESIDENT_GUARDIAN.national_id, OMAR.national_id
    home = await issue(fresh_gateway, guardian, child, destinations=["SA"], **dates)
    nationality = await issue(fresh_gateway, guardian, child, destinations=["EG"], **dates)
    assert [(e["code"], e["field"]) for e in home["errors"]] == [
        ("DESTINATION_IS_HOME_COUNTRY", "destinations")
    ]
    assert nationality["errors"] == []


async def test_all_failures_are_reported_together(fresh_gateway) -> None:
    result = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        NOURA.national_id,
        validFrom=in_days(-3),
        destinations=["ZZ"],
    )
    assert {e["code"] for e in result["errors"]} == {
        "TRAVELLER_MARRIED",
        "VALID_FROM_IN_PAST",
        "UNKNOWN_COUNTRY",
    }


@also_at_2330_utc("fresh_gateway")
async def test_a_child_who_turns_21_during_the_permit_is_refused(fresh_gateway) -> None:
    # 21 Hijri years are about 7,441 days; this child reaches them 15 days from now.
    born = fresh_gateway.today() - timedelta(days=7441 - 15)
    guardian, (child,) = await make_family(fresh_gateway, dependents=1, permits_each=0, born=born)
    short = await issue(fresh_gateway, guardian, child, validFrom=in_days(1), validUntil=in_days(5))
    long = await issue(fresh_gateway, guardian, child, validFrom=in_days(1), validUntil=in_days(40))
    assert short["errors"] == []
    assert long["errors"][0]["code"] == "TRAVELLER_OVER_AGE_LIMIT"


async def test_a_traveller_without_a_passport_is_refused(fresh_gateway) -> None:
    guardian, (child,) = await make_family(
        fresh_gateway, dependents=1, permits_each=0, child_passports=False
    )
    result = await issue(fresh_gateway, guardian, child)
    assert result["errors"][0]["code"] == "TRAVELLER_HAS_NO_PASSPORT"


@also_at_2330_utc("fresh_gateway")
async def test_the_agency_approves_or_rejects_with_a_reason(fresh_gateway) -> None:
    approved = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    banned = await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    advisory = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        SARA.national_id,
        destinations=["SD"],
        validFrom=in_days(100),
        validUntil=in_days(110),
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


@also_at_2330_utc("fresh_gateway")
async def test_a_passport_expiring_before_the_permit_ends_is_rejected(fresh_gateway) -> None:
    guardian, (child,) = await make_family(
        fresh_gateway, dependents=1, permits_each=0, passport_days_left=15
    )
    result = await issue(
        fresh_gateway, guardian, child, validFrom=in_days(10), validUntil=in_days(20)
    )
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS, {"id": result["permit"]["id"]}, token=fresh_gateway.token(guardian)
    )
    assert details["data"]["travelPermit"]["statusReason"]["code"] == (
        "PASSPORT_EXPIRES_BEFORE_PERMIT_ENDS"
    )


@also_at_2330_utc("fresh_gateway")
async def test_approved_permits_expire_after_their_last_day(fresh_gateway) -> None:
    result = await issue(
        fresh_gateway,
        GUARDIAN.national_id,
        SARA.national_id,
        validFrom=in_days(0),
        validUntil=in_days(3),
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
