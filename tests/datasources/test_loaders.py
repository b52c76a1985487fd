"""MyFamily's database work must not grow with the number of dependents or permits."""

from __future__ import annotations

from tests.support.contract_documents import contract_document
from tests.support.factories import make_family

MY_FAMILY = contract_document("frontend/MyFamily.graphql")


async def count_statements(gateway, guardian_id: str) -> int:
    token = gateway.token(guardian_id)
    await gateway.graphql(MY_FAMILY, token=token)  # warm: caches, pools, prepared plans
    gateway.statements.clear()
    result = await gateway.graphql(MY_FAMILY, token=token)
    assert "errors" not in result, result
    return len(gateway.request_statements())


async def test_statement_count_does_not_grow_with_family_size(fresh_gateway) -> None:
    small_guardian, _ = await make_family(fresh_gateway, dependents=1, permits_each=10)
    large_guardian, _ = await make_family(fresh_gateway, dependents=8, permits_each=10)

    small = await count_statements(fresh_gateway, small_guardian)
    large = await count_statements(fresh_gateway, large_guardian)

    assert small == large
    # me, my passport, my dependents, their permits: one statement per relation.
    assert large == 4


async def test_my_family_pages_each_dependents_permits(fresh_gateway) -> None:
    guardian, children = await make_family(fresh_gateway, dependents=8, permits_each=10)
    result = await fresh_gateway.graphql(MY_FAMILY, token=fresh_gateway.token(guardian))
    dependents = result["data"]["me"]["dependents"]
    assert sorted(d["person"]["nationalId"] for d in dependents) == sorted(children)
    for dependent in dependents:
        permits = dependent["travelPermits"]
        assert permits["totalCount"] == 10
        assert len(permits["edges"]) == 5
        assert permits["pageInfo"]["hasNextPage"] is True
