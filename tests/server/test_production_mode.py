"""Production mode: the schema stays private to operators and partners, errors do not
describe it, and persons run trusted documents only."""

from __future__ import annotations

import pytest

from gateway import gateway_of
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.running_gateway import GENEROUS_LIMITS, TEST_SECRET, serving_settings
from tests.support.tokens import issue_access_token

INTROSPECTION = "{ __schema { queryType { name } } }"
MY_FAMILY = contract_document("frontend/MyFamily.graphql")


@pytest.fixture
async def production(tmp_path, request):
    # Trusted documents are off unless a test asks: each rule is tested on its own.
    settings = Settings(
        mode="production",
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        trusted_documents=getattr(request, "param", "off"),
        **GENEROUS_LIMITS,
    )
    async with serving_settings(settings) as running:
        yield running


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
    _, key = await gateway_of(app).stores.partner_keys.create(
        "Airline", ["permits:verify"], at=gateway_of(app).services.clock()
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


@pytest.mark.parametrize("production", ["enforce"], indirect=True)
async def test_production_persons_run_trusted_documents_only(production) -> None:
    _, client = production
    person = {"Authorization": f"Bearer {issue_access_token(TEST_SECRET, '1084592631')}"}
    operator = {
        "Authorization": "Bearer "
        + issue_access_token(TEST_SECRET, "1048273617", scopes=["permits:watch-all"])
    }
    own_query = await client.post(
        "/graphql", json={"query": "{ me { nationalId } }"}, headers=person
    )
    trusted = await client.post("/graphql", json={"query": MY_FAMILY}, headers=person)
    operators_own = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers=operator
    )
    assert own_query.status_code == 403
    assert own_query.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
    assert trusted.status_code == 200
    assert operators_own.json()["data"] == {"__typename": "Query"}


async def test_log_only_mode_reports_without_refusing(tmp_path, caplog) -> None:
    settings = Settings(
        mode="production",
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        trusted_documents="log",
        **GENEROUS_LIMITS,
    )
    async with serving_settings(settings) as (_, client):
        response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.json()["data"] == {"__typename": "Query"}
    assert "untrusted document" in caplog.text
