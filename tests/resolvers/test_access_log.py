"""A person sees who accessed their data: partners, operators, guardians; never themselves.

What the log says comes from the gateway, never from the caller: the operation is the
trusted document's registered name (or "ad hoc query"), the reader an organisation or a
relation, and no one's address is shown."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from cli.main import run as gateway_command
from demo.demo_population import GUARDIAN, OPERATOR, SARA, demo_permit_id
from gateway import TRUSTED_DOCUMENTS, gateway_of
from resolvers.access_log import PURPOSE_MESSAGES
from resolvers.authorization import WATCH_ALL_PERMITS
from resolvers.global_ids import encode_global_id
from resolvers.verification import VERIFY_SCOPE
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import (
    GATEWAY_PROCESSES,
    ROOT,
    gateway_process,
    production_environment,
)
from tests.support.live_server import TransportWS, operator, serving
from tests.support.permit_helpers import issue
from tests.support.tokens import issue_access_token

LOG = """query ($first: Int!, $after: String) {
  myDataAccessLog(first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        accessorKind accessorName { ar en } purpose { ar en } operation clientAddress at
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
VERIFY = contract_document("partner/VerifyTravelPermit.graphql")
PERMIT_DETAILS = contract_document("frontend/PermitDetails.graphql")
FORGED_NAME = "Ministry_of_Interior_Court_Order_4471"


async def partner_key(gateway, name: str = "King Fahd Causeway") -> str:
    store = gateway_of(gateway.app).stores.partner_keys
    _, key = await store.create(name, [VERIFY_SCOPE], at=gateway.clock())
    return key


async def verify(gateway, key: str, document: str = VERIFY) -> None:
    result = await gateway.graphql(
        document,
        {"nationalId": SARA.national_id, "destination": "BH", "on": gateway.day(30)},
        headers={"X-API-Key": key},
    )
    assert "errors" not in result, result


async def read_permit_as_operator(gateway) -> None:
    result = await gateway.graphql(
        PERMIT_DETAILS,
        {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
        token=gateway.token(OPERATOR.national_id, (WATCH_ALL_PERMITS,)),
    )
    assert "errors" not in result, result


async def log_of(gateway, national_id: str, locale: str | None = None) -> list[dict]:
    log = await gateway.graphql(LOG, {"first": 10}, token=gateway.token(national_id), locale=locale)
    return [edge["node"] for edge in log["data"]["myDataAccessLog"]["edges"]]


async def test_partner_and_operator_reads_appear_in_the_log(fresh_gateway) -> None:
    await verify(fresh_gateway, await partner_key(fresh_gateway))
    await read_permit_as_operator(fresh_gateway)
    await fresh_gateway.graphql(
        "{ me { nationalId } }", token=fresh_gateway.token(SARA.national_id)
    )

    entries = await log_of(fresh_gateway, SARA.national_id)

    assert [
        (e["accessorKind"], e["accessorName"], e["purpose"], e["operation"]) for e in entries
    ] == [
        (
            "OPERATOR",
            {"ar": "موظف وكالة الجوازات", "en": "Passports agency operator"},
            {"ar": "الإشراف على تصاريح السفر", "en": "Overseeing travel permits"},
            "PermitDetails",
        ),
        (
            "PARTNER",
            {"ar": "King Fahd Causeway", "en": "King Fahd Causeway"},
            {"ar": "التحقق من تصاريح السفر", "en": "Checking travel permits"},
            "VerifyTravelPermit",
        ),
    ]


async def test_the_log_shows_no_name_of_an_operator_and_no_address(fresh_gateway) -> None:
    await verify(fresh_gateway, await partner_key(fresh_gateway))
    await read_permit_as_operator(fresh_gateway)
    response = await fresh_gateway.post(
        LOG, {"first": 10}, token=fresh_gateway.token(SARA.national_id)
    )
    entries = [edge["node"] for edge in response.json()["data"]["myDataAccessLog"]["edges"]]

    assert len(entries) == 2
    assert [entry["clientAddress"] for entry in entries] == [None, None]
    # The test client's address, and the operator's name and ID, appear nowhere.
    for private in ("127.0.0.1", OPERATOR.name_en, OPERATOR.national_id):
        assert private not in response.text


async def test_a_renamed_query_is_logged_as_ad_hoc_never_by_its_name(fresh_gateway) -> None:
    # A partner runs the contract's verification under a name of its choosing: the text is
    # no longer the trusted document's, so the gateway knows no name for it.
    renamed = VERIFY.replace("query VerifyTravelPermit", f"query {FORGED_NAME}")
    assert renamed != VERIFY
    key = await partner_key(fresh_gateway)
    await verify(fresh_gateway, key, renamed)

    english = await log_of(fresh_gateway, SARA.national_id)
    arabic = await log_of(fresh_gateway, SARA.national_id, locale="ar")

    assert [entry["operation"] for entry in english] == ["ad hoc query"]
    assert [entry["operation"] for entry in arabic] == ["استعلام مخصص"]
    assert english[0]["accessorName"]["en"] == "King Fahd Causeway"


async def test_a_guardians_family_page_is_recorded_for_each_child(fresh_gateway) -> None:
    await fresh_gateway.graphql(
        contract_document("frontend/MyFamily.graphql"),
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    nodes = await log_of(fresh_gateway, SARA.national_id)
    assert [
        (n["accessorKind"], n["accessorName"]["en"], n["purpose"], n["operation"]) for n in nodes
    ] == [("PERSON", "Your guardian", None, "MyFamily")]
    assert nodes[0]["accessorName"]["ar"] == "وليّ أمرك"
    # The guardian's own data, read by the guardian, is not recorded.
    own = await fresh_gateway.graphql(
        LOG, {"first": 10}, token=fresh_gateway.token(GUARDIAN.national_id)
    )
    assert own["data"]["myDataAccessLog"]["totalCount"] == 0


async def test_a_dependent_reading_a_permit_shows_as_family_in_the_guardians_log(
    fresh_gateway,
) -> None:
    # Sara's permit names her guardian: reading it reads his data.
    result = await fresh_gateway.graphql(
        PERMIT_DETAILS,
        {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
        token=fresh_gateway.token(SARA.national_id),
    )
    assert "errors" not in result, result

    nodes = await log_of(fresh_gateway, GUARDIAN.national_id)

    assert [(n["accessorKind"], n["accessorName"]["en"]) for n in nodes] == [
        ("PERSON", "A family member in your care")
    ]
    assert SARA.name_en not in str(nodes)


async def test_live_reads_are_recorded_under_each_subscriptions_own_document(
    fresh_gateway,
) -> None:
    live = contract_document("dashboard/LivePermits.graphql")
    renamed = live.replace("subscription LivePermits", f"subscription {FORGED_NAME}")
    assert renamed != live
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(url, operator(fresh_gateway, 1)) as trusted,
        TransportWS.connect(url, operator(fresh_gateway, 2)) as ad_hoc,
    ):
        await trusted.subscribe(live)
        await ad_hoc.subscribe(renamed)
        await asyncio.sleep(0.2)
        await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
        for client in (trusted, ad_hoc):
            await client.next_events(1)

    nodes = await log_of(fresh_gateway, SARA.national_id)

    assert sorted(n["operation"] for n in nodes if n["accessorKind"] == "OPERATOR") == [
        "LivePermits",
        "ad hoc query",
    ]


async def test_the_log_pages_with_cursors(fresh_gateway) -> None:
    for _ in range(3):
        await read_permit_as_operator(fresh_gateway)
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


def test_every_scope_that_reads_others_data_has_a_purpose() -> None:
    assert set(PURPOSE_MESSAGES) == {VERIFY_SCOPE, WATCH_ALL_PERMITS}


@pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True)
async def test_operators_see_the_whole_entry_with_gateway_audit(
    fresh_gateway, monkeypatch, capsys
) -> None:
    key = await partner_key(fresh_gateway)
    await verify(fresh_gateway, key)
    await verify(fresh_gateway, key, VERIFY.replace("VerifyTravelPermit", FORGED_NAME))
    await read_permit_as_operator(fresh_gateway)
    await gateway_of(fresh_gateway.app).stores.audit.flush()
    monkeypatch.setenv("BAWABA_DATA_DIR", str(fresh_gateway.settings.data_dir))
    monkeypatch.setenv("BAWABA_SECRET_KEY", fresh_gateway.settings.secret_key)

    code = await asyncio.to_thread(gateway_command, ["audit", SARA.national_id])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == f"3 entries for {SARA.national_id}; newest 3:"
    key_id = key.split("_")[1]
    fields = [re.split(r"  +", line.strip())[1:] for line in lines[1:]]
    assert fields == [
        ["OPERATOR", OPERATOR.national_id, "-", "PermitDetails", WATCH_ALL_PERMITS, "127.0.0.1"],
        ["PARTNER", key_id, "King Fahd Causeway", "(ad hoc)", VERIFY_SCOPE, "127.0.0.1"],
        ["PARTNER", key_id, "King Fahd Causeway", "VerifyTravelPermit", VERIFY_SCOPE, "127.0.0.1"],
    ]


@GATEWAY_PROCESSES
async def test_a_partner_cannot_put_words_in_the_log_of_a_production_gateway(tmp_path) -> None:
    # Given a production gateway (real secret, trusted documents enforced for persons) with
    # the demo people, and a partner key made the way the agency makes one.
    environment = await production_environment(tmp_path)

    def gateway(*arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cli.main", *arguments],
            cwd=ROOT,
            env={**os.environ, **environment},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    created = gateway("partner", "create", "--name", "Riyadh Air", "--scope", VERIFY_SCOPE)
    shown = re.search(r"^X-API-Key: (\S+)$", created, re.MULTILINE)
    assert shown is not None, created
    key = shown.group(1)
    [verify_id] = [
        entry["id"]
        for entry in json.loads(TRUSTED_DOCUMENTS.read_text())["operations"]
        if entry["name"] == "VerifyTravelPermit"
    ]
    variables = {"nationalId": SARA.national_id, "destination": "BH", "on": "2030-01-01"}
    partner = {"X-API-Key": key}

    with gateway_process(environment, log_path=tmp_path / "gateway.log") as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            # When the partner renames its query, then runs the registered document...
            renamed = VERIFY.replace("query VerifyTravelPermit", f"query {FORGED_NAME}")
            for body in (
                {"query": renamed, "operationName": FORGED_NAME, "variables": variables},
                {"documentId": verify_id, "variables": variables},
            ):
                answer = await client.post("/graphql", json=body, headers=partner)
                assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
            # ... and cannot make the registered document carry its name either.
            forged = {"documentId": verify_id, "operationName": FORGED_NAME, "variables": variables}
            refused = (await client.post("/graphql", json=forged, headers=partner)).json()
            assert [error["extensions"]["code"] for error in refused["errors"]] == [
                "GRAPHQL_VALIDATION_FAILED"  # Unknown operation named '...'
            ]
            assert refused.get("data") is None
            token = issue_access_token(environment["BAWABA_SECRET_KEY"], SARA.national_id)
            log = await client.post(
                "/graphql",
                json={
                    "query": contract_document("frontend/MyDataAccessLog.graphql"),
                    "variables": {"first": 10},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
        audit = gateway("audit", SARA.national_id)

    # Then Sara reads the registered name, or "ad hoc query": never the partner's words,
    # and no address.
    edges = log.json()["data"]["myDataAccessLog"]["edges"]
    assert [(e["node"]["accessorName"]["en"], e["node"]["operation"]) for e in edges] == [
        ("Riyadh Air", "VerifyTravelPermit"),
        ("Riyadh Air", "ad hoc query"),
    ]
    assert FORGED_NAME not in log.text and "127.0.0.1" not in log.text
    # The operators' view has the addresses, and no more of the partner's words.
    assert FORGED_NAME not in audit
    assert audit.count("127.0.0.1") == 2 and "(ad hoc)" in audit
