"""Trusted documents: the contract's operations, known by their SHA-256.

A client may send ``extensions.persistedQuery.sha256Hash`` (Apollo's convention) or a
top-level ``documentId`` instead of the text. In production, anonymous callers and person
tokens may run trusted documents only (operators and partners may send others, within the
limits); ``log`` mode reports unknown documents without refusing them, for rollouts.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from errors import DocumentRefused
from security.viewer import CallerKind, Viewer

logger = logging.getLogger("bawaba.trusted_documents")
Mode = Literal["off", "log", "enforce"]


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build_manifest(contract: Path) -> dict[str, Any]:
    """Apollo's persisted-query manifest format, one entry per contract operation file."""
    operations = []
    for path in sorted(contract.rglob("*.graphql")):
        body = path.read_text()
        name = path.relative_to(contract).as_posix()
        operations.append({"id": document_hash(body), "name": name, "body": body})
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


@dataclass(frozen=True)
class TrustedDocuments:
    by_hash: dict[str, str]
    mode: Mode

    @classmethod
    def load(cls, manifest: Path, mode: Mode) -> TrustedDocuments:
        operations = orjson.loads(manifest.read_bytes())["operations"]
        return cls({entry["id"]: entry["body"] for entry in operations}, mode)

    def resolve(
        self, query: str | None, extensions: dict[str, Any] | None, document_id: object
    ) -> str | None:
        """The text to run: the request's own, or the trusted document it names."""
        persisted = (extensions or {}).get("persistedQuery") or {}
        named = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        named = named or (document_id if isinstance(document_id, str) else None)
        if named is None:
            return query
        named = named.removeprefix("sha256:")
        if query is not None:
            if document_hash(query) != named:
                raise DocumentRefused("PERSISTED_QUERY_HASH_MISMATCH", 400)
            return query
        if named not in self.by_hash:
            raise DocumentRefused("PERSISTED_QUERY_NOT_FOUND", 400)
        return self.by_hash[named]

    def check_caller(self, query: str | None, viewer: Viewer, *, production: bool) -> None:
        """In production, anonymous callers and persons may run trusted documents only."""
        if not production or self.mode == "off" or query is None:
            return
        if viewer.kind is CallerKind.PARTNER or viewer.is_operator:
            return
        if document_hash(query) in self.by_hash:
            return
        if self.mode == "log":
            logger.warning(
                "untrusted document %s… run by a %s caller",
                document_hash(query)[:12],
                viewer.kind.value.lower(),
            )
            return
        raise DocumentRefused("TRUSTED_DOCUMENTS_ONLY", 403)
