"""Production mode: the schema stays private to operators and partners, and errors do not
describe it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from gateway import create_app, prepare_stores
from resolvers.access_tokens import issue_access_token
from settings import Settings
from tests.conftest import GENEROUS_LIMITS, TEST_SECRET

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
async def production(tmp_path):
    settings = Settings(
        mode="production", data_dir=tmp_path, secret_key=TEST_SECRET, **GENEROUS_LIMITS
    )
    await prepare_stores(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client


async def ask(client, query, headers=None):
    return (await client.post("/graphql", json={"query": query}, headers=headers or {})).json()


async def test_introspection_is_refused_to_anonymous_callers_and_persons(production) -> None:
    _, client = production
    person = issue_access_token(TEST_SECRET, "1084592631")
    for headers in ({}, {"Authorization": f"Bearer {person}"}):
        result = await ask(client, INTROSPECTION, headers)
        assert result["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        assert not result.get("data")
    # Asking for __typename is not introspection.
    assert (await ask(client, "{ __typename }"))["data"] == {"__typename": "Query"}


async def test_operators_and_partners_may_introspect(production) -> None:
    app, client = production
    operator = issue_access_token(TEST_SECRET, "1048273617", scopes=["stats:read"])
    _, key = await app.state.registries.partner_keys.create(
        "Airline", ["permits:verify"], at=datetime.now(UTC)
    )
    for headers in ({"Authorization": f"Bearer {operator}"}, {"X-API-Key": key}):
        result = await ask(client, INTROSPECTION, headers)
        assert result["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_errors_do_not_suggest_field_names(production) -> None:
    _, client = production
    result = await ask(client, "{ me { nationalIdd } }")
    assert "Did you mean" not in str(result)
    assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_demo_mode_keeps_suggestions(gateway) -> None:
    result = await gateway.graphql("{ me { nationalIdd } }")
    assert "Did you mean" in result["errors"][0]["message"]
