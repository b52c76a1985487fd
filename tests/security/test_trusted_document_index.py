"""The index of trusted documents every process keeps: found by a client's id or by the
normalized hash, refreshed from the store when its version changes, and never one store
read per request for ids nobody registered."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
from graphql import parse, print_ast
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from cli.stores import prepare_stores
from datasources.gateway_store.trusted_document_store import SqlTrustedDocumentStore
from datasources.sql_engine import create_registry_engine
from datasources.stores import OpenStores, open_stores
from demo.demo_population import GUARDIAN, OPERATOR
from errors import DocumentRefused
from gateway import create_app, gateway_of
from pipeline.caller import CallerStep
from pipeline.documents import DocumentStep
from pipeline.request import GraphQLRequest
from security.document_identity import document_hash, normalized_text
from security.document_manifests import register_manifest
from security.trusted_documents import CONTRACT_CLIENT, TrustedDocuments, build_manifest
from security.viewer import CallerKind, Viewer
from settings import Settings, TrustedDocumentsMode
from tests.support.contract_documents import CONTRACT_DIR, contract_document
from tests.support.running_gateway import make_settings
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
PRINTED_MY_FAMILY = print_ast(parse(MY_FAMILY))
MY_NAME = "query MyName { me { name { en } } }"
LOGOUT = print_ast(
    parse(
        "mutation Logout($refreshToken: String!) {"
        " logout(refreshToken: $refreshToken) { errors { code message } } }"
    )
)
PERSON = Viewer(kind=CallerKind.PERSON, national_id=GUARDIAN.national_id)


class Clock:
    """Monotonic seconds, moved by the test only."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def identity(text: str) -> str:
    return document_hash(normalized_text(parse(text)))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def statements_of(engine: AsyncEngine) -> list[str]:
    """Every statement ``engine`` sends from now on."""
    sent: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: sent.append(statement),
    )
    return sent


async def production_settings(backend: str, directory: Path, **changes: object) -> Settings:
    settings = await make_settings(backend, directory)
    return settings.model_copy(update={"mode": "production", **changes})


async def prepared_production(backend: str, directory: Path, **changes: object) -> Settings:
    """Production settings on stores prepared in demo mode: the demo people are there."""
    settings = await make_settings(backend, directory)
    await prepare_stores(settings)
    return settings.model_copy(update={"mode": "production", **changes})


@pytest.fixture(params=["sqlite", "postgres"])
async def stores(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OpenStores]:
    settings = await production_settings(request.param, tmp_path)
    await prepare_stores(settings)
    opened = open_stores(settings)
    try:
        yield opened
    finally:
        await opened.close()


def index_of(store: SqlTrustedDocumentStore, clock: Clock) -> TrustedDocuments:
    return TrustedDocuments(store, refresh_seconds=5, miss_refresh_seconds=1, clock=clock)


def documents_of(index: TrustedDocuments) -> DocumentStep:
    return DocumentStep(trusted=index, max_tokens=2000, cache_size=64, apq_size=64)


async def register(store: SqlTrustedDocumentStore, client: str, manifest: dict) -> None:
    await register_manifest(
        store,
        client,
        orjson.dumps(manifest),
        max_tokens=2000,
        max_bytes=1024 * 1024,
        at=datetime.now(UTC),
    )


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


def person(settings: Settings) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issue_access_token(settings.secret_key, GUARDIAN.national_id)}"
    }


# The contract's manifest ------------------------------------------------------------------


def test_the_manifest_holds_normalized_bodies_under_their_hashes() -> None:
    manifest = build_manifest(CONTRACT_DIR)
    assert manifest["format"] == "apollo-persisted-query-manifest"
    for entry in manifest["operations"]:
        assert entry["id"] == sha256(entry["body"])
        assert print_ast(parse(entry["body"])) == entry["body"]
        assert "#" not in entry["body"]
    by_name = {entry["name"]: entry for entry in manifest["operations"]}
    assert by_name["MyFamily"]["body"] == PRINTED_MY_FAMILY
    assert by_name["MyFamily"]["type"] == "query"


def test_a_file_of_several_operations_gives_one_entry_each_and_one_for_the_file() -> None:
    manifest = build_manifest(CONTRACT_DIR)
    login = contract_document("frontend/Login.graphql")
    bodies = {entry["body"]: entry for entry in manifest["operations"]}
    whole = bodies[print_ast(parse(login))]
    assert (whole["name"], whole["type"]) == (None, "mutation")
    for name in ("StartLogin", "CompleteLogin"):
        (alone,) = [entry for entry in manifest["operations"] if entry["name"] == name]
        assert alone["type"] == "mutation"
        assert parse(alone["body"]).definitions[0].name.value == name
        assert len(parse(alone["body"]).definitions) == 1
    assert LOGOUT in bodies


# Lookups ------------------------------------------------------------------------------------


async def test_the_contract_is_found_by_id_by_hash_and_by_its_printed_text(stores) -> None:
    index = index_of(stores.trusted_documents, Clock())
    await index.load()
    my_family = await index.find(identity(MY_FAMILY))
    assert my_family is not None
    assert (my_family.client, my_family.operation_names) == (CONTRACT_CLIENT, ("MyFamily",))
    assert my_family.body == PRINTED_MY_FAMILY
    assert await index.find(f"sha256:{identity(MY_FAMILY)}") == my_family
    # The APQ hash of the printed document, and the identity of the file as it is.
    assert await index.find(sha256(PRINTED_MY_FAMILY)) == my_family
    assert identity(MY_FAMILY) == identity(PRINTED_MY_FAMILY)
    assert await index.is_trusted(identity("# a GraphiQL tab\n" + MY_FAMILY))
    assert not await index.is_trusted(identity(MY_NAME))
    assert not await index.is_trusted(None)


async def test_a_clients_own_ids_are_found(stores) -> None:
    store = stores.trusted_documents
    await register(store, "relay-app", {"q-7f3a": MY_NAME, "sha256:abc123": LOGOUT})
    index = index_of(store, Clock())
    await index.load()
    found = await index.find("q-7f3a")
    assert found is not None
    assert (found.client, found.body, found.operation_names) == (
        "relay-app",
        print_ast(parse(MY_NAME)),
        ("MyName",),
    )
    # With or without the prefix, whichever way the manifest or the client writes it.
    assert await index.find("abc123") == await index.find("sha256:abc123") is not None
    assert await index.find(identity(MY_NAME)) == found


async def test_a_request_runs_the_named_document_or_its_own_text(stores) -> None:
    index = index_of(stores.trusted_documents, Clock())
    await index.load()
    documents = documents_of(index)

    async def text_of(**request: object) -> str:
        identified = await documents.identify(GraphQLRequest(**request))  # type: ignore[arg-type]
        return documents.parse(identified).normalized

    assert await text_of(persisted_hash=identity(MY_FAMILY)) == PRINTED_MY_FAMILY
    assert await text_of(document_id=f"sha256:{identity(MY_FAMILY)}") == PRINTED_MY_FAMILY
    assert await text_of(query=MY_NAME) == print_ast(parse(MY_NAME))
    # APQ: a hash sent with its text is the text's own (exact or normalized).
    assert await text_of(query=PRINTED_MY_FAMILY, persisted_hash=sha256(PRINTED_MY_FAMILY))
    assert await text_of(query=MY_FAMILY, persisted_hash=sha256(PRINTED_MY_FAMILY))
    with pytest.raises(DocumentRefused) as mismatch:
        await text_of(query=MY_NAME, persisted_hash=sha256(PRINTED_MY_FAMILY))
    assert mismatch.value.code == "PERSISTED_QUERY_HASH_MISMATCH"
    with pytest.raises(DocumentRefused) as unknown:
        await text_of(document_id="0" * 64)
    assert unknown.value.code == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize("mode", ["enforce", "log", "off"])
async def test_the_caller_rule(stores, mode: TrustedDocumentsMode, caplog) -> None:
    index = index_of(stores.trusted_documents, Clock())
    await index.load()
    documents = documents_of(index)
    production = CallerStep(None, production=True, trusted=mode)  # type: ignore[arg-type]
    demo = CallerStep(None, production=False, trusted=mode)  # type: ignore[arg-type]
    operator = Viewer(
        kind=CallerKind.PERSON, national_id=OPERATOR.national_id, scopes=frozenset(OPERATOR.scopes)
    )
    family, mine = documents.parse_text(PRINTED_MY_FAMILY), documents.parse_text(MY_NAME)
    trusted = await index.by_hash(family.hash)
    assert trusted is not None and await index.by_hash(mine.hash) is None
    for viewer in (PERSON, Viewer(), operator):
        production.admit(viewer, family, trusted)
        demo.admit(viewer, mine, None)
    production.admit(operator, mine, None)
    for viewer in (PERSON, Viewer()):
        if mode == "enforce":
            with pytest.raises(DocumentRefused) as refused:
                production.admit(viewer, mine, None)
            assert refused.value.code == "TRUSTED_DOCUMENTS_ONLY"
        else:
            production.admit(viewer, mine, None)
    assert ("untrusted document" in caplog.text) == (mode == "log")


# Refreshing ---------------------------------------------------------------------------------


async def test_random_ids_read_the_store_at_most_once_a_second(stores) -> None:
    store = stores.trusted_documents
    clock = Clock()
    index = index_of(store, clock)
    await index.load()
    sent = statements_of(store.engine)
    for request in range(1000):  # 200 random ids a second, for 5 seconds
        clock.now = 1000 + request / 200
        assert await index.find(secrets.token_hex(32)) is None
    # One read of the version a second (at 1, 2, 3 and 4 s); the documents are not read.
    assert len(sent) == 4, sent
    assert all("trusted_documents_version" in statement for statement in sent)


async def test_known_documents_are_checked_every_few_seconds(stores) -> None:
    store = stores.trusted_documents
    clock = Clock()
    index = index_of(store, clock)
    await index.load()
    sent = statements_of(store.engine)
    for request in range(101):  # 10 a second, for 10 seconds
        clock.now = 1000 + request / 10
        assert await index.find(identity(MY_FAMILY)) is not None
    assert len(sent) == 2, sent  # at 5 s and at 10 s


async def test_a_new_manifest_is_found_after_a_miss_and_a_removed_one_goes(stores) -> None:
    store = stores.trusted_documents
    clock = Clock()
    index = index_of(store, clock)
    await index.load()
    versions = [index.current.version]
    await register(store, "web", {"my-name": MY_NAME})
    assert await index.find("my-name") is None  # the load was just now
    clock.now += 1
    assert await index.find("my-name") is not None
    versions.append(index.current.version)
    await store.remove("web")
    clock.now += 4
    assert await index.find("my-name") is not None  # not checked again yet
    clock.now += 1
    assert await index.find("my-name") is None
    versions.append(index.current.version)
    assert len(set(versions)) == 3  # the load, the registration, the removal


async def test_a_store_outage_keeps_the_known_documents(stores, tmp_path) -> None:
    clock = Clock()
    index = index_of(stores.trusted_documents, clock)
    await index.load()
    unreachable = create_registry_engine(
        "postgresql+asyncpg://nobody@127.0.0.1:9/none", pool_size=1
    )
    index.store = SqlTrustedDocumentStore(unreachable)
    clock.now += 10
    try:
        assert await index.find(identity(MY_FAMILY)) is not None
        assert await index.find("unknown") is None
    finally:
        await unreachable.dispose()


# Over HTTP, in production -------------------------------------------------------------------


async def test_a_printed_my_family_runs_compiled_for_a_person(tmp_path) -> None:
    settings = await prepared_production("sqlite", tmp_path)
    app = create_app(settings)
    async with serving(app) as client:
        compiled = gateway_of(app).pipeline.execution.compiled
        assert compiled is not None
        runs = compiled.runs
        answers = [
            await client.post("/graphql", json=body, headers=person(settings))
            for body in (
                {"query": PRINTED_MY_FAMILY},
                {"query": f"# contract/frontend/MyFamily.graphql\n{MY_FAMILY}"},
                {"documentId": sha256(PRINTED_MY_FAMILY)},
                {"query": LOGOUT, "variables": {"refreshToken": "spent"}},
            )
        ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
    for answer in answers[:3]:
        assert answer.json()["data"]["me"]["nationalId"] == GUARDIAN.national_id
    assert compiled.runs == runs + 4


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_second_process_sees_a_new_manifest(tmp_path, backend) -> None:
    settings = await prepared_production(
        backend, tmp_path, trusted_documents_miss_refresh_seconds=0.2
    )
    first, second = create_app(settings), create_app(settings)
    async with serving(first) as _, serving(second) as client:
        refused = await client.post("/graphql", json={"query": MY_NAME}, headers=person(settings))
        assert refused.status_code == 403
        await register(gateway_of(first).stores.trusted_documents, "web", {"my-name": MY_NAME})
        await asyncio.sleep(0.25)
        by_id = await client.post(
            "/graphql", json={"documentId": "my-name"}, headers=person(settings)
        )
        by_text = await client.post("/graphql", json={"query": MY_NAME}, headers=person(settings))
        compiled = gateway_of(second).pipeline.execution.compiled
        assert compiled is not None and compiled.runs == 2  # a trusted document now
    for answer in (by_id, by_text):
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["me"]["name"]["en"] == GUARDIAN.name_en


async def test_random_document_ids_over_http_read_the_store_once_a_second(tmp_path) -> None:
    settings = await production_settings("sqlite", tmp_path)
    await prepare_stores(settings)
    app = create_app(settings)
    async with serving(app) as client:
        sent = statements_of(gateway_of(app).stores.trusted_documents.engine)
        started = time.monotonic()
        for _ in range(100):
            answer = await client.post("/graphql", json={"documentId": secrets.token_hex(32)})
            assert answer.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        elapsed = time.monotonic() - started
    reads = [statement for statement in sent if "trusted_documents" in statement]
    assert len(reads) <= int(elapsed) + 1, (len(reads), elapsed)
