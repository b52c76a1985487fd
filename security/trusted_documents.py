"""Trusted documents: every client application's registered documents, known by identity.

The documents live in the gateway's store (``datasources/gateway_store/
trusted_document_store.py``), registered per client with ``gateway documents add``; the
contract is the first client. Each process keeps an index of them in memory, loaded at
start and read again when the store's version changes: checked at most every
``refresh_seconds`` on the way of a lookup, and on a miss at most every
``miss_refresh_seconds``, so a caller sending random ids costs at most one read a second.

A document is found by its client's id (Apollo's, codegen's or Relay's, with or without
``sha256:``), by its normalized hash (``security/document_identity.py``), or by the hash of
graphql-js 16's print of it (``security/graphql_js_print.py``: what Apollo Client and urql
hash for APQ), so a printed document's hash finds it without registration. What a caller
may run is the admission pipeline's rule (``pipeline/caller.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    Visitor,
    parse,
    visit,
)

from datasources.gateway_store.trusted_document_store import (
    RegisteredDocument,
    SqlTrustedDocumentStore,
)
from errors import RegistryError
from security.document_identity import SHA256_PREFIX, document_hash, normalized_text
from security.graphql_js_print import print_graphql_js

logger = logging.getLogger("bawaba.trusted_documents")
CONTRACT_CLIENT = "contract"


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """A registered document: its normalized body and hash, its operations' names, and the
    client that registered it (the first by name, when several registered the same one)."""

    normalized_hash: str
    body: str
    operation_names: tuple[str, ...]
    client: str


@dataclass(frozen=True)
class TrustedSet:
    """One version of the registered documents, by client id and by normalized hash."""

    version: int
    by_id: Mapping[str, TrustedDocument]
    by_hash: Mapping[str, TrustedDocument]

    @classmethod
    def of(cls, version: int, registered: Iterable[RegisteredDocument]) -> TrustedSet:
        by_id: dict[str, TrustedDocument] = {}
        by_hash: dict[str, TrustedDocument] = {}
        for row in sorted(registered, key=lambda row: (row.client, row.document_id)):
            known = by_hash.get(row.normalized_hash)
            document = known or TrustedDocument(
                row.normalized_hash, row.body, row.operation_names, row.client
            )
            if known is None:
                by_hash[row.normalized_hash] = document
                by_id.setdefault(graphql_js_hash(row.body), document)
            by_id.setdefault(row.document_id.removeprefix(SHA256_PREFIX), document)
        return cls(version, by_id, by_hash)

    def find(self, identifier: str) -> TrustedDocument | None:
        identifier = identifier.removeprefix(SHA256_PREFIX)
        return self.by_id.get(identifier) or self.by_hash.get(identifier)


EMPTY = TrustedSet(-1, {}, {})


class TrustedDocuments:
    """The process's index of trusted documents, kept in step with the store."""

    def __init__(
        self,
        store: SqlTrustedDocumentStore,
        *,
        refresh_seconds: float,
        miss_refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.miss_refresh_seconds = miss_refresh_seconds
        self.clock = clock
        self.current = EMPTY
        self._checked_at = float("-inf")

    async def load(self) -> None:
        """Read every document from the store (at start: a failure stops the start)."""
        self._checked_at = self.clock()
        version = await self.store.version()
        self._use(TrustedSet.of(version, await self.store.documents()))

    async def refresh(self) -> bool:
        """Read the documents again if the store's version changed; True if it did."""
        self._checked_at = self.clock()
        version = await self.store.version()
        if version == self.current.version:
            return False
        self._use(TrustedSet.of(version, await self.store.documents()))
        return True

    async def find(self, identifier: str) -> TrustedDocument | None:
        """The document a client's id or a normalized hash names (``sha256:`` or not)."""
        await self._refresh_after(self.refresh_seconds)
        found = self.current.find(identifier)
        if found is None and await self._refresh_after(self.miss_refresh_seconds):
            found = self.current.find(identifier)
        return found

    async def by_hash(self, normalized_hash: str) -> TrustedDocument | None:
        """The document whose normalized hash this is."""
        await self._refresh_after(self.refresh_seconds)
        found = self.current.by_hash.get(normalized_hash)
        if found is None and await self._refresh_after(self.miss_refresh_seconds):
            found = self.current.by_hash.get(normalized_hash)
        return found

    async def is_trusted(self, normalized_hash: str | None) -> bool:
        return normalized_hash is not None and await self.by_hash(normalized_hash) is not None

    async def _refresh_after(self, seconds: float) -> bool:
        # The time is taken before the read, so concurrent lookups do not read again.
        if self.clock() - self._checked_at < seconds:
            return False
        try:
            return await self.refresh()
        except RegistryError as error:
            # The documents known so far keep being served; the next check tries again.
            logger.warning("trusted documents not refreshed: %s", error.code)
            return False

    def _use(self, documents: TrustedSet) -> None:
        self.current = documents
        logger.info(
            "trusted documents at version %d: %d documents, %d ids",
            documents.version,
            len(documents.by_hash),
            len(documents.by_id),
        )


def graphql_js_hash(body: str) -> str:
    """The hash Apollo Client and urql send for this document (graphql-js 16's print)."""
    return document_hash(print_graphql_js(parse(body)))


def build_manifest(contract: Path) -> dict[str, Any]:
    """The contract's documents in Apollo's persisted-query manifest format.

    Each file is one entry, its normalized text, so the file as it is (a GraphiQL tab, the
    console) is trusted; a file of several operations also gives one entry per operation
    with the fragments it uses, as Apollo's own manifest generator writes them, since
    Apollo Client and codegen send one operation per document. Ids are the SHA-256 of the
    body.
    """
    operations: list[dict[str, Any]] = []
    for path in sorted(contract.rglob("*.graphql")):
        document = parse(path.read_text())
        defined = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        whole = normalized_text(document)
        entries = [_manifest_entry(whole, defined)]
        for operation in defined:
            alone = normalized_text(_operation_alone(document, operation))
            if alone != whole:
                entries.append(_manifest_entry(alone, [operation]))
        operations.extend(entries)
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


def _manifest_entry(body: str, operations: list[OperationDefinitionNode]) -> dict[str, Any]:
    # Apollo's entries name one operation; a whole file of several names none.
    one = operations[0] if len(operations) == 1 else None
    kinds = {operation.operation.value for operation in operations}
    return {
        "id": document_hash(body),
        "name": one.name.value if one is not None and one.name else None,
        "type": kinds.pop() if len(kinds) == 1 else None,
        "body": body,
    }


def _operation_alone(document: DocumentNode, operation: OperationDefinitionNode) -> DocumentNode:
    """The operation with the fragments it uses (transitively), in the file's order."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    used: set[str] = set()
    pending: list[Any] = [operation]
    while pending:
        spreads = _SpreadNames()
        visit(pending.pop(), spreads)
        for name in spreads.names - used:
            if name in fragments:
                used.add(name)
                pending.append(fragments[name])
    return DocumentNode(
        definitions=tuple(
            d
            for d in document.definitions
            if d is operation or (isinstance(d, FragmentDefinitionNode) and d.name.value in used)
        )
    )


class _SpreadNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)
