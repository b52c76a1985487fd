"""Trusted documents: the committed manifest is the contract's, and a trusted document runs
by its hash or document ID; unknown and mismatched hashes are refused. What production mode
enforces with them is tested in tests/server/test_production_mode.py."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from demo.demo_population import GUARDIAN
from security.trusted_documents import build_manifest, document_hash
from tests.support.contract_documents import CONTRACT_DIR, contract_document

MANIFEST = Path(__file__).resolve().parents[2] / "trusted-documents.json"
MY_FAMILY = contract_document("frontend/MyFamily.graphql")


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
