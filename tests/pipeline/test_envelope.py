"""Step 1, the envelope, and what every HTTP answer carries.

Whatever a client puts in ``query``, ``operationName``, ``variables``, ``extensions`` (and
its ``persistedQuery``), or ``documentId``, whether the body is JSON at all: the answer is a
coded GraphQL response, never a 5xx, never a socket closed for an internal error. Fixed
cases from the issue come first, then a Hypothesis fuzz over HTTP POST, HTTP GET and both
WebSocket protocols, then the unexpected exception, then HTTP's conventions.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import AsyncIterator, Callable
from itertools import count
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from demo.demo_population import GUARDIAN
from gateway import TRUSTED_DOCUMENTS
from tests.support.contract_documents import contract_document
from tests.support.doors import query_parameters
from tests.support.live_production import LiveGateway, serving_production
from tests.support.running_gateway import TEST_SECRET
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
MANIFEST = json.loads(TRUSTED_DOCUMENTS.read_text())
SECURITY_HEADERS = ("x-content-type-options", "referrer-policy", "content-security-policy")


def person_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(TEST_SECRET, GUARDIAN.national_id)}"}


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveGateway]:
    async with serving_production(tmp_path_factory.mktemp("envelope")) as running:
        yield running


@pytest.fixture
async def http(production: LiveGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=production.url, timeout=30) as client:
        yield client


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [record.fields for record in caplog.records if record.name == "bawaba.requests"]


def assert_coded_answer(response: httpx.Response) -> dict[str, Any]:
    """A GraphQL response: JSON, with data or with errors that each carry a code."""
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith(
        ("application/json", "application/graphql-response+json")
    ), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    errors = body.get("errors")
    assert "data" in body or errors, body
    for error in errors or ():
        assert isinstance(error["extensions"]["code"], str), body
    return body  # type: ignore[no-any-return]


# -- fixed cases ------------------------------------------------------------------------------

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
DEEP_VARIABLES = b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 100_000 + b"1"
DEEP_VARIABLES += b"}" * 100_000 + b"}"

MALFORMED: dict[str, tuple[bytes, dict[str, str], int, str, str | None]] = {
    # name: body, extra headers, status, code, field
    "a string": (b'"text"', {}, 400, "BAD_REQUEST", "body"),
    "a number": (b"123", {}, 400, "BAD_REQUEST", "body"),
    "null": (b"null", {}, 400, "BAD_REQUEST", "body"),
    "operationName not a string": (
        b'{"query": "{ __typename }", "operationName": 7}',
        {},
        400,
        "BAD_REQUEST",
        "operationName",
    ),
    "sha256Hash not a string": (
        b'{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": ["x"]}}}',
        {},
        400,
        "BAD_REQUEST",
        "extensions.persistedQuery.sha256Hash",
    ),
    "variables not an object": (
        b'{"query": "{ __typename }", "variables": "{}"}',
        {},
        400,
        "BAD_REQUEST",
        "variables",
    ),
    "invalid UTF-8": (b'{"query": "{ __typename \xff\xfe }"}', {}, 400, "INVALID_JSON_BODY", None),
    "a lone surrogate": (b'{"query": "\\ud800"}', {}, 400, "INVALID_JSON_BODY", None),
    "gzip": (
        gzip.compress(b'{"query": "{ __typename }"}'),
        {"Content-Encoding": "gzip"},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
    ),
    "100,000-deep JSON": (DEEP_JSON, {}, 400, "INVALID_JSON_BODY", None),
    "100,000-deep variables": (DEEP_VARIABLES, {}, 400, "INVALID_JSON_BODY", None),
    "not JSON at all": (b"query { __typename }", {}, 400, "INVALID_JSON_BODY", None),
    "form data": (
        b"query=%7B__typename%7D",
        {"Content-Type": "application/x-www-form-urlencoded"},
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        None,
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
async def test_a_malformed_request_gets_a_coded_answer(http, caplog, case) -> None:
    caplog.set_level(logging.INFO, logger="bawaba.requests")
    body, headers, status, code, field = MALFORMED[case]

    response = await http.post(
        "/graphql",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Request-ID": "malformed-1",
            **person_headers(),
            **headers,
        },
    )

    assert response.status_code == status
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"].get("field") == field
    assert error["extensions"]["requestId"] == "malformed-1"
    assert response.headers["x-request-id"] == "malformed-1"
    for header in SECURITY_HEADERS:
        assert header in response.headers
    [line] = request_lines(caplog)
    assert line["requestId"] == "malformed-1" and line["door"] == "POST"
    assert line["status"] == status and line["errors"] == [code]
    assert line["caller"] == "anonymous"  # refused before anyone was identified


async def test_get_requests_are_logged(http, caplog) -> None:
    caplog.set_level(logging.INFO, logger="bawaba.requests")
    answered = await http.get(
        "/graphql",
        params={"query": MY_FAMILY},
        headers={"X-Request-ID": "get-1", **person_headers()},
    )
    refused = await http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": "[1]"},
        headers={"X-Request-ID": "get-2"},
    )

    assert answered.status_code == 200 and refused.status_code == 400
    lines = request_lines(caplog)
    assert [(line["requestId"], line["door"], line["status"]) for line in lines] == [
        ("get-1", "GET", 200),
        ("get-2", "GET", 400),
    ]
    assert lines[0]["operation"] == "MyFamily" and lines[0]["caller"] == "person"
    assert lines[1]["errors"] == ["BAD_REQUEST"]


# -- the fuzz ---------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-1000, max_value=1000)
    | st.integers(min_value=-(2**70), max_value=2**70)  # past 64 bits too
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Queries and mutations only: a subscription would stay open on a socket, and the fuzz
# waits for each operation's end.
RUNNABLE = [entry for entry in MANIFEST["operations"] if entry["type"] != "subscription"]
DOCUMENTS = st.sampled_from(
    [
        "{ __typename }",
        "query A { __typename } query B { me { nationalId } }",
        "query ($f: Int = 50) { me { dependents { travelPermits(first: $f) { totalCount } } } }",
        "{ __schema { queryType { name } } }",
        "{",
        MY_FAMILY,
        *[entry["body"] for entry in RUNNABLE],
    ]
)
HASHES = st.sampled_from(
    ["0" * 64, "", "sha256:"]
    + [entry["id"] for entry in RUNNABLE]
    + [f"sha256:{entry['id']}" for entry in RUNNABLE]
)
OPERATION_NAMES = st.sampled_from(["A", "B", "MyFamily", "StartLogin", "Logout", ""])
VARIABLES = st.sampled_from([{}, {"first": 1}, {"f": 50.0}, {"refreshToken": "x"}, {"id": "x"}])
PERSISTED_QUERY = st.fixed_dictionaries(
    {}, optional={"version": st.just(1) | JSON_VALUES, "sha256Hash": HASHES | JSON_VALUES}
)
EXTENSIONS = JSON_VALUES | st.fixed_dictionaries(
    {}, optional={"persistedQuery": PERSISTED_QUERY | JSON_VALUES}
)
# Requests a client could mean: a text, an APQ hash, a document id.
WELL_FORMED = st.one_of(
    st.fixed_dictionaries(
        {"query": DOCUMENTS}, optional={"operationName": OPERATION_NAMES, "variables": VARIABLES}
    ),
    st.fixed_dictionaries(
        {"extensions": st.fixed_dictionaries({"persistedQuery": st.fixed_dictionaries(
            {"version": st.just(1), "sha256Hash": HASHES})})},
        optional={"query": DOCUMENTS, "variables": VARIABLES},
    ),
    st.fixed_dictionaries({"documentId": HASHES}, optional={"variables": VARIABLES}),
)  # fmt: skip
# Each envelope field (dotted: inside extensions), and what it may be set to.
FIELDS = {
    "query": DOCUMENTS | JSON_VALUES,
    "operationName": OPERATION_NAMES | JSON_VALUES,
    "variables": VARIABLES | JSON_VALUES,
    "extensions": EXTENSIONS,
    "extensions.persistedQuery": PERSISTED_QUERY | JSON_VALUES,
    "extensions.persistedQuery.sha256Hash": HASHES | JSON_VALUES,
    "extensions.persistedQuery.version": JSON_VALUES,
    "documentId": HASHES | JSON_VALUES,
}


@st.composite
def one_field_set(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed request with one field (maybe nested) set to anything."""
    payload: dict[str, Any] = draw(WELL_FORMED)
    path = draw(st.sampled_from(list(FIELDS))).split(".")
    holder = payload
    for name in path[:-1]:
        if not isinstance(holder.get(name), dict):
            holder[name] = {}
        holder = holder[name]
    holder[path[-1]] = draw(FIELDS[".".join(path)])
    return payload


ENVELOPES = st.one_of(
    one_field_set(),
    WELL_FORMED,
    st.fixed_dictionaries({}, optional={name: FIELDS[name] for name in FIELDS if "." not in name}),
)
PAYLOADS = ENVELOPES | JSON_VALUES  # a payload that is no object at all, now and then
EXAMPLES = 200
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz_http_post(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:

        @FUZZ_SETTINGS
        @given(
            payload=PAYLOADS, raw=st.binary(max_size=200), one_in=st.integers(0, 9),
            signed_in=st.booleans(),
        )  # fmt: skip
        def post(payload: Any, raw: bytes, one_in: int, signed_in: bool) -> None:
            body = raw if one_in == 5 else json.dumps(payload).encode()  # some bodies no JSON
            headers = {
                "Content-Type": "application/json",
                **(person_headers() if signed_in else {}),
            }
            assert_coded_answer(client.post("/graphql", content=body, headers=headers))

        post()


def fuzz_http_get(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:

        @FUZZ_SETTINGS
        @given(
            payload=ENVELOPES,
            text=st.just({})
            | st.dictionaries(
                st.sampled_from(
                    ["query", "variables", "extensions", "documentId", "operationName"]
                ),
                st.text(max_size=40),
                max_size=2,
            ),
            signed_in=st.booleans(),
        )
        def get(payload: dict[str, Any], text: dict[str, str], signed_in: bool) -> None:
            # JSON values as GET carries them (JSON text), and plain text in any parameter.
            parameters = {**query_parameters(payload), **text}
            headers = person_headers() if signed_in else {}
            assert_coded_answer(client.get("/graphql", params=parameters, headers=headers))

        get()


def fuzz_socket(ws_url: str, *, protocol: str) -> None:
    """Subscribe/start messages with fuzzed payloads on one socket: each ends with a coded
    answer and the socket stays open."""
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    answer_types = {"next", "data"}
    refusal_types = {"error"}
    ids = count()
    with connect(f"{ws_url}/graphql", subprotocols=[protocol], max_size=None) as socket:
        socket.send(json.dumps({"type": "connection_init", "payload": person_headers()}))
        assert receive(socket)["type"] == "connection_ack"

        @FUZZ_SETTINGS
        @given(payload=PAYLOADS)
        def operate(payload: Any) -> None:
            op_id = str(next(ids))
            socket.send(json.dumps({"id": op_id, "type": start, "payload": payload}))
            try:
                first = receive(socket, op_id)
                if first["type"] in answer_types:
                    assert isinstance(first["payload"], dict), first
                    assert "data" in first["payload"] or first["payload"].get("errors"), first
                    errors = first["payload"].get("errors") or []
                    assert receive(socket, op_id)["type"] == "complete"
                else:
                    assert first["type"] in refusal_types, first
                    errors = first["payload"]
                    errors = errors if isinstance(errors, list) else [errors]
            except ConnectionClosed as closed:
                raise AssertionError(f"{payload!r} closed the socket: {closed.rcvd}") from closed
            for error in errors:
                assert isinstance(error["extensions"]["code"], str), first

        operate()


def receive(socket: ClientConnection, op_id: str | None = None) -> dict[str, Any]:
    while True:
        message = json.loads(socket.recv(timeout=15))
        if message["type"] == "ping":
            socket.send('{"type": "pong"}')
        elif message["type"] != "ka":
            assert op_id is None or message.get("id") == op_id, message
            return message  # type: ignore[no-any-return]


DOORS: dict[str, Callable[[LiveGateway], None]] = {
    "POST": lambda gateway: fuzz_http_post(gateway.url),
    "GET": lambda gateway: fuzz_http_get(gateway.url),
    "graphql-transport-ws": lambda gateway: fuzz_socket(
        gateway.ws_url, protocol="graphql-transport-ws"
    ),
    "graphql-ws": lambda gateway: fuzz_socket(gateway.ws_url, protocol="graphql-ws"),
}


@pytest.fixture(scope="module", params=["production", "demo"])
async def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveGateway]:
    """Production (trusted documents enforced) and demo (any document runs)."""
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    async with serving_production(data_dir, mode=request.param) as running:
        yield running


@pytest.mark.parametrize("door", DOORS, ids=list(DOORS))
async def test_no_envelope_gets_a_server_error(fuzzed, door) -> None:
    # Hypothesis drives blocking clients from a thread; the server runs in this loop.
    await asyncio.to_thread(DOORS[door], fuzzed)


# -- the unexpected ---------------------------------------------------------------------------


def break_the_cost_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug deep in the pipeline: the cost walk raises what nobody translates."""

    def broken(*_args: object, **_kwargs: object) -> int:
        raise ZeroDivisionError("deep inside the cost walk")

    monkeypatch.setattr("pipeline.cost.estimate_cost", broken)


async def test_an_unexpected_exception_is_a_coded_500_logged_in_full_once(
    tmp_path, monkeypatch, caplog
) -> None:
    caplog.set_level(logging.INFO)
    break_the_cost_walk(monkeypatch)
    async with (
        serving_production(tmp_path) as production,
        httpx.AsyncClient(base_url=production.url) as http,
    ):
        responses = [
            await http.post(
                "/graphql",
                json={"query": MY_FAMILY},
                headers={"X-Request-ID": f"crash-{n}", "Accept-Language": "ar", **person_headers()},
            )
            for n in (1, 2)
        ]

    for n, response in enumerate(responses, start=1):
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/json")
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "INTERNAL_ERROR", "requestId": f"crash-{n}"}
        assert response.headers["x-request-id"] == f"crash-{n}"
        assert response.headers["content-language"] == "ar"
        for header in SECURITY_HEADERS:
            assert header in response.headers
        assert "cost walk" not in response.text and "ZeroDivision" not in response.text
    tracebacks = [r for r in caplog.records if r.name == "bawaba.errors" and r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    assert "deep inside the cost walk" in caplog.text and "crash-1" in caplog.text
    lines = request_lines(caplog)
    assert [(line["requestId"], line["status"], line["errors"]) for line in lines] == [
        ("crash-1", 500, ["INTERNAL_ERROR"]),
        ("crash-2", 500, ["INTERNAL_ERROR"]),
    ]


def crash_twice_then_answer(ws_url: str, protocol: str, repair: Callable[[], None]) -> None:
    """On one socket: two operations meet the bug, then ``repair`` and a third is answered."""
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    with connect(f"{ws_url}/graphql", subprotocols=[protocol]) as socket:
        socket.send(json.dumps({"type": "connection_init", "payload": person_headers()}))
        assert receive(socket)["type"] == "connection_ack"
        for op_id in ("1", "2"):
            socket.send(json.dumps({"id": op_id, "type": start, "payload": {"query": MY_FAMILY}}))
            refused = receive(socket, op_id)
            assert refused["type"] == "error", refused
            payload = refused["payload"]
            [error] = payload if isinstance(payload, list) else [payload]
            assert error["extensions"]["code"] == "INTERNAL_ERROR"
            assert error["extensions"]["requestId"]
            assert "cost walk" not in json.dumps(refused)
        repair()
        # The socket was not closed for it, and serves the next operation.
        socket.send(json.dumps({"id": "3", "type": start, "payload": {"query": MY_FAMILY}}))
        answered = receive(socket, "3")
        assert answered["payload"]["data"]["me"]["nationalId"] == GUARDIAN.national_id


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_an_unexpected_exception_on_a_socket_is_an_internal_error(
    tmp_path, monkeypatch, caplog, protocol
) -> None:
    caplog.set_level(logging.INFO)
    break_the_cost_walk(monkeypatch)
    async with serving_production(tmp_path) as production:
        await asyncio.to_thread(
            crash_twice_then_answer, production.ws_url, protocol, monkeypatch.undo
        )

    tracebacks = [r for r in caplog.records if r.name == "bawaba.errors" and r.exc_info]
    assert len(tracebacks) == 1, [r.getMessage() for r in tracebacks]
    lines = request_lines(caplog)
    assert [(line["door"], line["errors"]) for line in lines] == [
        (protocol, ["INTERNAL_ERROR"]),
        (protocol, ["INTERNAL_ERROR"]),
        (protocol, []),
    ]


# -- conventions clients rely on --------------------------------------------------------------

ORIGIN = "https://app.bawaba.example"
APOLLO_AND_TRACING_HEADERS = (
    "traceparent",
    "tracestate",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
BUDGET = 20


@pytest.fixture(scope="module")
async def browser_facing(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveGateway]:
    """A production gateway that a web app on ``ORIGIN`` calls, with a small rate budget."""
    async with serving_production(
        tmp_path_factory.mktemp("conventions"),
        cors_origins=[ORIGIN],
        rate_limit_per_caller=f"{BUDGET}/minute",
    ) as running:
        yield running


@pytest.fixture
async def browser(browser_facing: LiveGateway) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=browser_facing.url, headers={"Origin": ORIGIN}, timeout=30
    ) as client:
        yield client


def header_list(response: httpx.Response, name: str) -> set[str]:
    return {value.strip().lower() for value in response.headers.get(name, "").split(",")}


async def test_the_cors_preflight_allows_tracing_and_apollo_headers(browser) -> None:
    asked = ("authorization", "content-type", "accept-language", *APOLLO_AND_TRACING_HEADERS)
    preflight = await browser.options(
        "/graphql",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ", ".join(asked),
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert set(asked) <= header_list(preflight, "access-control-allow-headers")
    assert {"get", "post"} <= header_list(preflight, "access-control-allow-methods")

    traceparent = f"00-{'1' * 32}-{'2' * 16}-01"
    answer = await browser.post(
        "/graphql",
        json={"query": MY_FAMILY},
        headers={"traceparent": traceparent, **person_headers()},
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert {"retry-after", "x-request-id"} <= header_list(answer, "access-control-expose-headers")


async def test_another_origins_preflight_is_refused(browser) -> None:
    preflight = await browser.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_get_405_with_allow(browser, method) -> None:
    response = await browser.request(
        method,
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "wrong-method", "Accept-Language": "ar"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-language"] == "ar"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "METHOD_NOT_ALLOWED", "requestId": "wrong-method"}


async def test_a_mutation_by_get_gets_405_allowing_post_only(browser) -> None:
    logout = contract_document("frontend/Session.graphql")
    response = await browser.get(
        "/graphql",
        params={"query": logout, "operationName": "Logout", "variables": '{"refreshToken": "x"}'},
        headers=person_headers(),
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_every_answer_says_its_language_and_get_varies_on_it(browser) -> None:
    person = person_headers()
    family = {"query": MY_FAMILY}
    json_body = {"Content-Type": "application/json"}
    answers = {
        "200": await browser.post("/graphql", json=family, headers=person),
        "200 GET": await browser.get("/graphql", params=family, headers=person),
        "400": await browser.post("/graphql", content=b"{", headers=json_body),
        "400 GET": await browser.get("/graphql", params={"variables": "[", "query": "{ a }"}),
        "401": await browser.post("/graphql", json=family, headers={"Authorization": "Bearer x"}),
        "403": await browser.post("/graphql", json={"query": "{ me { nationalId } }"}),
        "405": await browser.put("/graphql", json=family),
        "413": await browser.post("/graphql", content=b" " * 2**21, headers=json_body),
        "415": await browser.post(
            "/graphql", content=b"{}", headers={"Content-Type": "text/plain"}
        ),
    }
    rate_limited = {"Authorization": f"Bearer {issue_access_token(TEST_SECRET, '2386174029')}"}
    for _ in range(BUDGET):
        await browser.post("/graphql", json={"query": MY_FAMILY}, headers=rate_limited)
    answers["429"] = await browser.post("/graphql", json={"query": MY_FAMILY}, headers=rate_limited)

    for name, response in answers.items():
        assert response.status_code == int(name.split()[0]), (name, response.text)
        assert response.headers.get("content-language") == "en", (name, response.headers)
        assert "x-request-id" in response.headers, name
    for name in ("200 GET", "400 GET"):
        assert "accept-language" in header_list(answers[name], "vary"), name
    assert int(answers["429"].headers["retry-after"]) >= 1
    assert "retry-after" in header_list(answers["429"], "access-control-expose-headers")
    # In Arabic when asked.
    arabic = await browser.get(
        "/graphql", params={"query": MY_FAMILY}, headers={"Accept-Language": "ar", **person}
    )
    assert arabic.headers["content-language"] == "ar"
