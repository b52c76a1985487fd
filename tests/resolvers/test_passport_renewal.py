"""A resident records a renewed passport: current at once, the old one SUPERSEDED; a passport
number is six to nine capitals and digits."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datasources.passports.tables import passports
from demo.demo_population import EXPIRING_RESIDENT, GUARDIAN
from gateway import gateway_of
from resolvers.passport_renewal import PASSPORT_NUMBER
from tests.support.permit_helpers import UPDATE_PASSPORT, count_rows, in_days, with_dates
from tests.support.running_gateway import also_at_2330_utc

MY_PASSPORTS = "{ me { currentPassport { number } passports { number status } } }"


def renewal(today, **changes):
    values = {
        "number": "N9876543",
        "issuingCountry": "IN",
        "issueDate": in_days(-2),
        "expiryDate": in_days(3650),
    }
    values.update(changes)
    return with_dates(values, today=today)


async def update(gateway, viewer, locale=None, **changes):
    result = await gateway.graphql(
        UPDATE_PASSPORT,
        {"input": renewal(gateway.today(), **changes)},
        token=gateway.token(viewer),
        locale=locale,
    )
    assert "errors" not in result, result
    return result["data"]["updatePassport"]


@also_at_2330_utc("fresh_gateway")
async def test_the_renewed_passport_is_current_at_once(fresh_gateway) -> None:
    before = await count_rows(fresh_gateway)
    result = await update(fresh_gateway, EXPIRING_RESIDENT.national_id, number="n9876543")
    mine = await fresh_gateway.graphql(
        MY_PASSPORTS, token=fresh_gateway.token(EXPIRING_RESIDENT.national_id)
    )
    assert result["errors"] == []
    assert result["passport"] == {
        "number": "N9876543",
        "issuingCountry": {"code": "IN"},
        "issueDate": fresh_gateway.day(-2),
        "expiryDate": fresh_gateway.day(3650),
        "status": "VALID",
    }
    assert mine["data"]["me"]["currentPassport"] == {"number": "N9876543"}
    assert mine["data"]["me"]["passports"] == [
        {"number": "N9876543", "status": "VALID"},
        {"number": "Z1234567", "status": "SUPERSEDED"},
    ]
    assert (await count_rows(fresh_gateway))["changes"] == before["changes"] + 1


async def test_a_citizen_is_sent_to_the_issuing_authority(fresh_gateway) -> None:
    result = await update(fresh_gateway, GUARDIAN.national_id, issuingCountry="SA")
    assert result["errors"][0]["code"] == "CITIZEN_PASSPORT_FROM_AUTHORITY"


@also_at_2330_utc("fresh_gateway")
@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        (
            {"expiryDate": in_days(-5), "issueDate": in_days(-5)},
            "EXPIRY_NOT_AFTER_ISSUE",
            "expiryDate",
        ),
        (
            {"issueDate": in_days(-4000), "expiryDate": in_days(-1)},
            "PASSPORT_ALREADY_EXPIRED",
            "expiryDate",
        ),
        ({"issueDate": in_days(1)}, "ISSUE_DATE_IN_FUTURE", "issueDate"),
        ({"number": "AB 12345"}, "INVALID_PASSPORT_NUMBER", "number"),
        ({"number": "A1234"}, "INVALID_PASSPORT_NUMBER", "number"),
        ({"number": "A123456789"}, "INVALID_PASSPORT_NUMBER", "number"),
        ({"number": "Z1234567"}, "SAME_AS_CURRENT_PASSPORT", "number"),
        ({"issuingCountry": "XX"}, "UNKNOWN_COUNTRY", "issuingCountry"),
        ({"issuingCountry": "EG"}, "ISSUING_COUNTRY_NOT_NATIONALITY", "issuingCountry"),
    ],
    ids=[
        "expiry-before-issue",
        "already-expired",
        "issued-in-future",
        "space",
        "too-short",
        "too-long",
        "same-number",
        "unknown-country",
        "not-nationality",
    ],
)
async def test_bad_data_is_a_coded_error_and_changes_nothing(fresh_gateway, changes, code, field):
    before = await count_rows(fresh_gateway)
    result = await update(fresh_gateway, EXPIRING_RESIDENT.national_id, locale="ar", **changes)
    assert result["passport"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [(code, field)]
    assert await count_rows(fresh_gateway) == before


async def test_a_number_recorded_for_another_person_is_refused(fresh_gateway) -> None:
    await gateway_of(fresh_gateway.app).stores.passports.add_rows(
        passports,
        [
            {
                "number": "P7654321",
                "holder_id": "2999999996",
                "issuing_country": "IN",
                "issue_date": datetime(2024, 1, 1).date(),
                "expiry_date": datetime(2034, 1, 1).date(),
                "status": "VALID",
                "recorded_at": fresh_gateway.clock(),
            }
        ],
    )
    result = await update(fresh_gateway, EXPIRING_RESIDENT.national_id, number="P7654321")
    assert result["errors"][0]["code"] == "PASSPORT_NUMBER_ALREADY_RECORDED"


async def test_the_change_is_in_the_residents_access_log(fresh_gateway) -> None:
    await update(fresh_gateway, EXPIRING_RESIDENT.national_id)
    log = await fresh_gateway.graphql(
        "{ myDataAccessLog(first: 5) { edges { node { operation accessorKind } } } }",
        token=fresh_gateway.token(EXPIRING_RESIDENT.national_id),
    )
    nodes = [edge["node"] for edge in log["data"]["myDataAccessLog"]["edges"]]
    assert nodes == [{"operation": "UpdatePassport", "accessorKind": "PERSON"}]


@given(number=st.text(max_size=12))
def test_passport_numbers_are_six_to_nine_capitals_and_digits(number: str) -> None:
    accepted = bool(PASSPORT_NUMBER.fullmatch(number))
    expected = 6 <= len(number) <= 9 and all(
        c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in number
    )
    assert accepted == expected
