"""The trusted documents of client applications in the gateway store, on SQLite and PostgreSQL:
a client's manifest replaces its previous one at once, and every change moves the version."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from graphql import parse, print_ast

from cli.stores import prepare_stores
from datasources.gateway_store import tables
from datasources.gateway_store.trusted_document_store import SqlTrustedDocumentStore
from datasources.stores import OpenStores, open_stores
from errors import ManifestError
from gateway import TRUSTED_DOCUMENTS
from security.document_manifests import register_manifest
from security.trusted_documents import CONTRACT_CLIENT
from settings import Settings
from tests.support.running_gateway import make_settings

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ME = "# who am I\nquery Me { me { nationalId } }"
FAMILY = "query Family { me { dependents { relationship } } }"
PERMITS = "query Permits { me { dependents { travelPermits(first: 5) { totalCount } } } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def codegen(*bodies: str) -> bytes:
    """A persisted-documents.json as graphql-codegen's client preset writes it."""
    return orjson.dumps({sha256(print_ast(parse(body))): body for body in bodies})


@pytest.fixture(params=["sqlite", "postgres"])
async def prepared(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Settings, OpenStores]]:
    settings = await make_settings(request.param, tmp_path)
    # Production mode: the stores are migrated and the contract registered, nobody seeded.
    settings = settings.model_copy(update={"mode": "production"})
    await prepare_stores(settings)
    opened = open_stores(settings)
    try:
        yield settings, opened
    finally:
        await opened.close()


@pytest.fixture
def stores(prepared: tuple[Settings, OpenStores]) -> OpenStores:
    return prepared[1]


async def register(store: SqlTrustedDocumentStore, client: str, data: bytes, at=AT):
    return await register_manifest(
        store, client, data, max_tokens=2000, max_bytes=1024 * 1024, at=at
    )


async def test_the_contract_is_the_first_client(stores) -> None:
    store = stores.trusted_documents
    (contract,) = await store.clients()
    assert contract.name == CONTRACT_CLIENT
    documents = await store.documents()
    assert contract.documents == len(documents) > 0
    names = {name for document in documents for name in document.operation_names}
    assert {"MyFamily", "StartLogin", "CompleteLogin", "Logout", "LivePermits"} <= names


async def test_preparing_the_stores_again_leaves_the_contract_alone(prepared) -> None:
    settings, stores = prepared
    store = stores.trusted_documents
    version = await store.version()
    before = await store.clients()
    await prepare_stores(settings)
    assert await store.version() == version
    assert await store.clients() == before


async def test_a_changed_contract_replaces_the_contracts_documents(
    prepared, tmp_path, monkeypatch
) -> None:
    settings, stores = prepared
    store = stores.trusted_documents
    version = await store.version()
    manifest = orjson.loads(TRUSTED_DOCUMENTS.read_bytes())
    manifest["operations"] = manifest["operations"][:2]
    changed = tmp_path / "trusted-documents.json"
    changed.write_bytes(orjson.dumps(manifest))
    monkeypatch.setattr("cli.stores.TRUSTED_DOCUMENTS", changed)
    await prepare_stores(settings)
    assert await store.version() == version + 1
    ((name, count),) = [(client.name, client.documents) for client in await store.clients()]
    assert (name, count) == (CONTRACT_CLIENT, 2)


async def test_a_manifest_is_stored_normalized(stores) -> None:
    store = stores.trusted_documents
    version = await store.version()
    registration = await register(store, "web", codegen(ME, FAMILY))
    assert (registration.documents, registration.replaced, registration.changed) == (2, 0, True)
    assert await store.version() == version + 1
    web = {d.document_id: d for d in await store.documents() if d.client == "web"}
    me = web[sha256(print_ast(parse(ME)))]
    assert me.body == print_ast(parse(ME))  # no comment
    assert me.normalized_hash == sha256(me.body)
    assert me.operation_names == ("Me",)
    assert me.added_at == AT
    clients = {client.name: client for client in await store.clients()}
    assert (clients["web"].documents, clients["web"].added_at) == (2, AT)


async def test_registering_again_replaces_the_clients_documents(stores) -> None:
    store = stores.trusted_documents
    await register(store, "web", codegen(ME, FAMILY))
    version = await store.version()
    same = await register(store, "web", codegen(ME, FAMILY), at=AT + timedelta(hours=1))
    assert same.changed is False
    assert await store.version() == version

    regenerated = await register(store, "web", codegen(ME, PERMITS), at=AT + timedelta(hours=2))
    assert (regenerated.documents, regenerated.replaced, regenerated.changed) == (2, 2, True)
    assert await store.version() == version + 1
    web = {d.operation_names for d in await store.documents() if d.client == "web"}
    assert web == {("Me",), ("Permits",)}
    assert {c.name: c.added_at for c in await store.clients()}["web"] == AT + timedelta(hours=2)


async def test_an_id_of_another_clients_document_refuses_the_manifest(stores) -> None:
    store = stores.trusted_documents
    await register(store, "web", orjson.dumps({"1": ME}))
    await register(store, "mobile", orjson.dumps({"2": FAMILY}))
    version = await store.version()
    with pytest.raises(
        ManifestError, match="'1' already names a different document of client 'web'"
    ):
        await register(store, "mobile", orjson.dumps({"1": FAMILY, "3": PERMITS}))
    # Nothing changed: mobile keeps its documents.
    assert await store.version() == version
    mobile = {d.document_id for d in await store.documents() if d.client == "mobile"}
    assert mobile == {"2"}
    # The same document under the same id is no conflict.
    assert (await register(store, "mobile", orjson.dumps({"1": ME, "2": FAMILY}))).changed


async def test_removing_a_client(stores) -> None:
    store = stores.trusted_documents
    await register(store, "web", codegen(ME, FAMILY))
    version = await store.version()
    assert await store.remove("web") == 2
    assert await store.version() == version + 1
    assert [client.name for client in await store.clients()] == [CONTRACT_CLIENT]
    assert await store.remove("web") == 0
    assert await store.version() == version + 1


async def test_concurrent_registrations_of_a_client_leave_one_whole_set(stores) -> None:
    store = stores.trusted_documents
    manifests = [codegen(ME, FAMILY), codegen(PERMITS), codegen(ME, PERMITS, FAMILY)]
    await asyncio.gather(*(register(store, "web", manifest) for manifest in manifests))
    web = sorted(d.document_id for d in await store.documents() if d.client == "web")
    assert web in [sorted(orjson.loads(manifest)) for manifest in manifests]


async def test_the_migrated_tables_match_the_code(stores) -> None:
    def differences(connection):
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, tables.metadata)

    async with stores.trusted_documents.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []
