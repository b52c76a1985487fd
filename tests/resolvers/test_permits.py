"""One permit by ID: shown to its guardian, its traveller and dashboards; to nobody else."""

from __future__ import annotations

import pytest

from demo.demo_population import (
    GUARDIAN,
    KHALID,
    OMAR,
    OPERATOR,
    RESIDENT_GUARDIAN,
    SARA,
    demo_permit_id,
)
from resolvers.global_ids import encode_global_id
from tests.support.contract_documents import contract_document

PERMIT_DETAILS = contract_document("frontend/PermitDetails.graphql")
SARAS_APPROVED = encode_global_id("TravelPermit", demo_permit_id(1))
KHALIDS_REJECTED = encode_global_id("TravelPermit", demo_permit_id(7))
OMARS_APPROVED = encode_global_id("TravelPermit", demo_permit_id(8))


@pytest.mark.parametrize(
    ("viewer", "scopes"),
    [(GUARDIAN, ()), (SARA, ()), (OPERATOR, ("permits:watch-all",))],
    ids=["guardian", "traveller", "dashboard"],
)
async def test_permit_is_shown_to_those_entitled(gateway, viewer, scopes) -> None:
    result = await gateway.graphql(
        PERMIT_DETAILS, {"id": SARAS_APPROVED}, token=gateway.token(viewer.national_id, scopes)
    )
    assert "errors" not in result
    permit = result["data"]["travelPermit"]
    assert permit["traveller"]["nationalId"] == SARA.national_id
    assert permit["guardian"]["nationalId"] == GUARDIAN.national_id


@pytest.mark.parametrize(
    "viewer",
    [RESIDENT_GUARDIAN, OMAR, OPERATOR, KHALID],
    ids=["other-guardian", "other-child", "operator-without-scope", "sibling"],
)
async def test_permit_of_another_family_leaks_nothing(gateway, viewer) -> None:
    result = await gateway.graphql(
        PERMIT_DETAILS, {"id": SARAS_APPROVED}, token=gateway.token(viewer.national_id)
    )
    assert result["data"] == {"travelPermit": None}
    assert [error["extensions"]["code"] for error in result["errors"]] == ["NOT_FOUND"]
    assert "TP-" not in str(result)


async def test_node_applies_the_same_rules(gateway) -> None:
    query = "query ($id: ID!) { node(id: $id) { __typename id ... on TravelPermit { number } } }"
    mine = await gateway.graphql(
        query, {"id": OMARS_APPROVED}, token=gateway.token(RESIDENT_GUARDIAN.national_id)
    )
    theirs = await gateway.graphql(
        query, {"id": SARAS_APPROVED}, token=gateway.token(RESIDENT_GUARDIAN.national_id)
    )
    assert mine["data"]["node"] == {
        "__typename": "TravelPermit",
        "id": OMARS_APPROVED,
        "number": mine["data"]["node"]["number"],
    }
    assert theirs["data"]["node"] is None
    assert theirs["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "permit_id",
    [
        "",
        "garbage",
        encode_global_id("Person", GUARDIAN.national_id),
        encode_global_id("TravelPermit", "0" * 32),
        "VHJhdmVsUGVybWl0",
    ],
)
async def test_guessed_and_malformed_ids_are_not_found(gateway, permit_id) -> None:
    result = await gateway.graphql(
        PERMIT_DETAILS, {"id": permit_id}, token=gateway.token(GUARDIAN.national_id)
    )
    assert result["data"] == {"travelPermit": None}
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_rejection_reason_and_history_are_localized(gateway) -> None:
    result = await gateway.graphql(
        PERMIT_DETAILS,
        {"id": KHALIDS_REJECTED},
        token=gateway.token(GUARDIAN.national_id),
        locale="ar",
    )
    permit = result["data"]["travelPermit"]
    assert permit["status"] == "REJECTED"
    assert permit["statusReason"] == {
        "code": "TRAVELLER_HAS_TRAVEL_BAN",
        "message": "المسافر ممنوع من السفر.",
    }
    assert [step["status"] for step in permit["history"]] == ["PENDING", "REJECTED"]
    assert permit["history"][0]["reason"] is None


async def test_people_reached_through_a_permit_do_not_open_their_records(gateway) -> None:
    query = """query ($id: ID!) { travelPermit(id: $id) {
        guardian { nationalId currentPassport { number } dependents { age } } } }"""
    result = await gateway.graphql(
        query, {"id": SARAS_APPROVED}, token=gateway.token(SARA.national_id)
    )
    guardian = result["data"]["travelPermit"]["guardian"]
    assert guardian == {
        "nationalId": GUARDIAN.national_id,
        "currentPassport": None,
        "dependents": None,
    }
    assert sorted(error["extensions"]["code"] for error in result["errors"]) == [
        "FORBIDDEN",
        "FORBIDDEN",
    ]


async def test_all_countries_permit_has_no_destinations(gateway) -> None:
    query = """query ($id: ID!) {
        travelPermit(id: $id) { coversAllCountries destinations { code } } }"""
    result = await gateway.graphql(
        query,
        {"id": encode_global_id("TravelPermit", demo_permit_id(6))},
        token=gateway.token(GUARDIAN.national_id),
    )
    assert result["data"]["travelPermit"] == {"coversAllCountries": True, "destinations": []}
