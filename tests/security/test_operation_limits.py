"""Hostile documents are refused before anything runs, each with its own code."""

from __future__ import annotations

import pytest

from demo.demo_population import GUARDIAN
from gateway import gateway_of
from tests.support.sign_in_flow import start_login

DEEP = "{ me { " + "dependents { person { " * 5 + "nationalId" + " } }" * 5 + " } }"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{n}: __typename" for n in range(count)) + " }"


def aliases_in_fragment(count: int) -> str:
    inner = " ".join(f"a{n}: __typename" for n in range(count))
    return "query { ...F } fragment F on Query { " + inner + " }"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (DEEP, "MAX_DEPTH_EXCEEDED"),
        (aliases(16), "MAX_ALIASES_EXCEEDED"),
        (aliases_in_fragment(16), "MAX_ALIASES_EXCEEDED"),
        ("{ " + "__typename " * 2100 + "}", "MAX_TOKENS_EXCEEDED"),
        ("{ __typename " + "@include(if: true) " * 51 + "}", "MAX_DIRECTIVES_EXCEEDED"),
        (
            "{ " + " ".join(f"f{n}: __typename" for n in range(11)) + " }",
            "MAX_ROOT_FIELDS_EXCEEDED",
        ),
        (
            "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
    ids=[
        "depth",
        "aliases",
        "aliases-through-fragments",
        "tokens",
        "directives",
        "root-fields",
        "fragment-cycle",
    ],
)
async def test_each_attack_is_refused_with_its_code(gateway, document, code) -> None:
    gateway.statements.clear()
    response = await gateway.post(document, token=gateway.token(GUARDIAN.national_id), locale="ar")
    assert response.status_code in (200, 400)
    body = response.json()
    assert code in {error["extensions"]["code"] for error in body["errors"]}
    assert not body.get("data")
    assert gateway.request_statements() == []


async def test_every_contract_document_stays_within_the_limits(gateway, contract_dir) -> None:
    from graphql import OperationDefinitionNode, parse, validate

    from security.operation_limits import OperationLimits, limit_errors, measure_operation
    from settings import Settings

    schema = gateway_of(gateway.app).schema.graphql_schema
    limits = OperationLimits.from_settings(Settings())
    for path in contract_dir.rglob("*.graphql"):
        document = parse(path.read_text(), max_tokens=limits.max_tokens)
        assert validate(schema, document) == []
        for operation in document.definitions:
            if isinstance(operation, OperationDefinitionNode):
                measures = measure_operation(document, operation)
                assert limit_errors(measures, limits, operation) == []


async def test_a_huge_body_is_refused_with_413(gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        content=b'{"query": "' + b" " * (10 * 1024 * 1024) + b'{ __typename }"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_batch_of_operations_is_refused(gateway) -> None:
    response = await gateway.client.post("/graphql", json=[{"query": "{ __typename }"}] * 5000)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCH_NOT_ALLOWED"


async def test_mutations_are_never_run_over_get(gateway) -> None:
    response = await gateway.client.get(
        "/graphql", params={"query": 'mutation { logout(refreshToken: "x") { errors { code } } }'}
    )
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_huge_pages_are_refused(gateway) -> None:
    result = await gateway.graphql(
        "{ me { dependents { travelPermits(first: 100000) { totalCount } } } }",
        token=gateway.token(GUARDIAN.national_id),
    )
    assert {e["extensions"]["code"] for e in result["errors"]} == {"INVALID_PAGE_SIZE"}


async def test_guessing_a_code_through_aliases_gets_five_tries(fresh_gateway) -> None:
    started = await start_login(fresh_gateway, GUARDIAN.national_id, "Bawaba-Demo-2026")
    challenge = started["challenge"]["id"]
    guesses = " ".join(
        f'g{n}: completeLogin(challengeId: "{challenge}", code: "{n:06d}") {{ errors {{ code }} }}'
        for n in range(10)
    )
    result = await fresh_gateway.graphql(f"mutation {{ {guesses} }}")
    codes = [
        result["data"][f"g{n}"]["errors"][0]["code"]
        for n in range(10)
        if result["data"][f"g{n}"]["errors"]
    ]
    # Ten aliases pass the alias limit; the challenge dies after five wrong codes.
    assert codes.count("INVALID_CODE") <= 4
    assert codes[-1] in ("CHALLENGE_LOCKED", "SIGN_IN_LOCKED")


async def test_oversized_variables_are_refused(gateway) -> None:
    response = await gateway.post(
        "query ($id: ID!) { travelPermit(id: $id) { id } }", {"id": "x" * 70_000}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "VARIABLES_TOO_LARGE"


async def test_the_limits_are_configurable(tmp_path) -> None:
    from settings import Settings
    from tests.support.running_gateway import TEST_SECRET, serving_settings

    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET, max_aliases=2)
    async with serving_settings(settings) as (_, client):
        response = await client.post("/graphql", json={"query": aliases(3)})
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
