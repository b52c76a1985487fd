"""Manifests of persisted documents, in the formats the client tools write.

- Apollo's persisted-query manifest (``generate-persisted-query-manifest``)::

      {"format": "apollo-persisted-query-manifest", "version": 1,
       "operations": [{"id": ..., "name": ..., "type": "query", "body": ...}]}

- graphql-codegen's client preset (``persistedDocuments: true``) writes
  ``persisted-documents.json`` as ``{hash: body}``; Relay's persisted queries are
  ``{id: text}``, the same shape.

A manifest is registered whole or refused whole, with a ``ManifestError`` naming the entry:
every body must parse (within the ``max_tokens`` limit of requests) and hold operations, and
nothing else. A file that is too large, not UTF-8 or not JSON, or shaped otherwise, is
refused with a sentence, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import orjson
from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    parse,
)

from datasources.gateway_store.trusted_document_store import (
    DocumentRecord,
    Registration,
    SqlTrustedDocumentStore,
)
from errors import ManifestError
from security.document_identity import identify

APOLLO_FORMAT = "apollo-persisted-query-manifest"
OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})
MAX_ID_LENGTH = 200  # the store's column
# A client application's name, as `gateway documents list` shows it (an npm package's
# name, scoped or not, is one).
CLIENT_NAME = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9._/-]*")
MAX_CLIENT_NAME_LENGTH = 100  # the store's column


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One document of a manifest: the client's id for it, its text as the manifest has
    it, and the name of its operation (Apollo's ``name``, or the body's only operation's)."""

    id: str
    body: str
    operation_name: str | None


def read_manifest(data: bytes, *, max_tokens: int, max_bytes: int) -> list[ManifestEntry]:
    """The entries of a manifest in any of the three formats, or a ``ManifestError``."""
    return [entry for entry, _ in _read(data, max_tokens=max_tokens, max_bytes=max_bytes)]


async def register_manifest(
    store: SqlTrustedDocumentStore,
    client: str,
    data: bytes,
    *,
    max_tokens: int,
    max_bytes: int,
    at: datetime,
) -> Registration:
    """Make the manifest ``data`` the whole set of ``client``'s trusted documents."""
    check_client_name(client)
    records = []
    for entry, document in _read(data, max_tokens=max_tokens, max_bytes=max_bytes):
        identity = identify(document)
        records.append(
            DocumentRecord(entry.id, identity.hash, identity.operation_names, identity.text)
        )
    return await store.register(client, records, at=at)


def check_client_name(client: str) -> None:
    if len(client) > MAX_CLIENT_NAME_LENGTH or not CLIENT_NAME.fullmatch(client):
        raise ManifestError(
            f"the client name {client[:MAX_CLIENT_NAME_LENGTH]!r} is not up to "
            f"{MAX_CLIENT_NAME_LENGTH} letters, digits and ._/- starting with a letter or "
            "digit (or @, for an npm scope)"
        )


def _read(
    data: bytes, *, max_tokens: int, max_bytes: int
) -> list[tuple[ManifestEntry, DocumentNode]]:
    if len(data) > max_bytes:
        raise ManifestError(f"the manifest is larger than {max_bytes} bytes")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestError(f"the manifest is not UTF-8 (byte {error.start})") from None
    try:
        manifest = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"the manifest is not JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise ManifestError(
            "the manifest is not a JSON object (Apollo's manifest, or {id: body} as "
            "graphql-codegen and Relay write)"
        )
    entries = _apollo_entries(manifest) if "format" in manifest else _map_entries(manifest)
    if not entries:
        raise ManifestError("the manifest holds no documents")
    read: list[tuple[ManifestEntry, DocumentNode]] = []
    seen: set[str] = set()
    for raw in entries:
        if raw.id in seen:
            raise ManifestError(f"entry {raw.id!r} appears twice")
        seen.add(raw.id)
        read.append(_checked(raw, max_tokens))
    return read


@dataclass(frozen=True, slots=True)
class _RawEntry:
    id: str
    body: str
    name: str | None
    type: str | None
    apollo: bool


def _apollo_entries(manifest: dict[str, object]) -> list[_RawEntry]:
    if manifest.get("format") != APOLLO_FORMAT:
        raise ManifestError(f"unknown manifest format {_shown(manifest.get('format'))}")
    if manifest.get("version") != 1:
        raise ManifestError(
            f"Apollo manifest version {_shown(manifest.get('version'))}; only 1 is known"
        )
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ManifestError("the Apollo manifest's operations are not a list")
    entries = []
    for index, operation in enumerate(operations):
        where = f"operations[{index}]"
        if not isinstance(operation, dict):
            raise ManifestError(f"{where} is not an object")
        document_id = _checked_id(operation.get("id"), where)
        where = f"entry {document_id!r}"
        body = operation.get("body")
        if not isinstance(body, str):
            raise ManifestError(f"{where}: body is not a string")
        name, type_ = operation.get("name"), operation.get("type")
        if name is not None and not isinstance(name, str):
            raise ManifestError(f"{where}: name is not a string")
        if type_ is not None and type_ not in OPERATION_TYPES:
            raise ManifestError(
                f"{where}: type {_shown(type_)} is not query, mutation or subscription"
            )
        entries.append(_RawEntry(document_id, body, name, type_, apollo=True))
    return entries


def _map_entries(manifest: dict[str, object]) -> list[_RawEntry]:
    entries = []
    for key, body in manifest.items():
        document_id = _checked_id(key, "an id")
        if not isinstance(body, str):
            raise ManifestError(
                f"entry {document_id!r}: its value is not a document's text "
                "({id: body} as graphql-codegen and Relay write)"
            )
        entries.append(_RawEntry(document_id, body, None, None, apollo=False))
    return entries


def _checked_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: the id is not a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise ManifestError(f"{where}: the id {value[:40]!r}… is longer than {MAX_ID_LENGTH}")
    if not value.isprintable() or any(character.isspace() for character in value):
        raise ManifestError(f"{where}: the id {value!r} holds spaces or control characters")
    return value


def _checked(raw: _RawEntry, max_tokens: int) -> tuple[ManifestEntry, DocumentNode]:
    where = f"entry {raw.id!r}"
    try:
        document = parse(raw.body, max_tokens=max_tokens)
    except GraphQLError as error:
        raise ManifestError(f"{where} does not parse: {error.message}") from None
    if not all(isinstance(d, ExecutableDefinitionNode) for d in document.definitions):
        raise ManifestError(f"{where} holds definitions other than operations and fragments")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise ManifestError(f"{where} holds no operation")
    names = [operation.name.value if operation.name else None for operation in operations]
    if len(operations) > 1 and (None in names or len(set(names)) < len(names)):
        raise ManifestError(f"{where}: its operations do not each have a name of their own")
    if not raw.apollo:
        return ManifestEntry(raw.id, raw.body, names[0] if len(names) == 1 else None), document
    if raw.name is not None:
        named = [
            operation
            for operation in operations
            if operation.name and operation.name.value == raw.name
        ]
        if not named:
            raise ManifestError(f"{where}: its body has no operation named {raw.name!r}")
        if raw.type is not None and named[0].operation.value != raw.type:
            raise ManifestError(
                f"{where}: {raw.name} is a {named[0].operation.value}, not a {raw.type}"
            )
    return ManifestEntry(raw.id, raw.body, raw.name), document


def _shown(value: object) -> str:
    return repr(value)[:60]
