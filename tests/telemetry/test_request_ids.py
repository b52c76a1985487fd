"""Every GraphQL error names its request: ``extensions.requestId`` equals ``X-Request-ID``."""

from __future__ import annotations

import pytest

from demo.demo_population import GUARDIAN, SARA
from tests.support.contract_documents import contract_document
from tests.support.live_server import TransportWS, serving

WATCH = contract_document("frontend/WatchMyPermits.graphql")
DEPENDENT = "query ($id: String!) { dependent(nationalId: $id) { age } }"


@pytest.mark.parametrize(
    ("query", "variables", "signed_in", "code"),
    [
        ("{ me { nationalId } }", None, False, "UNAUTHENTICATED"),
        (DEPENDENT, {"id": "1084592632"}, True, "INVALID_NATIONAL_ID"),
        (DEPENDENT, {"id": 5}, True, "BAD_USER_INPUT"),
        ("{ me { salary } }", None, True, "GRAPHQL_VALIDATION_FAILED"),
        ("{ me { nationalId ", None, True, "GRAPHQL_PARSE_FAILED"),
        ("{ " + "__typename " * 2100 + "}", None, False, "MAX_TOKENS_EXCEEDED"),
    ],
    ids=["field", "input", "variables", "validation", "parse", "limit"],
)
async def test_every_http_error_carries_the_request_id(
    gateway, query, variables, signed_in, code
) -> None:
    token = gateway.token(GUARDIAN.national_id) if signed_in else None
    response = await gateway.post(
        query, variables, token=token, locale="ar", headers={"X-Request-ID": "req-123"}
    )
    errors = response.json()["errors"]
    assert response.headers["x-request-id"] == "req-123"
    assert [error["extensions"]["code"] for error in errors] == [code]
    assert [error["extensions"]["requestId"] for error in errors] == ["req-123"]


async def test_a_generated_request_id_is_the_one_in_the_errors(gateway) -> None:
    response = await gateway.post("{ me { nationalId } }", headers={"X-Request-ID": "no spaces"})
    generated = response.headers["x-request-id"]
    assert generated != "no spaces" and len(generated) == 32
    assert response.json()["errors"][0]["extensions"]["requestId"] == generated


async def test_a_refused_oversized_body_carries_the_request_id(gateway) -> None:
    limit = gateway.settings.max_body_bytes
    response = await gateway.client.post(
        "/graphql",
        content=b'{"query": "' + b" " * limit + b'{ me { nationalId } }"}',
        headers={"Content-Type": "application/json", "X-Request-ID": "big-1"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "code": "REQUEST_TOO_LARGE",
        "requestId": "big-1",
    }


async def first_errors(client: TransportWS) -> list[dict]:
    """The errors of the next answer, whether sent as ``error`` or as ``next`` with errors."""
    message = await client.receive()
    while message["type"] == "complete":
        message = await client.receive()
    payload = message["payload"]
    return payload["errors"] if message["type"] == "next" else payload


async def test_websocket_errors_carry_the_connections_request_id(fresh_gateway) -> None:
    token = fresh_gateway.token(GUARDIAN.national_id)
    answers = []
    async with (
        serving(fresh_gateway.app) as url,
        TransportWS.connect(
            url, {"Authorization": f"Bearer {token}"}, headers={"X-Request-ID": "ws-7"}
        ) as client,
    ):
        await client.subscribe(WATCH, {"after": "not-a-cursor"}, id="cursor")
        answers.append(await first_errors(client))
        await client.subscribe("subscription { nothingHere }", id="invalid")
        answers.append(await first_errors(client))
        await client.subscribe(DEPENDENT, {"id": SARA.national_id[:-1] + "0"}, id="query")
        answers.append(await first_errors(client))
    assert [[e["extensions"]["code"] for e in errors] for errors in answers] == [
        ["INVALID_CURSOR"],
        ["GRAPHQL_VALIDATION_FAILED"],
        ["INVALID_NATIONAL_ID"],
    ]
    assert [[e["extensions"]["requestId"] for e in errors] for errors in answers] == [["ws-7"]] * 3
