"""Query cost: estimated before execution, capped per operation, budgeted per caller."""

from __future__ import annotations

import secrets

import httpx
from redis.asyncio import Redis

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import GATEWAY_PROCESSES, gateway_process
from tests.support.running_gateway import GENEROUS_LIMITS
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
GREEDY = (
    "{ me { dependents { travelPermits(first: 50) { edges { node { destinations"
    " { name { en } } } } } } } }"
)


async def test_the_cost_comes_back_in_extensions(gateway) -> None:
    result = await gateway.graphql(MY_FAMILY, token=gateway.token(GUARDIAN.national_id))
    cost = result["extensions"]["cost"]
    assert cost["requested"] == 1264
    assert cost["ceiling"] == 5000
    assert cost["remaining"] > 0


async def test_an_operation_over_the_ceiling_is_refused_before_it_runs(gateway) -> None:
    gateway.statements.clear()
    result = await gateway.graphql(GREEDY, token=gateway.token(GUARDIAN.national_id), locale="ar")
    assert "data" not in result  # refused before execution: GraphQL sends no data entry
    assert result["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "5000" in result["errors"][0]["message"]
    assert gateway.request_statements() == []


@GATEWAY_PROCESSES
async def test_a_callers_budget_is_shared_by_two_processes_through_redis(tmp_path, redis_url):
    secret = secrets.token_urlsafe(40)
    environment = {
        "BAWABA_SECRET_KEY": secret,
        "BAWABA_REDIS_URL": redis_url,
        "BAWABA_COST_BUDGET_PER_CALLER": "3000/minute",
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_RATE_LIMIT_PER_CALLER": GENEROUS_LIMITS["rate_limit_per_caller"],
    }
    processes = []
    for name in ("a", "b"):
        await prepare_stores(Settings(data_dir=tmp_path / name, secret_key=secret))
        processes.append({**environment, "BAWABA_DATA_DIR": str(tmp_path / name)})
    token = issue_access_token(secret, GUARDIAN.national_id)
    headers = {"Authorization": f"Bearer {token}"}
    # Budgets outlive processes (that is the point): start from an empty one for this caller.
    client = Redis.from_url(redis_url)
    spent = [key async for key in client.scan_iter(match=f"bawaba:cost:*{GUARDIAN.national_id}*")]
    if spent:
        await client.delete(*spent)
    await client.aclose()
    with gateway_process(processes[0]) as a, gateway_process(processes[1]) as b:
        async with httpx.AsyncClient(timeout=10) as client:
            statuses = []
            remaining = []
            for url in (a, b, a):  # 1,264 points each: the third one is over 3,000
                response = await client.post(
                    f"{url}/graphql", json={"query": MY_FAMILY}, headers=headers
                )
                statuses.append(response.status_code)
                remaining.append(
                    (response.json().get("extensions") or {}).get("cost", {}).get("remaining")
                )
    assert statuses == [200, 200, 429]
    assert remaining[:2] == [3000 - 1264, 3000 - 2 * 1264]
