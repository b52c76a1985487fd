"""The family page: who the dependents are, their ages, and why each may or may not travel."""

from __future__ import annotations

from demo.demo_population import (
    FAISAL,
    GUARDIAN,
    KHALID,
    NOURA,
    OMAR,
    RESIDENT_GUARDIAN,
    SARA,
    YOUSEF,
)
from tests.support.running_gateway import also_at_2330_utc

FAMILY = """
query {
  me {
    __typename nationalId birthDateHijri
    currentPassport { number status issuingCountry { code name { ar en } } }
    passports { number status }
    dependents {
      relationship age ageHijri
      person { __typename nationalId maritalStatus }
      travelPermitEligibility { eligible reasons { code message } }
      travelPermits(first: 2) {
        totalCount
        edges { cursor node { number status } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }
  }
}
"""


def by_id(dependents: list[dict]) -> dict[str, dict]:
    return {dependent["person"]["nationalId"]: dependent for dependent in dependents}


@also_at_2330_utc("gateway")
async def test_each_demo_child_shows_its_condition(gateway) -> None:
    result = await gateway.graphql(FAMILY, token=gateway.token(GUARDIAN.national_id))
    assert "errors" not in result
    dependents = by_id(result["data"]["me"]["dependents"])

    def codes(person) -> list[str]:
        reasons = dependents[person.national_id]["travelPermitEligibility"]["reasons"]
        return [reason["code"] for reason in reasons]

    assert codes(SARA) == []
    assert dependents[SARA.national_id]["travelPermitEligibility"]["eligible"] is True
    assert codes(FAISAL) == ["TRAVELLER_OVER_AGE_LIMIT"]
    assert codes(NOURA) == ["TRAVELLER_MARRIED"]
    # A travel ban is the agency's to apply at review, not the gateway's to predict.
    assert codes(KHALID) == []
    # Twenty in Gregorian years, twenty-one in Hijri years: the Hijri count decides.
    assert dependents[YOUSEF.national_id]["age"] == 20
    assert dependents[YOUSEF.national_id]["ageHijri"] == 21
    assert codes(YOUSEF) == ["TRAVELLER_OVER_AGE_LIMIT"]


async def test_reasons_come_in_the_requested_language(gateway) -> None:
    token = gateway.token(GUARDIAN.national_id)
    arabic = await gateway.graphql(FAMILY, token=token, locale="ar-SA,ar;q=0.9,en;q=0.5")
    english = await gateway.graphql(FAMILY, token=token, locale="en")
    reason_ar = by_id(arabic["data"]["me"]["dependents"])[NOURA.national_id][
        "travelPermitEligibility"
    ]["reasons"][0]
    reason_en = by_id(english["data"]["me"]["dependents"])[NOURA.national_id][
        "travelPermitEligibility"
    ]["reasons"][0]
    assert reason_ar["code"] == reason_en["code"] == "TRAVELLER_MARRIED"
    assert reason_ar["message"] == "المسافر متزوج."
    assert reason_en["message"] == "The traveller is married."


async def test_citizen_and_resident_types_and_passports(gateway) -> None:
    citizen = await gateway.graphql(FAMILY, token=gateway.token(GUARDIAN.national_id))
    resident = await gateway.graphql(FAMILY, token=gateway.token(RESIDENT_GUARDIAN.national_id))
    assert citizen["data"]["me"]["__typename"] == "Citizen"
    assert resident["data"]["me"]["__typename"] == "Resident"
    passport = resident["data"]["me"]["currentPassport"]
    assert passport["number"] == "EG7654321"
    assert passport["issuingCountry"] == {"code": "EG", "name": {"ar": "مصر", "en": "Egypt"}}
    assert [p["status"] for p in resident["data"]["me"]["passports"]] == ["VALID", "SUPERSEDED"]
    assert (
        by_id(resident["data"]["me"]["dependents"])[OMAR.national_id]["person"]["__typename"]
        == "Resident"
    )


async def test_birth_date_in_the_umm_al_qura_calendar(gateway) -> None:
    result = await gateway.graphql(FAMILY, token=gateway.token(GUARDIAN.national_id))
    # 14 March 1978 is 5 Rabi' al-Thani 1398 in the Umm al-Qura calendar.
    assert result["data"]["me"]["birthDateHijri"] == "1398-04-05"


async def test_permits_page_forward_with_cursors(gateway) -> None:
    token = gateway.token(GUARDIAN.national_id)
    query = """
    query ($id: String!, $after: String) {
      dependent(nationalId: $id) {
        travelPermits(first: 2, after: $after) {
          totalCount edges { node { number } } pageInfo { hasNextPage endCursor }
        }
      }
    }"""
    seen: list[str] = []
    after = None
    while True:
        result = await gateway.graphql(query, {"id": SARA.national_id, "after": after}, token=token)
        page = result["data"]["dependent"]["travelPermits"]
        assert page["totalCount"] == 6
        seen += [edge["node"]["number"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 6
    # Newest first: the demo's sequence numbers were created from the newest (2) down.
    assert seen == sorted(
        seen,
        key=lambda number: {
            "000002": 0,
            "000001": 1,
            "000005": 2,
            "000003": 3,
            "000004": 4,
            "000006": 5,
        }[number[-6:]],
    )


async def test_bad_cursor_and_page_size_are_coded_errors(gateway) -> None:
    token = gateway.token(GUARDIAN.national_id)
    query = """
    query ($id: String!, $first: Int!, $after: String) {
      dependent(nationalId: $id) { travelPermits(first: $first, after: $after) { totalCount } }
    }"""
    bad_cursor = await gateway.graphql(
        query, {"id": SARA.national_id, "first": 2, "after": "not-a-cursor"}, token=token
    )
    too_many = await gateway.graphql(
        query, {"id": SARA.national_id, "first": 100000}, token=token, locale="ar"
    )
    extensions = bad_cursor["errors"][0]["extensions"]
    assert extensions.pop("requestId")
    assert extensions == {"code": "INVALID_CURSOR", "field": "after"}
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"
    assert "50" in too_many["errors"][0]["message"]
    assert bad_cursor["data"]["dependent"]["travelPermits"] is None


async def test_dependent_lookup_rejects_malformed_ids_before_any_lookup(gateway) -> None:
    token = gateway.token(GUARDIAN.national_id)
    query = "query ($id: String!) { dependent(nationalId: $id) { age } }"
    gateway.statements.clear()
    result = await gateway.graphql(query, {"id": "1084592632"}, token=token)  # bad check digit
    extensions = result["errors"][0]["extensions"]
    assert extensions.pop("requestId")
    assert extensions == {"code": "INVALID_NATIONAL_ID", "field": "nationalId"}
    assert gateway.request_statements() == []
    someone_else = await gateway.graphql(query, {"id": OMAR.national_id}, token=token)
    assert someone_else["data"]["dependent"] is None
    assert someone_else["errors"][0]["extensions"]["code"] == "NOT_FOUND"
