"""Budgets per caller: 429 with Retry-After and RATE_LIMITED, shared through Redis."""

from __future__ import annotations

import httpx

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN, SARA
from gateway import create_app
from settings import Settings
from tests.support.permit_helpers import ISSUE, permit_input
from tests.support.running_gateway import GENEROUS_LIMITS, TEST_SECRET, today_of
from tests.support.sign_in_flow import LOGIN
from tests.support.tokens import issue_access_token


async def gateway_with(tmp_path, **limits) -> tuple:
    settings = Settings(
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        agency_review=False,
        **{**GENEROUS_LIMITS, **limits},
    )
    await prepare_stores(settings)
    return settings, create_app(settings)


async def post_many(app, count: int, body: dict, headers: dict | None = None) -> list:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return [
                await client.post("/graphql", json=body, headers=headers or {})
                for _ in range(count)
            ]


async def test_a_caller_over_its_budget_gets_429(tmp_path) -> None:
    _, app = await gateway_with(tmp_path, rate_limit_per_caller="5/minute")
    responses = await post_many(app, 6, {"query": "{ __typename }"}, {"Accept-Language": "ar"})
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    refused = responses[-1]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "ثانية" in refused.json()["errors"][0]["message"]


async def test_sign_in_has_a_stricter_budget(tmp_path) -> None:
    _, app = await gateway_with(tmp_path, rate_limit_sign_in="3/minute")
    body = {
        "query": LOGIN,
        "operationName": "StartLogin",
        "variables": {"nationalId": GUARDIAN.national_id, "password": "nope"},
    }
    responses = await post_many(app, 4, body)
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "Retry-After" in responses[-1].headers


async def test_issuing_permits_has_a_budget_per_guardian(tmp_path) -> None:
    settings, app = await gateway_with(tmp_path, rate_limit_issue_permit="2/hour")
    token = issue_access_token(settings.secret_key, GUARDIAN.national_id)
    permit = permit_input(SARA.national_id, today=today_of(app))
    body = {"query": ISSUE, "variables": {"input": permit}}
    responses = await post_many(app, 3, body, {"Authorization": f"Bearer {token}"})
    assert [r.status_code for r in responses] == [200, 200, 429]


async def test_the_budget_is_shared_through_redis(tmp_path, redis_url) -> None:
    import secrets

    shared = {"redis_url": redis_url, "rate_limit_per_caller": "4/minute"}
    _, first = await gateway_with(tmp_path / "a", **shared)
    _, second = await gateway_with(tmp_path / "b", **shared)
    # A caller no earlier run has used: the window lives in Redis for a minute.
    person = issue_access_token(TEST_SECRET, f"1{secrets.randbelow(10**8):08d}0")
    headers = {"Authorization": f"Bearer {person}"}
    on_first = await post_many(first, 2, {"query": "{ __typename }"}, headers)
    on_second = await post_many(second, 3, {"query": "{ __typename }"}, headers)
    statuses = [r.status_code for r in on_first + on_second]
    assert statuses == [200, 200, 200, 200, 429]
