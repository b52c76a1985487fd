"""A person sees who accessed their data: partners, operators, guardians; never themselves."""

from __future__ import annotations

from demo.demo_population import GUARDIAN, OPERATOR, SARA, demo_permit_id
from gateway import gateway_of
from resolvers.global_ids import encode_global_id
from tests.support.contract_documents import contract_document

LOG = """query ($first: Int!, $after: String) {
  myDataAccessLog(first: $first, after: $after) {
    totalCount
    edges { cursor node { accessorKind accessorName { en } operation clientAddress at } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_partner_and_operator_reads_appear_in_the_log(fresh_gateway) -> None:
    store = gateway_of(fresh_gateway.app).stores.partner_keys
    _, key = await store.create("King Fahd Causeway", ["permits:verify"], at=fresh_gateway.clock())
    await fresh_gateway.graphql(
        contract_document("partner/VerifyTravelPermit.graphql"),
        {"nationalId": SARA.national_id, "destination": "BH", "on": "2026-12-01"},
        headers={"X-API-Key": key},
    )
    await fresh_gateway.graphql(
        contract_document("frontend/PermitDetails.graphql"),
        {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
        token=fresh_gateway.token(OPERATOR.national_id, ("permits:watch-all",)),
    )
    await fresh_gateway.graphql(
        "{ me { nationalId } }", token=fresh_gateway.token(SARA.national_id)
    )

    log = await fresh_gateway.graphql(
        LOG, {"first": 10}, token=fresh_gateway.token(SARA.national_id)
    )
    entries = [edge["node"] for edge in log["data"]["myDataAccessLog"]["edges"]]
    seen = [(e["accessorKind"], e["accessorName"]["en"], e["operation"]) for e in entries]

    assert seen == [
        ("OPERATOR", OPERATOR.name_en, "PermitDetails"),
        ("PARTNER", "King Fahd Causeway", "VerifyTravelPermit"),
    ]
    assert all(entry["clientAddress"] for entry in entries)


async def test_a_guardians_family_page_is_recorded_for_each_child(fresh_gateway) -> None:
    await fresh_gateway.graphql(
        contract_document("frontend/MyFamily.graphql"),
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    log = await fresh_gateway.graphql(
        LOG, {"first": 10}, token=fresh_gateway.token(SARA.national_id)
    )
    nodes = [edge["node"] for edge in log["data"]["myDataAccessLog"]["edges"]]
    assert [(n["accessorKind"], n["operation"]) for n in nodes] == [("PERSON", "MyFamily")]
    # The guardian's own data, read by the guardian, is not recorded.
    own = await fresh_gateway.graphql(
        LOG, {"first": 10}, token=fresh_gateway.token(GUARDIAN.national_id)
    )
    assert own["data"]["myDataAccessLog"]["totalCount"] == 0


async def test_the_log_pages_with_cursors(fresh_gateway) -> None:
    for _ in range(3):
        await fresh_gateway.graphql(
            contract_document("frontend/PermitDetails.graphql"),
            {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
            token=fresh_gateway.token(OPERATOR.national_id, ("permits:watch-all",)),
        )
    token = fresh_gateway.token(SARA.national_id)
    first = (await fresh_gateway.graphql(LOG, {"first": 2}, token=token))["data"]["myDataAccessLog"]
    rest = (
        await fresh_gateway.graphql(
            LOG, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=token
        )
    )["data"]["myDataAccessLog"]
    assert first["totalCount"] == 3
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"]
    assert len(rest["edges"]) == 1 and not rest["pageInfo"]["hasNextPage"]


async def test_the_log_needs_a_signed_in_person(gateway) -> None:
    result = await gateway.graphql(LOG, {"first": 5})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
