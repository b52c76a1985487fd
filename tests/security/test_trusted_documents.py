"""Trusted documents: the committed manifest is the contract's, and a trusted document runs
by its hash or document ID; unknown and mismatched hashes are refused. What production mode
enforces with them is tested in tests/server/test_production_mode.py."""

from __future__ import annotations

from pathlib import Path

import orjson
from graphql import parse

from demo.demo_population import GUARDIAN
from security.document_identity import document_hash, normalized_text
from security.trusted_documents import build_manifest
from tests.support.contract_documents import CONTRACT_DIR, contract_document

MANIFEST = Path(__file__).resolve().parents[2] / "trusted-documents.json"
MY_FAMILY = contract_document("frontend/MyFamily.graphql")
# Documents are known by the hash of their normalized text (comments and layout do not count).
MY_FAMILY_HASH = document_hash(normalized_text(parse(MY_FAMILY)))


def test_the_committed_manifest_matches_the_contract() -> None:
    generated = build_manifest(CONTRACT_DIR)
    assert orjson.loads(MANIFEST.read_bytes()) == generated, (
        "trusted-documents.json is stale: run `./dev trusted-documents > trusted-documents.json`"
    )


async def test_a_trusted_document_runs_by_hash_or_document_id(gateway) -> None:
    token = {"Authorization": f"Bearer {gateway.token(GUARDIAN.national_id)}"}
    by_hash = await gateway.client.post(
        "/graphql",
        headers=token,
        json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": MY_FAMILY_HASH}}},
    )
    by_id = await gateway.client.post(
        "/graphql", headers=token, json={"documentId": f"sha256:{MY_FAMILY_HASH}"}
    )
    for response in (by_hash, by_id):
        assert response.status_code == 200
        assert response.json()["data"]["me"]["nationalId"] == GUARDIAN.national_id


async def test_an_unknown_hash_is_apollos_persisted_query_not_found(gateway) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
    as_json = await gateway.client.post("/graphql", json=body, headers={"Accept-Language": "ar"})
    as_graphql_response = await gateway.client.post(
        "/graphql", json=body, headers={"Accept": "application/graphql-response+json"}
    )
    # Apollo's clients resend the text on this literal message (Apollo Kotlin on nothing
    # else), and Apollo Kotlin reads no body of a non-2xx application/json answer.
    assert as_json.status_code == 200
    assert as_graphql_response.status_code == 404
    for response in (as_json, as_graphql_response):
        error = response.json()["errors"][0]
        assert error["message"] == "PersistedQueryNotFound"
        assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_hash_that_is_not_the_texts_is_refused(gateway) -> None:
    body = {
        "query": "{ __typename }",
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
    }
    response = await gateway.client.post("/graphql", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
