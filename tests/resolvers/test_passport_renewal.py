"""A resident records a renewed passport: current at once, the old one SUPERSEDED; a passport
number is six to nine capitals and digits."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from datasources.passports.tables import passport_number_conflicts, passports
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


def passport_row(gateway, holder_id: str, number: str, status: str) -> dict:
    return {
        "number": number,
        "holder_id": holder_id,
        "issuing_country": "IN",
        "issue_date": datetime(2014, 1, 1).date(),
        "expiry_date": datetime(2034, 1, 1).date(),
        "status": status,
        "recorded_at": gateway.clock(),
    }


async def conflicts(gateway) -> list[tuple[str, str, str, str]]:
    engine = gateway_of(gateway.app).stores.passports.engine
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                passport_number_conflicts.c.issuing_country,
                passport_number_conflicts.c.number,
                passport_number_conflicts.c.claimed_by,
                passport_number_conflicts.c.held_by,
            ).order_by(passport_number_conflicts.c.id)
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize("locale", ["en", "ar"])
async def test_someone_elses_number_is_answered_as_a_wrong_one_and_noted_for_the_agency(
    fresh_gateway, locale
) -> None:
    await gateway_of(fresh_gateway.app).stores.passports.add_rows(
        passports, [passport_row(fresh_gateway, "2999999996", "P7654321", "VALID")]
    )
    before = await count_rows(fresh_gateway)
    resident = EXPIRING_RESIDENT.national_id

    someone_elses = await update(fresh_gateway, resident, locale=locale, number="P7654321")
    malformed = await update(fresh_gateway, resident, locale=locale, number="P76-4321")

    # The same answer, word for word: it does not say that the number is on record.
    assert someone_elses == malformed
    assert [(e["code"], e["field"]) for e in someone_elses["errors"]] == [
        ("INVALID_PASSPORT_NUMBER", "number")
    ]
    assert someone_elses["passport"] is None
    assert await count_rows(fresh_gateway) == before
    # The agency has the claim; the malformed number is no one's and is not noted.
    assert await conflicts(fresh_gateway) == [("IN", "P7654321", resident, "2999999996")]


async def test_an_earlier_passport_of_ones_own_is_already_on_record(fresh_gateway) -> None:
    resident = EXPIRING_RESIDENT.national_id
    await gateway_of(fresh_gateway.app).stores.passports.add_rows(
        passports, [passport_row(fresh_gateway, resident, "Y1111111", "SUPERSEDED")]
    )
    result = await update(fresh_gateway, resident, number="Y1111111")
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("PASSPORT_NUMBER_ALREADY_RECORDED", "number")
    ]
    assert await conflicts(fresh_gateway) == []


async def test_the_change_is_in_the_residents_access_log(fresh_gateway) -> None:
    await update(fresh_gateway, EXPIRING_RESIDENT.national_id)
    log = await fresh_gateway.graphql(
        "{ myDataAccessLog(first: 5) {"
        " edges { node { operation accessorKind accessorName { en } } } } }",
        token=fresh_gateway.token(EXPIRING_RESIDENT.national_id),
    )
    nodes = [edge["node"] for edge in log["data"]["myDataAccessLog"]["edges"]]
    assert nodes == [
        {"operation": "UpdatePassport", "accessorKind": "PERSON", "accessorName": {"en": "You"}}
    ]


@given(number=st.text(max_size=12))
def test_passport_numbers_are_six_to_nine_capitals_and_digits(number: str) -> None:
    accepted = bool(PASSPORT_NUMBER.fullmatch(number))
    expected = 6 <= len(number) <= 9 and all(
        c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in number
    )
    assert accepted == expected
