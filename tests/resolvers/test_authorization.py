"""No family sees another's data, whatever path the query takes.

Each entry point that can hand out a person, a dependent, a permit or a passport is asked,
by every kind of caller outside the family, for family A's data (the Al-Harbi family).
The answer must hold nothing of family A and carry FORBIDDEN, NOT_FOUND or UNAUTHENTICATED.
"""

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

SARA_PERMIT = encode_global_id("TravelPermit", demo_permit_id(1))
OMAR_PERMIT = encode_global_id("TravelPermit", demo_permit_id(8))

# Things only family A (and, for permits, dashboards) may see.
FAMILY_A_SECRETS = (
    SARA.national_id,
    GUARDIAN.national_id,
    "B23456789",
    "A12345678",
    "TP-",
    SARA.name_en,
    GUARDIAN.name_en,
)

PROBES = {
    "travelPermit": (
        "query ($id: ID!) { travelPermit(id: $id) { number traveller { nationalId } } }",
        {"id": SARA_PERMIT},
    ),
    "node": (
        "query ($id: ID!) { node(id: $id) { id ... on TravelPermit { number } } }",
        {"id": SARA_PERMIT},
    ),
    "dependent": (
        "query ($n: String!) { dependent(nationalId: $n) { person { nationalId } } }",
        {"n": SARA.national_id},
    ),
    "own-permit-traveller-guardian": (
        """query ($id: ID!) { travelPermit(id: $id) {
             guardian { dependents { person { nationalId } } passports { number } } } }""",
        {"id": OMAR_PERMIT},
    ),
}

OUTSIDERS = {
    "other-guardian": lambda g: {
        "Authorization": f"Bearer {g.token(RESIDENT_GUARDIAN.national_id)}"
    },
    "other-child": lambda g: {"Authorization": f"Bearer {g.token(OMAR.national_id)}"},
    "person-with-no-scope": lambda g: {"Authorization": f"Bearer {g.token(OPERATOR.national_id)}"},
    "anonymous": lambda g: {},
}


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("probe", PROBES)
async def test_outsiders_get_nothing_of_family_a(gateway, probe, outsider) -> None:
    query, variables = PROBES[probe]
    response = await gateway.post(query, variables, headers=OUTSIDERS[outsider](gateway))
    body = response.text
    for secret in FAMILY_A_SECRETS:
        assert secret not in body, (probe, outsider, secret)
    codes = {error["extensions"]["code"] for error in response.json().get("errors", [])}
    if probe == "own-permit-traveller-guardian" and outsider == "other-guardian":
        assert codes == set()  # their own permit: allowed, and it holds nothing of family A
    else:
        assert codes and codes <= {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}


async def test_a_sibling_cannot_read_another_siblings_permit(gateway) -> None:
    query, variables = PROBES["travelPermit"]
    result = await gateway.graphql(query, variables, token=gateway.token(KHALID.national_id))
    assert result["data"]["travelPermit"] is None
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_child_sees_its_permit_but_not_its_guardians_records(gateway) -> None:
    query = """query ($id: ID!) { travelPermit(id: $id) { number
        guardian { name { en } currentPassport { number } passports { number }
                   dependents { person { nationalId } } } } }"""
    result = await gateway.graphql(
        query, {"id": SARA_PERMIT}, token=gateway.token(SARA.national_id)
    )
    guardian = result["data"]["travelPermit"]["guardian"]
    assert guardian == {
        "name": {"en": GUARDIAN.name_en},
        "currentPassport": None,
        "passports": None,
        "dependents": None,
    }
    assert {e["extensions"]["code"] for e in result["errors"]} == {"FORBIDDEN"}
    assert KHALID.national_id not in str(result)


async def test_a_dashboard_reads_permits_but_not_passports_or_families(gateway) -> None:
    token = gateway.token(OPERATOR.national_id, ("permits:watch-all",))
    query = """query ($id: ID!) { travelPermit(id: $id) { number
        traveller { nationalId currentPassport { number } dependents { age } } } }"""
    result = await gateway.graphql(query, {"id": SARA_PERMIT}, token=token)
    traveller = result["data"]["travelPermit"]["traveller"]
    assert traveller == {
        "nationalId": SARA.national_id,
        "currentPassport": None,
        "dependents": None,
    }
    assert "B23456789" not in str(result)


async def test_guessed_permit_ids_are_not_found(gateway) -> None:
    token = gateway.token(RESIDENT_GUARDIAN.national_id)
    query, _ = PROBES["travelPermit"]
    for sequence in range(1, 8):  # every demo permit of family A
        permit_id = encode_global_id("TravelPermit", demo_permit_id(sequence))
        result = await gateway.graphql(query, {"id": permit_id}, token=token)
        assert result["data"]["travelPermit"] is None
        assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"
