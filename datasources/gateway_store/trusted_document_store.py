"""The trusted documents of each client application, in the gateway's store.

A client (the contract, a web app, a mobile app) registers its manifest as a whole: the new
set replaces the client's previous one in one transaction, so a regenerated manifest is
simply registered again. Every change counts up one version number; processes compare it
(one primary-key read) to know when to read the documents again.

A document id names one document across clients: a manifest whose id already names a
different document of another client is refused, so a request that sends only the id is
never ambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from datasources.gateway_store.tables import trusted_documents, trusted_documents_version
from datasources.sql_engine import reading, translated_errors
from errors import ManifestError

_VERSION_ROW = trusted_documents_version.c.id == 1


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """One document of a manifest, as it is registered: the client's id, the normalized
    body, its hash and its operations' names."""

    document_id: str
    normalized_hash: str
    operation_names: tuple[str, ...]
    body: str


@dataclass(frozen=True, slots=True)
class RegisteredDocument:
    client: str
    document_id: str
    normalized_hash: str
    operation_names: tuple[str, ...]
    body: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    name: str
    documents: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Registration:
    """What registering a manifest did: ``replaced`` documents gave way to ``documents``;
    ``changed`` is False when the client had exactly this set already."""

    client: str
    documents: int
    replaced: int
    changed: bool


class SqlTrustedDocumentStore:
    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = reading(engine)

    async def register(
        self, client: str, documents: Sequence[DocumentRecord], *, at: datetime
    ) -> Registration:
        """Make ``documents`` the client's whole set, replacing its previous one at once."""
        wanted = {document.document_id: document for document in documents}
        async with translated_errors(self.name), self.engine.begin() as connection:
            await _lock_version(connection)
            current = await _records_of(connection, client)
            if current == wanted:
                return Registration(client, len(wanted), len(current), changed=False)
            await _refuse_taken_ids(connection, client, wanted)
            await connection.execute(delete(trusted_documents).where(_of_client(client)))
            await connection.execute(
                insert(trusted_documents),
                [
                    {
                        "client": client,
                        "document_id": document.document_id,
                        "normalized_hash": document.normalized_hash,
                        "operation_names": " ".join(document.operation_names),
                        "body": document.body,
                        "added_at": at,
                    }
                    for document in wanted.values()
                ],
            )
            await _count_up_version(connection)
        return Registration(client, len(wanted), len(current), changed=True)

    async def remove(self, client: str) -> int:
        """Remove the client and its documents; how many there were."""
        async with translated_errors(self.name), self.engine.begin() as connection:
            await _lock_version(connection)
            removed = (
                await connection.execute(delete(trusted_documents).where(_of_client(client)))
            ).rowcount
            if removed:
                await _count_up_version(connection)
        return int(removed)

    async def clients(self) -> list[RegisteredClient]:
        """Every client, by name, with its number of documents and when they were added."""
        statement = (
            select(
                trusted_documents.c.client,
                func.count().label("documents"),
                func.min(trusted_documents.c.added_at).label("added_at"),
            )
            .group_by(trusted_documents.c.client)
            .order_by(trusted_documents.c.client)
        )
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [RegisteredClient(row.client, int(row.documents), row.added_at) for row in rows]

    async def documents(self) -> list[RegisteredDocument]:
        """Every registered document, by client and id."""
        statement = select(trusted_documents).order_by(
            trusted_documents.c.client, trusted_documents.c.document_id
        )
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [
            RegisteredDocument(
                client=row["client"],
                document_id=row["document_id"],
                normalized_hash=row["normalized_hash"],
                operation_names=tuple(row["operation_names"].split()),
                body=row["body"],
                added_at=row["added_at"],
            )
            for row in rows
        ]

    async def version(self) -> int:
        """A number that changes whenever a document is added or removed."""
        statement = select(trusted_documents_version.c.version).where(_VERSION_ROW)
        async with translated_errors(self.name), self._reader.connect() as connection:
            return int((await connection.execute(statement)).scalar_one())


def _of_client(client: str) -> ColumnElement[bool]:
    return trusted_documents.c.client == client


async def _lock_version(connection: AsyncConnection) -> None:
    # Registrations run one at a time: on PostgreSQL the version row is locked until the
    # transaction ends (SQLite's BEGIN IMMEDIATE already serializes writers).
    await connection.execute(
        select(trusted_documents_version.c.version).where(_VERSION_ROW).with_for_update()
    )


async def _count_up_version(connection: AsyncConnection) -> None:
    await connection.execute(
        update(trusted_documents_version)
        .where(_VERSION_ROW)
        .values(version=trusted_documents_version.c.version + 1)
    )


async def _records_of(connection: AsyncConnection, client: str) -> dict[str, DocumentRecord]:
    rows = (
        await connection.execute(
            select(
                trusted_documents.c.document_id,
                trusted_documents.c.normalized_hash,
                trusted_documents.c.operation_names,
                trusted_documents.c.body,
            ).where(_of_client(client))
        )
    ).all()
    return {
        row.document_id: DocumentRecord(
            row.document_id, row.normalized_hash, tuple(row.operation_names.split()), row.body
        )
        for row in rows
    }


async def _refuse_taken_ids(
    connection: AsyncConnection, client: str, wanted: dict[str, DocumentRecord]
) -> None:
    """Refuse the manifest if one of its ids names a different document of another client."""
    others = (
        await connection.execute(
            select(
                trusted_documents.c.client,
                trusted_documents.c.document_id,
                trusted_documents.c.normalized_hash,
            ).where(trusted_documents.c.client != client)
        )
    ).all()
    for row in others:
        mine = wanted.get(row.document_id)
        if mine is not None and mine.normalized_hash != row.normalized_hash:
            raise ManifestError(
                f"document {row.document_id!r} already names a different document of "
                f"client {row.client!r}"
            )
