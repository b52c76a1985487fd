"""Bad requests get a clear, coded, localized error, never a 500 and never a stack trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN
from gateway import create_app, gateway_of
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.running_gateway import TEST_SECRET, serving_settings
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")


async def test_me_without_a_token_is_unauthenticated(gateway) -> None:
    result = await gateway.graphql("{ me { nationalId } }", locale="ar")
    assert result["data"] == {"me": None}
    extensions = result["errors"][0]["extensions"]
    assert extensions.pop("requestId")
    assert extensions == {"code": "UNAUTHENTICATED"}
    assert result["errors"][0]["message"] == "يرجى تسجيل الدخول للمتابعة."


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("Bearer not.a.jwt", "INVALID_TOKEN"),
        ("Basic dXNlcjpwYXNz", "INVALID_TOKEN"),
        (
            "Bearer " + issue_access_token("another-secret-" + "y" * 30, GUARDIAN.national_id),
            "INVALID_TOKEN",
        ),
        (
            "Bearer "
            + issue_access_token(
                TEST_SECRET, GUARDIAN.national_id, now=datetime.now(UTC) - timedelta(hours=2)
            ),
            "TOKEN_EXPIRED",
        ),
    ],
    ids=["garbage", "wrong-scheme", "foreign-signature", "expired"],
)
async def test_bad_credentials_are_refused_with_401(gateway, authorization, code) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ me { nationalId } }"},
        headers={"Authorization": authorization},
    )
    assert response.status_code == 401
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions == {
        "code": "UNAUTHENTICATED",
        "reason": code,
        "requestId": response.headers["x-request-id"],
    }
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_tampered_token_is_refused(gateway) -> None:
    header, payload, signature = gateway.token(GUARDIAN.national_id).split(".")
    tampered = f"{header}.{payload[:-2]}xx.{signature}"
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ me { nationalId } }"},
        headers={"Authorization": f"Bearer {tampered}"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"query": ', "application/json", 400, "INVALID_JSON_BODY"),
        (b"{ me { nationalId } }", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"variables": {}}', "application/json", 400, "MISSING_QUERY"),
    ],
    ids=["malformed-json", "wrong-content-type", "no-query"],
)
async def test_malformed_requests_get_coded_errors(gateway, content, content_type, status, code):
    response = await gateway.client.post(
        "/graphql", content=content, headers={"Content-Type": content_type, "Accept-Language": "ar"}
    )
    assert response.status_code == status
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == code
    assert body["errors"][0]["message"]


async def test_syntax_and_schema_errors_are_coded(gateway) -> None:
    syntax = await gateway.graphql("{ me { nationalId ", token=gateway.token(GUARDIAN.national_id))
    unknown = await gateway.graphql("{ me { salary } }", locale="ar")
    assert syntax["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert unknown["errors"][0]["message"] == "الطلب لا يتوافق مع مخطط الواجهة."
    assert "salary" in unknown["errors"][0]["extensions"]["detail"]


async def test_wrong_variable_types_are_bad_user_input(gateway) -> None:
    result = await gateway.graphql(
        "query ($first: Int!) { me { dependents {"
        " travelPermits(first: $first) { totalCount } } } }",
        {"first": "five"},
        token=gateway.token(GUARDIAN.national_id),
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "data" not in result or result["data"] is None


async def test_unknown_person_token_is_not_found(gateway) -> None:
    result = await gateway.graphql("{ me { nationalId } }", token=gateway.token("1000000016"))
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_unexpected_failures_are_masked(fresh_gateway, monkeypatch, caplog) -> None:
    async def broken(*_args, **_kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(gateway_of(fresh_gateway.app).stores.passports, "permit_pages", broken)
    result = await fresh_gateway.graphql(
        MY_FAMILY,
        token=fresh_gateway.token(GUARDIAN.national_id),
        headers={"X-Request-ID": "trace-me-42"},
    )
    errors = result["errors"]
    assert {error["extensions"]["code"] for error in errors} == {"INTERNAL_ERROR"}
    assert {error["extensions"]["requestId"] for error in errors} == {"trace-me-42"}
    assert "SELECT" not in str(result) and "RuntimeError" not in str(result)
    assert "SELECT secret FROM internals" in caplog.text
    assert "trace-me-42" in caplog.text
    # Everything else on the page still answers.
    assert result["data"]["me"]["nationalId"] == GUARDIAN.national_id


async def test_a_registry_outage_leaves_the_other_registrys_fields(tmp_path) -> None:
    settings = Settings(mode="demo", data_dir=tmp_path, secret_key=TEST_SECRET)
    await prepare_stores(settings)
    outage = settings.model_copy(
        update={"passport_registry_url": "postgresql+asyncpg://nobody@127.0.0.1:9/none"}
    )
    app = create_app(outage)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
            response = await client.post(
                "/graphql", json={"query": MY_FAMILY}, headers={"Authorization": f"Bearer {token}"}
            )
            ready = await client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["me"]["name"]["en"] == GUARDIAN.name_en
    assert body["data"]["me"]["currentPassport"] is None
    assert len(body["data"]["me"]["dependents"]) == 5
    codes = {(e["extensions"]["code"], e["extensions"]["registry"]) for e in body["errors"]}
    assert codes == {("REGISTRY_UNAVAILABLE", "passport")}
    assert ready.status_code == 503
    assert ready.json()["registries"] == {
        "civil": "ready",
        "passport": "unavailable",
        "gateway": "ready",
    }


async def test_health_and_graphiql(gateway) -> None:
    assert (await gateway.client.get("/healthz")).json() == {"status": "alive"}
    assert (await gateway.client.get("/readyz")).json()["ready"] is True
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_responses_carry_a_request_id_and_security_headers(gateway) -> None:
    given = await gateway.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "abc-123"}
    )
    made = await gateway.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "bad id with spaces"}
    )
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    for response in (given, page):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert given.headers["content-security-policy"].startswith("default-src 'none'")


async def test_cross_origin_browsers_are_refused_unless_allowed(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=TEST_SECRET, cors_origins=["https://app.bawaba.example"]
    )
    async with serving_settings(settings) as (_, client):
        allowed = await client.options(
            "/graphql",
            headers={
                "Origin": "https://app.bawaba.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        other = await client.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.bawaba.example"
    assert "access-control-allow-origin" not in other.headers


async def test_graphql_response_json_uses_the_specs_status_codes(gateway) -> None:
    accept = {"Accept": "application/graphql-response+json"}
    ok = await gateway.post("{ __typename }", headers=accept)
    invalid = await gateway.post("{ me { salary } }", headers=accept)
    unparsable = await gateway.post("{ me {", headers=accept)
    bad_variables = await gateway.post(
        "query ($id: ID!) { travelPermit(id: $id) { id } }", {"id": 5.5}, headers=accept
    )
    partial = await gateway.post("{ me { nationalId } }", headers=accept)  # no token
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    for refused in (invalid, unparsable, bad_variables):
        assert refused.status_code == 400
        assert "data" not in refused.json()
    # Execution happened: the field error is data, with 200.
    assert partial.status_code == 200
    assert partial.json()["data"] == {"me": None}
    # Plain application/json keeps 200 for the same document.
    assert (await gateway.post("{ me { salary } }")).status_code == 200
