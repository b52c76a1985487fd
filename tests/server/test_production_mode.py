"""Production mode: the schema stays private to operators and partners, and errors do not
describe it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from demo.demo_population import GUARDIAN
from gateway import gateway_of
from security.trusted_documents import build_manifest, document_hash
from settings import Settings
from tests.conftest import GENEROUS_LIMITS, TEST_SECRET, serving_settings
from tests.contract_documents import contract_document
from tests.support.tokens import issue_access_token

INTROSPECTION = "{ __schema { queryType { name } } }"


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


MANIFEST = Path(__file__).resolve().parent.parent / "trusted-documents.json"
MY_FAMILY = contract_document("frontend/MyFamily.graphql")


def test_the_committed_manifest_matches_the_contract() -> None:
    generated = build_manifest(Path(__file__).resolve().parent.parent / "contract")
    assert orjson.loads(MANIFEST.read_bytes()) == generated, (
        "trusted-documents.json is stale: run `./dev trusted-documents > trusted-documents.json`"
    )


async def test_a_trusted_document_runs_by_hash_or_document_id(gateway) -> None:
    token = {"Authorization": f"Bearer {gateway.token(GUARDIAN.national_id)}"}
    by_hash = await gateway.client.post(
        "/graphql",
        headers=token,
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(MY_FAMILY)}}
        },
    )
    by_id = await gateway.client.post(
        "/graphql", headers=token, json={"documentId": f"sha256:{document_hash(MY_FAMILY)}"}
    )
    for response in (by_hash, by_id):
        assert response.status_code == 200
        assert response.json()["data"]["me"]["nationalId"] == GUARDIAN.national_id


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        (
            {
                "query": "{ __typename }",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
            },
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
    ],
    ids=["unknown-hash", "hash-mismatch"],
)
async def test_unknown_and_mismatched_hashes_are_refused(gateway, body, code) -> None:
    response = await gateway.client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


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
