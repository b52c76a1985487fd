"""Clients no one here wrote, against a production-mode gateway with a person token.

Each Node script in this folder drives one real client library through the operations a
citizen's app sends and prints, as JSON, every step's answer and every request the library
put on the wire; these tests read that JSON. The clients and what they send (checked by
running them):

- Apollo Client 4 prints each document with ``__typename`` added to every selection set, so
  its documents are not the contract's: the team registers the manifest Apollo's own tool
  writes (``generate-persisted-query-manifest``). Its persisted-queries link sends the SHA-256
  of that printed text first, and the text only when told ``PERSISTED_QUERY_NOT_FOUND``.
- urql adds ``__typename`` the same way and sends byte for byte the same text as Apollo
  Client; queries go by GET while the URL stays short. The team registers what urql sends,
  as an ``{id: text}`` map (Relay's format).
- graphql-codegen's client preset (``persistedDocuments: true``) writes
  ``persisted-documents.json``: SHA-1 ids of bodies it prints on one line with every
  selection set sorted by name. The team registers that file and sends the ids.
- The reference ``graphql-ws`` client sends what it is given: here, the contract's
  documents printed by graphql-js.
- graphql-js's ``print`` alone, sent with fetch: the printed contract documents and their
  hashes, which the gateway must know without any registration.

A harness that broke, or clients that are not installed under ``CI=true``, fail for real.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from demo.demo_population import GUARDIAN, SARA
from resolvers.pagination import encode_sequence_cursor
from tests.clients.conftest import ProductionGateway, ScriptRun, run_node

CITIZEN_OPERATIONS = [
    "MyFamily",
    "PermitDetails",
    "IssueTravelPermit",
    "CancelTravelPermit",
    "MyDataAccessLog",
    "MyNotifications",
    "RefreshSession",
    "Logout",
]
PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound"  # Apollo's literal message


def summary(run: ScriptRun) -> str:
    """Each step and each request of a client run, one line each, for failure messages."""
    result = run.result or {}
    lines = [f"exit {run.returncode}"]
    for step in result.get("steps", []):
        lines.append(
            f"  step {step['operation']}: skipped={step.get('skipped')} "
            f"errors={step.get('errors')} failure={step.get('failure')}"
        )
    for request in result.get("wire", []):
        sent = request["sent"]
        lines.append(
            f"  {request['method']} {sent.get('operationName')} keys={sent.get('keys')} "
            f"-> {request['status']} {request['answered']['errors']}"
        )
    if run.returncode != 0 or run.result is None:
        lines.append(run.stderr[-3000:])
    return "\n".join(lines)


def steps_by_operation(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["operation"]: step for step in result["steps"]}


def assert_citizen_journey(run: ScriptRun) -> None:
    """Every citizen operation answered without an error, each with the data it asks for."""
    result = run.json()
    steps = steps_by_operation(result)
    assert list(steps) == CITIZEN_OPERATIONS, summary(run)
    for name, step in steps.items():
        assert not step.get("skipped") and not step["errors"] and not step["failure"], (
            f"{name} was not answered:\n{summary(run)}"
        )
    me = steps["MyFamily"]["data"]["me"]
    assert me["nationalId"] == GUARDIAN.national_id
    assert SARA.national_id in [d["person"]["nationalId"] for d in me["dependents"]]
    details = steps["PermitDetails"]
    assert details["data"]["travelPermit"]["id"] == details["variables"]["id"]
    issued = steps["IssueTravelPermit"]["data"]["issueTravelPermit"]
    assert issued["errors"] == []
    assert issued["permit"]["status"] == "PENDING"
    assert issued["permit"]["traveller"]["nationalId"] == SARA.national_id
    cancelled = steps["CancelTravelPermit"]["data"]["cancelTravelPermit"]
    assert cancelled["errors"] == [] and cancelled["permit"]["status"] == "CANCELLED"
    assert isinstance(steps["MyDataAccessLog"]["data"]["myDataAccessLog"]["totalCount"], int)
    assert isinstance(steps["MyNotifications"]["data"]["myNotifications"]["totalCount"], int)
    refreshed = steps["RefreshSession"]["data"]["refreshSession"]
    assert refreshed["errors"] == [] and refreshed["session"]["accessToken"]
    assert steps["Logout"]["data"]["logout"]["errors"] == []


def register(gateway: ProductionGateway, client: str, manifest: Path) -> None:
    """``gateway documents add --client CLIENT FILE`` on the running gateway's store."""
    added = gateway.gateway_command("documents", "add", "--client", client, str(manifest))
    assert added.returncode == 0, f"documents add failed:\n{added.stdout}\n{added.stderr}"


async def journey_environment(gateway: ProductionGateway) -> dict[str, str]:
    session = await gateway.sign_in()
    return gateway.journey_environment(refresh_token=session["refreshToken"])


def sent_text(result: dict[str, Any]) -> list[bool]:
    """For each request of a run, whether it carried the document's text."""
    return [request["sent"]["query"] is not None for request in result["wire"]]


# --- graphql-js print: the contract's own documents, no registration -----------------------


@pytest.mark.parametrize("mode", ["text", "apq-hash", "document-id", "get-document-id"])
async def test_printed_contract_documents_and_their_hashes_are_answered(
    node: str, production_gateway: ProductionGateway, mode: str
) -> None:
    """Each operation on its own (Session.graphql's two are sent one at a time, as every
    client sends them), printed by graphql-js 16, whose layout of object values differs from
    graphql-core's (``{permitId: $id}`` against ``{ permitId: $id }``, in
    CancelTravelPermit): the hashes are those of the text as the client printed it."""
    environment = await journey_environment(production_gateway)

    run = run_node(node, "printed_documents.mjs", mode, env=environment)

    assert_citizen_journey(run)


# --- Apollo Client ------------------------------------------------------------------------


async def test_apollo_apq_sends_the_hash_then_the_text_on_persisted_query_not_found(
    node: str, production_gateway: ProductionGateway
) -> None:
    """Apollo's own documents, not registered: the gateway asks for the text in Apollo's
    words, Apollo sends it, and a person still may not run a document nobody registered."""
    environment = await journey_environment(production_gateway)

    run = run_node(node, "apollo_client.mjs", "apq", env=environment)

    wire = run.json()["wire"]
    assert wire, summary(run)
    hash_only, with_text = wire[0::2], wire[1::2]
    assert len(hash_only) == len(with_text), summary(run)
    for first, second in zip(hash_only, with_text, strict=True):
        assert first["sent"]["query"] is None and first["sent"]["persistedQuery"], summary(run)
        assert first["answered"]["errors"] == [
            {
                "code": "PERSISTED_QUERY_NOT_FOUND",
                "message": PERSISTED_QUERY_NOT_FOUND,
                "path": None,
            }
        ], summary(run)
        assert second["sent"]["query"] is not None, summary(run)
        assert second["sent"]["persistedQuery"] == first["sent"]["persistedQuery"]
        assert [e["code"] for e in second["answered"]["errors"]] == ["TRUSTED_DOCUMENTS_ONLY"]


@pytest.mark.parametrize("mode", ["apq", "manifest"])
async def test_apollo_client_runs_by_hash_once_its_manifest_is_registered(
    node: str, production_gateway: ProductionGateway, tmp_path: Path, mode: str
) -> None:
    """Apollo's manifest registered: the persisted-queries link (APQ hashes, or the ids of
    generatePersistedQueryIdsFromManifest) is answered at the first request, text never sent."""
    manifest = tmp_path / "persisted-query-manifest.json"
    run_node(node, "apollo_manifest.mjs", str(manifest), env={}).check()
    register(production_gateway, "citizen-web-apollo", manifest)
    environment = await journey_environment(production_gateway)

    arguments = [mode] if mode == "apq" else [mode, str(manifest)]
    run = run_node(node, "apollo_client.mjs", *arguments, env=environment)

    assert_citizen_journey(run)
    assert not any(sent_text(run.json())), summary(run)


# --- urql ---------------------------------------------------------------------------------


async def test_urql_runs_once_the_documents_it_sends_are_registered(
    node: str, production_gateway: ProductionGateway, tmp_path: Path
) -> None:
    documents = tmp_path / "urql-documents.json"
    run_node(node, "urql_client.mjs", "documents", str(documents), env={}).check()
    register(production_gateway, "citizen-web-urql", documents)
    environment = await journey_environment(production_gateway)

    run = run_node(node, "urql_client.mjs", "run", env=environment)

    assert_citizen_journey(run)
    assert {request["method"] for request in run.json()["wire"]} == {"GET", "POST"}


# --- graphql-codegen's client preset ------------------------------------------------------


@pytest.mark.parametrize("mode", ["document-id", "apollo"])
async def test_codegen_persisted_documents_run_once_registered(
    node: str, production_gateway: ProductionGateway, tmp_path: Path, mode: str
) -> None:
    """Codegen's ids, sent as ``documentId`` (plain fetch) or as Apollo's
    ``extensions.persistedQuery.sha256Hash`` (its persisted-queries link)."""
    generated = tmp_path / "gql"
    run_node(node, "codegen_manifest.mjs", f"{generated}/", env={}).check()
    manifest = generated / "persisted-documents.json"
    register(production_gateway, "citizen-web-codegen", manifest)
    environment = await journey_environment(production_gateway)

    run = run_node(node, "codegen_client.mjs", mode, f"{generated}/", env=environment)

    assert_citizen_journey(run)
    ids = set(json.loads(manifest.read_text()))
    for request in run.json()["wire"]:
        sent = request["sent"]
        assert sent["query"] is None, summary(run)
        assert (sent["documentId"] or sent["persistedQuery"]["sha256Hash"]) in ids


# --- graphql-ws ---------------------------------------------------------------------------


async def test_graphql_ws_watches_my_permits_while_the_guardian_issues_and_cancels(
    node: str, production_gateway: ProductionGateway
) -> None:
    environment = {
        **production_gateway.journey_environment(refresh_token=None),
        "BAWABA_RESUME_CURSOR": encode_sequence_cursor(0),
    }

    run = run_node(node, "graphql_ws_client.mjs", "watch", env=environment)

    result = run.json()
    steps = steps_by_operation(result)
    for name, step in steps.items():
        assert not step["errors"] and not step["failure"], f"{name}: {step}"
    assert steps["MyFamily"]["data"]["me"]["nationalId"] == GUARDIAN.national_id
    permit = result["issuedPermit"]
    assert permit, steps["IssueTravelPermit"]
    changes = [
        (event["previousStatus"], event["status"])
        for event in result["events"]
        if event["permit"]["id"] == permit
    ]
    assert changes == [(None, "PENDING"), ("PENDING", "CANCELLED")], result["events"]
    assert result["watchFailure"] is None
    assert not [close for close in result["closes"] if close["code"] >= 4000], result["closes"]


async def test_graphql_ws_refuses_a_query_that_is_not_a_contract_document(
    node: str, production_gateway: ProductionGateway
) -> None:
    environment = production_gateway.journey_environment(refresh_token=None)

    run = run_node(node, "graphql_ws_client.mjs", "untrusted", env=environment)

    (step,) = run.json()["steps"]
    assert step["data"] is None, step
    assert [error["code"] for error in step["errors"]] == ["TRUSTED_DOCUMENTS_ONLY"], step


# --- graphql-http's audit -----------------------------------------------------------------


async def test_graphql_http_audit_passes_61_of_61_with_no_notice(
    node: str, production_gateway: ProductionGateway
) -> None:
    """The spec authors' audit, in production mode. Its requests are ad-hoc documents, which
    production runs only for callers allowed arbitrary documents: a partner key is that
    caller, so the audit measures the protocol, not the trust policy (which refuses the same
    documents to a person with 403 TRUSTED_DOCUMENTS_ONLY, tested above)."""
    key = production_gateway.create_partner_key("HTTP audit", "permits:verify")

    run = run_node(
        node, "http_audit.mjs", env={"BAWABA_URL": production_gateway.url, "BAWABA_API_KEY": key}
    )

    result = run.json()
    failing = [
        f"{a['id']} {a['status']} {a['name']}: {a['reason']}"
        for a in result["audits"]
        if a["status"] != "ok"
    ]
    assert result["counts"] == {"total": 61, "ok": 61, "notice": 0, "warn": 0, "error": 0}, (
        "\n".join(failing)
    )
