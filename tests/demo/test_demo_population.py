"""The demo population is seeded as of the gateway's day: its birth dates, passports and
permit dates are those the demo's definition gives for the day the gateway's clock shows,
in Riyadh, even at 23:30 UTC, when the machine's calendar still shows the day before."""

from __future__ import annotations

from demo.demo_population import (
    DEMO_PEOPLE,
    EXPIRING_RESIDENT,
    GUARDIAN,
    RESIDENT_GUARDIAN,
    civil_rows,
    demo_permit_id,
    passport_rows,
    permit_rows,
)
from resolvers.global_ids import encode_global_id
from tests.support.running_gateway import also_at_2330_utc

PEOPLE = """{ me { nationalId birthDate passports { number issueDate expiryDate }
  dependents { person { nationalId birthDate passports { number issueDate expiryDate } } } } }"""
PERMIT = "query ($id: ID!) { travelPermit(id: $id) { validFrom validUntil } }"


def people_seen(me: dict) -> list[dict]:
    return [me, *(dependent["person"] for dependent in me["dependents"] or ())]


@also_at_2330_utc("gateway")
async def test_people_and_passports_are_dated_from_the_gateways_day(gateway) -> None:
    people, _ = civil_rows(gateway.today())
    born = {row["national_id"]: row["birth_date"].isoformat() for row in people}
    passports = {
        row["number"]: (row["issue_date"].isoformat(), row["expiry_date"].isoformat())
        for row in passport_rows(gateway.today(), gateway.clock())
    }
    seen = []
    for person in DEMO_PEOPLE:
        result = await gateway.graphql(PEOPLE, token=gateway.token(person.national_id))
        assert "errors" not in result, result
        seen += people_seen(result["data"]["me"])

    assert {person["nationalId"] for person in seen} == set(born)
    for person in seen:
        assert person["birthDate"] == born[person["nationalId"]], person["nationalId"]
        for passport in person["passports"]:
            issued, expires = passports[passport["number"]]
            assert (passport["issueDate"], passport["expiryDate"]) == (issued, expires)
    # The expiring resident's passport runs out 20 days after the gateway's day.
    resident = next(p for p in seen if p["nationalId"] == EXPIRING_RESIDENT.national_id)
    assert gateway.day(20) in {passport["expiryDate"] for passport in resident["passports"]}


@also_at_2330_utc("gateway")
async def test_permits_are_dated_from_the_gateways_day(gateway) -> None:
    permits, _ = permit_rows(gateway.today(), gateway.clock())
    for row in permits:
        guardian = RESIDENT_GUARDIAN if row["guardian_id"] != GUARDIAN.national_id else GUARDIAN
        assert row["guardian_id"] == guardian.national_id
        result = await gateway.graphql(
            PERMIT,
            {"id": encode_global_id("TravelPermit", row["id"])},
            token=gateway.token(guardian.national_id),
        )
        assert result["data"]["travelPermit"] == {
            "validFrom": row["valid_from"].isoformat(),
            "validUntil": row["valid_until"].isoformat(),
        }
    assert {row["id"] for row in permits} == {demo_permit_id(n) for n in range(1, 9)}
