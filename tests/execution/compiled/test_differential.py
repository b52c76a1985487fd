"""Compiled execution answers exactly as graphql-core does: a differential test.

Every trusted query runs on both paths, for every demo viewer, in both languages, with
permits of the viewer's family, of another family and IDs that are no permit at all; then
for families Hypothesis generates; then with a registry unreachable (breaker closed, so every
call fails, and breaker open). Mutations run step by step on two gateways seeded alike, one
compiled and one not. Data, errors (order included) and status must be identical; of
``extensions.cost`` only the budget left differs, since both requests spend from it.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
import strawberry.schema.schema as strawberry_schema_module
from graphql import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.stores import prepare_stores
from demo.demo_population import (
    DEMO_PEOPLE,
    EXPIRING_RESIDENT,
    FAISAL,
    GUARDIAN,
    OMAR,
    OPERATOR,
    SARA,
    demo_permit_id,
)
from execution.compiled.operations import CompiledOperations
from gateway import create_app, gateway_of
from resolvers.global_ids import encode_global_id
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.factories import make_family
from tests.support.permit_helpers import day, in_days, permit_input
from tests.support.running_gateway import (
    RunningGateway,
    make_settings,
    start_gateway,
    today_of,
)
from tests.support.tokens import issue_access_token

# One worker runs this module, so its gateways (module fixtures) start once.
pytestmark = pytest.mark.xdist_group("differential")
MY_FAMILY = contract_document("frontend/MyFamily.graphql")
PERMIT_DETAILS = contract_document("frontend/PermitDetails.graphql")
PERMIT_BOARD = contract_document("dashboard/PermitBoard.graphql")
VERIFY = contract_document("partner/VerifyTravelPermit.graphql")
ISSUE = contract_document("frontend/IssueTravelPermit.graphql")
CANCEL = contract_document("frontend/CancelTravelPermit.graphql")
UPDATE_PASSPORT = contract_document("frontend/UpdatePassport.graphql")
LOGIN = contract_document("frontend/Login.graphql")
DEMO_PERMITS = 8
REQUEST_ID = "differential-1"
STANDARD_RERUNS = 20


class BothPaths:
    """Sends one request compiled, then the same request on the standard path."""

    def __init__(self, app: Any, client: httpx.AsyncClient) -> None:
        self.execution = gateway_of(app).pipeline.execution
        compiled = self.execution.compiled
        assert compiled is not None
        self.compiled: CompiledOperations = compiled
        self.client = client

    async def send(self, body: dict[str, Any], headers: dict[str, str], *, compiled: bool) -> Any:
        installed = self.execution.compiled
        self.execution.compiled = self.compiled if compiled else None
        try:
            return await self.client.post("/graphql", json=body, headers=headers)
        finally:
            self.execution.compiled = installed

    async def compare(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        operation_name: str | None = None,
        expect_compiled: bool = True,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query, "variables": variables}
        if operation_name:
            body["operationName"] = operation_name
        headers = {"X-Request-ID": REQUEST_ID, **(headers or {})}
        runs = self.compiled.runs
        compiled = await self.send(body, headers, compiled=True)
        assert self.compiled.runs == runs + (1 if expect_compiled else 0)
        standard = await self.send(body, headers, compiled=False)
        assert self.compiled.runs == runs + (1 if expect_compiled else 0)
        for _ in range(STANDARD_RERUNS):
            if not only_error_order_differs(compiled, standard):
                break
            # Errors of root fields waiting on different queries come in the order the
            # database answers, on either path: the compiled order must be one the standard
            # path gives too.
            standard = await self.send(body, headers, compiled=False)
        return assert_same_answer(compiled, standard)


def comparable(response: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = orjson.loads(response.content)
    cost = (answer.get("extensions") or {}).get("cost") or {}
    # The caller's budget is spent by each of the two requests: it is what differs.
    for spent in ("remaining", "resetInSeconds"):
        if spent in cost:
            assert isinstance(cost.pop(spent), int)
    return answer


def only_error_order_differs(compiled: httpx.Response, standard: httpx.Response) -> bool:
    answers = [comparable(compiled), comparable(standard)]
    if orjson.dumps(answers[0]) == orjson.dumps(answers[1]):
        return False
    errors = [sorted(orjson.dumps(e) for e in a.pop("errors", None) or ()) for a in answers]
    return errors[0] == errors[1] and orjson.dumps(answers[0]) == orjson.dumps(answers[1])


def assert_same_answer(compiled: httpx.Response, standard: httpx.Response) -> dict[str, Any]:
    assert compiled.status_code == standard.status_code
    assert compiled.headers["content-type"] == standard.headers["content-type"]
    assert compiled.headers.get("retry-after") == standard.headers.get("retry-after")
    answers = [comparable(compiled), comparable(standard)]
    # Compared as text, so key order and error order count too.
    assert orjson.dumps(answers[0]).decode() == orjson.dumps(answers[1]).decode()
    return answers[0]


def bearer(
    gateway: RunningGateway, national_id: str, scopes: tuple[str, ...] = ()
) -> dict[str, str]:
    return {"Authorization": f"Bearer {gateway.token(national_id, scopes)}"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def differential(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[RunningGateway, BothPaths, str]]:
    backend = request.param
    settings = await make_settings(backend, tmp_path_factory.mktemp(f"compiled-{backend}"))
    async for gateway in start_gateway(settings, backend):
        _, partner_key = await gateway_of(gateway.app).stores.partner_keys.create(
            "Border control", ["permits:verify"], at=gateway.clock()
        )
        yield gateway, BothPaths(gateway.app, gateway.client), partner_key


def demo_viewers(gateway: RunningGateway, partner_key: str) -> list[tuple[str, dict[str, str]]]:
    viewers = [
        (person.national_id, bearer(gateway, person.national_id, person.scopes))
        for person in DEMO_PEOPLE
    ]
    viewers.append(("operator-without-scopes", bearer(gateway, OPERATOR.national_id)))
    viewers.append(("partner", {"X-API-Key": partner_key}))
    viewers.append(("anonymous", {}))
    return viewers


def query_cases(today: date) -> list[tuple[str, dict[str, Any] | None]]:
    """Every trusted query, with variables; dates count from ``today``, the gateway's day."""
    cases: list[tuple[str, dict[str, Any] | None]] = [(MY_FAMILY, None)]
    for sequence in range(1, DEMO_PERMITS + 1):
        permit_id = encode_global_id("TravelPermit", demo_permit_id(sequence))
        cases.append((PERMIT_DETAILS, {"id": permit_id}))
    cases += [
        (PERMIT_DETAILS, {"id": "not-a-global-id"}),
        (PERMIT_DETAILS, {"id": encode_global_id("Person", SARA.national_id)}),
        (PERMIT_BOARD, {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()}),
        (PERMIT_BOARD, {"from": today.isoformat(), "to": (today - timedelta(days=3)).isoformat()}),
        (VERIFY, {"nationalId": SARA.national_id, "destination": "AE", "on": today.isoformat()}),
        (VERIFY, {"nationalId": OMAR.national_id, "destination": "FR", "on": today.isoformat()}),
        (VERIFY, {"nationalId": "12345", "destination": "AE", "on": today.isoformat()}),
    ]
    return cases


@pytest.mark.parametrize("locale", ["en", "ar"])
async def test_every_trusted_query_answers_alike_for_every_demo_viewer(
    differential, locale
) -> None:
    gateway, paths, partner_key = differential
    codes: set[str] = set()
    for _viewer, headers in demo_viewers(gateway, partner_key):
        for query, variables in query_cases(gateway.today()):
            answer = await paths.compare(
                query, variables, headers={**headers, "Accept-Language": locale}
            )
            codes |= {error["extensions"]["code"] for error in answer.get("errors") or ()}
    # The matrix reaches the denials it is meant to compare, not only successes.
    assert {"UNAUTHENTICATED", "NOT_FOUND", "FORBIDDEN"} <= codes


async def test_variables_that_do_not_coerce_are_answered_by_the_standard_path(
    differential,
) -> None:
    gateway, paths, _ = differential
    headers = bearer(gateway, GUARDIAN.national_id)
    answer = await paths.compare(
        PERMIT_DETAILS, {"id": 42.5}, headers=headers, expect_compiled=False
    )
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    answer = await paths.compare(PERMIT_BOARD, None, headers=headers, expect_compiled=False)
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@st.composite
def families(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "dependents": draw(st.integers(0, 6)),
        "permits_each": draw(st.integers(0, 7)),
        "age_days": draw(st.integers(30, 365 * 25)),
        "child_passports": draw(st.booleans()),
        "passport_days_left": draw(st.integers(1, 2000)),
    }


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(family=families(), locale=st.sampled_from(["en", "ar"]))
async def test_generated_families_answer_alike(differential, family, locale) -> None:
    gateway, paths, _ = differential
    guardian, children = await make_family(
        gateway,
        dependents=family["dependents"],
        permits_each=family["permits_each"],
        born=gateway.today() - timedelta(days=family["age_days"]),
        child_passports=family["child_passports"],
        passport_days_left=family["passport_days_left"],
    )
    language = {"Accept-Language": locale}
    answer = await paths.compare(MY_FAMILY, headers={**bearer(gateway, guardian), **language})
    assert len(answer["data"]["me"]["dependents"]) == family["dependents"]
    for child in children[:2]:
        await paths.compare(MY_FAMILY, headers={**bearer(gateway, child), **language})
        edges = answer["data"]["me"]["dependents"][0]["travelPermits"]["edges"]
        for edge in edges[:2]:
            variables = {"id": edge["node"]["id"]}
            for viewer in (guardian, child, GUARDIAN.national_id):  # the last one: denied
                await paths.compare(
                    PERMIT_DETAILS, variables, headers={**bearer(gateway, viewer), **language}
                )


@pytest.mark.parametrize("breaker_threshold", [1000, 1], ids=["every-call-fails", "breaker-open"])
@pytest.mark.parametrize("registry", ["passport", "civil"])
async def test_unreachable_registries_answer_alike(tmp_path, registry, breaker_threshold) -> None:
    settings_ = await make_settings("sqlite", tmp_path)
    await prepare_stores(settings_)
    outage = settings_.model_copy(
        update={
            f"{registry}_registry_url": "postgresql+asyncpg://nobody@127.0.0.1:9/none",
            "breaker_threshold": breaker_threshold,
            "breaker_open_seconds": 600,
        }
    )
    app = create_app(outage)
    async with app.router.lifespan_context(app):
        gateway_of(app).event_bus._stopping = True  # the relay's retries would move the breaker
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            paths = BothPaths(app, client)
            token = {"Authorization": f"Bearer {_token(outage.secret_key, GUARDIAN)}"}
            codes: set[str] = set()
            for query, variables in query_cases(today_of(app)):
                answer = await paths.compare(query, variables, headers=token)
                codes |= {e["extensions"]["code"] for e in answer.get("errors") or ()}
            assert "REGISTRY_UNAVAILABLE" in codes


def _token(secret: str, person: Any) -> str:
    return issue_access_token(secret, person.national_id, scopes=person.scopes)


# Shapes the contract does not use yet: fragments on the Person interface, inline
# fragments, aliases of one field with different arguments, literal @skip/@include, Node.
SHAPES = """
query Shapes($id: ID!) {
  me {
    ...Who
    ... on Resident { passports { number status issuingCountry { name { en } } } }
    ... on Citizen { __typename kids: dependents { age ageHijri person { ...Who } } }
    hidden: nationalId @skip(if: true)
    shown: nationalId @include(if: true)
  }
  first: node(id: $id) { __typename id ... on TravelPermit { status history { at note } } }
  again: travelPermit(id: $id) { guardian { ...Who } traveller { birthDateHijri } }
  one: dependent(nationalId: "1112045875") {
    travelPermits(first: 2) { edges { cursor } pageInfo { hasNextPage } }
    page: travelPermits(first: 1, after: "bad cursor") { totalCount }
  }
}
fragment Who on Person { __typename nationalId name { ar } nationality { code } }
"""
DYNAMIC = "query Dynamic($no: Boolean!) { me { nationalId @skip(if: $no) } }"


async def test_fragments_interfaces_aliases_and_directives_answer_alike(differential) -> None:
    gateway, _, _ = differential
    compiled_shapes = BothPaths(gateway.app, gateway.client)
    for document, compiles in ((SHAPES, True), (DYNAMIC, False)):  # @skip($no) varies
        parsed = parse(document)
        [operation] = parsed.definitions[:1]
        assert (compiled_shapes.compiled.plan_for(parsed, operation) is not None) is compiles
    permit = encode_global_id("TravelPermit", demo_permit_id(3))
    codes: set[str] = set()
    compiled_shapes.execution.compile_ad_hoc = True
    try:
        for viewer in (GUARDIAN, SARA, EXPIRING_RESIDENT, OPERATOR):
            headers = bearer(gateway, viewer.national_id, viewer.scopes)
            for variables in ({"id": permit}, {"id": "no such id"}):
                answer = await compiled_shapes.compare(SHAPES, variables, headers=headers)
                codes |= {e["extensions"]["code"] for e in answer.get("errors") or ()}
    finally:
        compiled_shapes.execution.compile_ad_hoc = False
    assert {"INVALID_CURSOR", "NOT_FOUND"} <= codes


async def test_my_family_skips_graphql_core_execute_and_keeps_four_statements(
    differential, monkeypatch
) -> None:
    gateway, paths, _ = differential
    guardian, _ = await make_family(gateway, dependents=5, permits_each=3)
    executions = []
    real_execute = strawberry_schema_module.execute

    def counting_execute(*args: Any, **kwargs: Any) -> Any:
        executions.append(1)
        return real_execute(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema_module, "execute", counting_execute)
    headers = {"X-Request-ID": REQUEST_ID, **bearer(gateway, guardian)}
    counts = {}
    for compiled in (True, False):
        await paths.send({"query": MY_FAMILY}, headers, compiled=compiled)  # warm
        gateway.statements.clear()
        executions.clear()
        response = await paths.send({"query": MY_FAMILY}, headers, compiled=compiled)
        assert "errors" not in response.json()
        counts[compiled] = (len(gateway.request_statements()), len(executions))
    assert counts == {True: (4, 0), False: (4, 1)}


# -- mutations: two gateways seeded alike, one compiled and one not --------------------


class SeededRandomness:
    """The same "random" IDs, numbers and codes in both runs, so their answers compare."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        generator = random.Random(0)
        monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=generator.getrandbits(128)))
        monkeypatch.setattr(secrets, "choice", generator.choice)
        monkeypatch.setattr(secrets, "randbelow", generator.randrange)
        monkeypatch.setattr(secrets, "token_hex", lambda n=16: generator.randbytes(n).hex())
        monkeypatch.setattr(secrets, "token_urlsafe", lambda n=32: generator.randbytes(n).hex())


def mutation_steps(today: date) -> list[tuple[str, str | None, dict[str, Any], str | None]]:
    """(document, operation, variables, viewer's national ID) in order; "$permit" is the
    ID of the permit the first step issues. Dates count from ``today``, the gateway's day."""
    issue = permit_input(
        SARA.national_id,
        today=today,
        validFrom=in_days(200),
        validUntil=in_days(210),
        idempotencyKey="differential-paris",
    )
    other_family = encode_global_id("TravelPermit", demo_permit_id(DEMO_PERMITS))
    guardian = GUARDIAN.national_id
    renewal = {
        "number": "N9876543",
        "issuingCountry": "IN",
        "issueDate": today.isoformat(),
        "expiryDate": day(today, 3650),
    }
    return [
        (ISSUE, None, {"input": issue}, guardian),
        (ISSUE, None, {"input": issue}, guardian),  # the same key: the same permit
        (ISSUE, None, {"input": {**issue, "destinations": ["DE"]}}, guardian),  # key reused
        (
            ISSUE,
            None,
            {"input": {**issue, "travellerNationalId": FAISAL.national_id, "idempotencyKey": None}},
            guardian,
        ),
        (
            ISSUE,
            None,
            {"input": {**issue, "destinations": ["XX", "FR", "FR"], "idempotencyKey": None}},
            guardian,
        ),
        (ISSUE, None, {"input": issue}, None),  # anonymous
        (CANCEL, None, {"id": "$permit", "reason": "Plans changed"}, guardian),
        (CANCEL, None, {"id": "$permit", "reason": None}, guardian),  # not cancellable now
        (CANCEL, None, {"id": other_family, "reason": None}, guardian),  # another family's
        (CANCEL, None, {"id": "garbage", "reason": None}, guardian),
        (UPDATE_PASSPORT, None, {"input": renewal}, guardian),  # citizens cannot
        (UPDATE_PASSPORT, None, {"input": renewal}, EXPIRING_RESIDENT.national_id),
        (UPDATE_PASSPORT, None, {"input": renewal}, EXPIRING_RESIDENT.national_id),  # again
        (LOGIN, "StartLogin", {"nationalId": guardian, "password": "wrong"}, None),
        (LOGIN, "StartLogin", {"nationalId": guardian, "password": "Bawaba-Demo-2026"}, None),
        (LOGIN, "CompleteLogin", {"challengeId": "nope", "code": "000000"}, None),
    ]


@asynccontextmanager
async def fixed_clock_gateway(
    settings_: Settings, now: datetime
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    await prepare_stores(settings_, clock=lambda: now)
    app = create_app(settings_, clock=lambda: now)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client


async def run_mutation_steps(
    app: Any, client: httpx.AsyncClient, secret: str, *, compiled: bool
) -> list[httpx.Response]:
    paths = BothPaths(app, client)
    responses: list[httpx.Response] = []
    permit_id = None
    for query, operation, variables, viewer in mutation_steps(today_of(app)):
        if variables.get("id") == "$permit":
            variables = {**variables, "id": permit_id}
        body: dict[str, Any] = {"query": query, "variables": variables}
        if operation:
            body["operationName"] = operation
        headers = {"X-Request-ID": REQUEST_ID}
        if viewer:
            headers["Authorization"] = f"Bearer {issue_access_token(secret, viewer)}"
        runs = paths.compiled.runs
        response = await paths.send(body, headers, compiled=compiled)
        assert paths.compiled.runs == runs + (1 if compiled else 0)
        responses.append(response)
        if permit_id is None:
            permit_id = response.json()["data"]["issueTravelPermit"]["permit"]["id"]
    return responses


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_every_trusted_mutation_answers_alike_on_identical_state(
    tmp_path, backend, monkeypatch
) -> None:
    now = datetime.now(UTC)
    answers = {}
    for compiled in (True, False):
        settings_ = await make_settings(backend, tmp_path / f"{backend}-{compiled}")
        async with fixed_clock_gateway(settings_, now) as (app, client):
            with monkeypatch.context() as patch:
                SeededRandomness(patch)
                answers[compiled] = await run_mutation_steps(
                    app, client, settings_.secret_key, compiled=compiled
                )
    codes = set()
    for compiled_answer, standard_answer in zip(answers[True], answers[False], strict=True):
        answer = assert_same_answer(compiled_answer, standard_answer)
        for payload in (answer.get("data") or {}).values():
            codes |= {e["code"] for e in (payload or {}).get("errors") or ()}
        codes |= {e["extensions"]["code"] for e in answer.get("errors") or ()}
    assert {"IDEMPOTENCY_KEY_REUSED", "TRAVELLER_OVER_AGE_LIMIT", "PERMIT_NOT_CANCELLABLE"} <= codes
