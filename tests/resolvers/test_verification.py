"""Partners verify a trip with a scoped API key and see nothing personal."""

from __future__ import annotations

import pytest

from demo.demo_population import GUARDIAN, SARA, demo_permit_id
from gateway import gateway_of
from resolvers.global_ids import encode_global_id
from tests.support.contract_documents import contract_document
from tests.support.running_gateway import also_at_2330_utc

VERIFY = contract_document("partner/VerifyTravelPermit.graphql")


async def partner_key(gateway, *scopes: str) -> str:
    store = gateway_of(gateway.app).stores.partner_keys
    _, secret = await store.create("Border control", scopes, at=gateway.clock())
    return secret


async def verify(
    gateway, key: str, destination: str, in_days: int, national_id: str = SARA.national_id
):
    """Ask whether a trip ``in_days`` from the gateway's day is covered."""
    variables = {"nationalId": national_id, "destination": destination, "on": gateway.day(in_days)}
    return await gateway.graphql(VERIFY, variables, headers={"X-API-Key": key})


@also_at_2330_utc("fresh_gateway")
async def test_an_approved_permit_covers_the_trip(fresh_gateway) -> None:
    key = await partner_key(fresh_gateway, "permits:verify")
    # Sara's approved permit: AE and BH, from 5 days ago for 60 days.
    covered = await verify(fresh_gateway, key, "AE", 10)
    other_country = await verify(fresh_gateway, key, "GB", 10)
    too_late = await verify(fresh_gateway, key, "AE", 90)

    answer = covered["data"]["verifyTravelPermit"]
    assert answer["allowed"] is True
    assert answer["permitNumber"].endswith("000001")
    assert other_country["data"]["verifyTravelPermit"] == {
        "allowed": False,
        "permitNumber": None,
        "validUntil": None,
    }
    assert too_late["data"]["verifyTravelPermit"]["allowed"] is False


@also_at_2330_utc("fresh_gateway")
async def test_pending_rejected_and_cancelled_permits_do_not_count(fresh_gateway) -> None:
    key = await partner_key(fresh_gateway, "permits:verify")
    pending_gb = await verify(fresh_gateway, key, "GB", 75)
    cancelled_eg = await verify(fresh_gateway, key, "EG", 12)
    assert pending_gb["data"]["verifyTravelPermit"]["allowed"] is False
    assert cancelled_eg["data"]["verifyTravelPermit"]["allowed"] is False


async def test_a_key_without_the_scope_is_forbidden(fresh_gateway) -> None:
    key = await partner_key(fresh_gateway, "stats:read")
    result = await verify(fresh_gateway, key, "AE", 0)
    assert result["data"]["verifyTravelPermit"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_revoked_and_unknown_keys_are_unauthenticated(fresh_gateway) -> None:
    store = gateway_of(fresh_gateway.app).stores.partner_keys
    key_record, key = await store.create("Airline", ["permits:verify"], at=fresh_gateway.clock())
    await store.revoke(key_record.id, at=fresh_gateway.clock())
    for presented in (key, "bwb_nonsense", key[:-1] + ("A" if key[-1] != "A" else "B")):
        response = await fresh_gateway.post(
            VERIFY,
            {"nationalId": SARA.national_id, "destination": "AE", "on": "2026-12-01"},
            headers={"X-API-Key": presented},
        )
        assert response.status_code == 401
        extensions = response.json()["errors"][0]["extensions"]
        assert (extensions["code"], extensions["reason"]) == ("UNAUTHENTICATED", "INVALID_API_KEY")


async def test_a_person_token_cannot_call_partner_fields(gateway) -> None:
    result = await gateway.graphql(
        VERIFY,
        {"nationalId": SARA.national_id, "destination": "AE", "on": "2026-12-01"},
        token=gateway.token(GUARDIAN.national_id),
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_partner_cannot_reach_personal_fields(fresh_gateway) -> None:
    key = await partner_key(fresh_gateway, "permits:verify")
    me = await fresh_gateway.graphql("{ me { nationalId } }", headers={"X-API-Key": key})
    permit = await fresh_gateway.graphql(
        contract_document("frontend/PermitDetails.graphql"),
        {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
        headers={"X-API-Key": key},
    )
    assert me["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert permit["data"] == {"travelPermit": None}
    assert permit["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("national_id", "destination", "code", "field"),
    [
        ("1112045876", "AE", "INVALID_NATIONAL_ID", "nationalId"),
        (SARA.national_id, "XX", "UNKNOWN_COUNTRY", "destination"),
    ],
)
async def test_bad_input_is_coded(fresh_gateway, national_id, destination, code, field) -> None:
    key = await partner_key(fresh_gateway, "permits:verify")
    result = await verify(fresh_gateway, key, destination, 0, national_id=national_id)
    extensions = result["errors"][0]["extensions"]
    assert extensions.pop("requestId")
    assert extensions == {"code": code, "field": field}
