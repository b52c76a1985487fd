"""Steps 2 and 3, identity and parse: which text an operation runs, and that text parsed.

A request names its document in one of four ways:

- ``query``, the text itself (with ``extensions.persistedQuery.sha256Hash`` beside it, Apollo's
  APQ registration: the hash must be that of the text as sent or of its normalized form);
- ``extensions.persistedQuery.sha256Hash`` alone (APQ): a trusted document's hash, or one an
  allowed caller registered earlier; otherwise ``PERSISTED_QUERY_NOT_FOUND`` with the literal
  message ``PersistedQueryNotFound``, on which Apollo's clients resend the text;
- ``documentId`` (GraphQL over HTTP): a registered client's id, or ``sha256:<hash>``.

A document is known by its normalized form (parsed, then printed: comments and whitespace do
not count), so a printed contract document is the contract document, and its plan and
analysis are shared. Parsing is cached by text, bounded; the analysis of each operation
(limits, validation, cost) is cached on the parsed document (``pipeline.limits``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse, print_ast

from errors import DocumentRefused, InputRejected
from pipeline.request import GraphQLRequest


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """A trusted document as the registry knows it."""

    hash: str  # of the normalized text
    body: str  # the normalized text
    name: str  # its registered name: what the access log shows


FindTrusted = Callable[[str], KnownDocument | None]
"""The registry's lookup: a client's id for a document, or a normalized hash."""


@dataclass(slots=True)
class ParsedDocument:
    """A parsed text, known by the hash of its normalized form."""

    node: DocumentNode
    normalized: str
    hash: str
    operations: dict[str | None, OperationDefinitionNode]
    # What later steps learn of it, kept with it: validation errors, each operation's measures.
    analysis: dict[str, Any] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode:
        """The operation to run; graphql-core's own wording when there is none."""
        if name is not None:
            found = self.operations.get(name)
            if found is None:
                raise DocumentErrors([GraphQLError(f"Unknown operation named '{name}'.")])
            return found
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        if not self.operations:
            raise DocumentErrors([GraphQLError("Must provide an operation.")])
        raise DocumentErrors(
            [GraphQLError("Must provide operation name if query contains multiple operations.")]
        )


class DocumentErrors(Exception):
    """Raised when a document cannot run: graphql-core's errors, each located."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else "")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Identified:
    """The text an operation runs, and an APQ registration to make once the caller may."""

    text: str
    trusted: KnownDocument | None
    apq_hash: str | None = None


class DocumentStep:
    """Identity and parsing, with the caches both keep."""

    def __init__(
        self, *, find_trusted: FindTrusted, max_tokens: int, cache_size: int, apq_size: int
    ) -> None:
        self.find_trusted = find_trusted
        self.max_tokens = max_tokens
        # Hashes registered through APQ by callers allowed arbitrary documents; a miss on
        # another process only costs the client one resend, as APQ intends.
        self._apq: LRUCache[str, str] = LRUCache(maxsize=apq_size)
        self._parse = lru_cache(maxsize=cache_size)(self._parse_text)

    def identify(self, request: GraphQLRequest) -> Identified:
        """Step 2: the text to run."""
        named = request.persisted_hash or request.document_id
        if named is None:
            if request.query is None:
                raise InputRejected("MISSING_QUERY", field="query")
            return Identified(request.query, None)
        identifier = named.removeprefix("sha256:")
        if request.query is not None:
            if request.document_id is not None:
                raise InputRejected("BAD_REQUEST", field="documentId")
            # APQ registration: the hash must match the text; checked once it is parsed.
            return Identified(request.query, None, apq_hash=identifier)
        trusted = self.find_trusted(named) or self.find_trusted(identifier)
        if trusted is not None:
            return Identified(trusted.body, trusted)
        remembered = self._apq.get(identifier) if request.persisted_hash else None
        if remembered is not None:
            return Identified(remembered, None)
        raise DocumentRefused("PERSISTED_QUERY_NOT_FOUND", 404)

    def parse(self, identified: Identified) -> ParsedDocument:
        """Step 3: the parsed text; a hash sent beside the text must be the text's."""
        parsed = self._parse(identified.text)
        digest = identified.apq_hash
        if digest is not None and digest not in (parsed.hash, document_hash(identified.text)):
            raise DocumentRefused("PERSISTED_QUERY_HASH_MISMATCH", 400)
        return parsed

    def trusted(self, parsed: ParsedDocument, identified: Identified) -> KnownDocument | None:
        """The registry's entry for what runs, however it was named."""
        return identified.trusted or self.find_trusted(parsed.hash)

    def remember(self, identified: Identified, parsed: ParsedDocument) -> None:
        """Register an APQ hash (the caller may send arbitrary documents)."""
        if identified.apq_hash is not None:
            self._apq[identified.apq_hash] = identified.text

    def parse_text(self, text: str) -> ParsedDocument:
        """The parsed text (cached), without an identity check."""
        return self._parse(text)

    def parse_cache_info(self) -> Any:
        """The parse cache's hits, misses and bound (``functools.lru_cache``'s counters)."""
        return self._parse.cache_info()

    def _parse_text(self, text: str) -> ParsedDocument:
        try:
            node = parse(text, max_tokens=self.max_tokens)
        except GraphQLError as error:
            raise DocumentErrors([error]) from None
        normalized = print_ast(node)
        operations = {
            (definition.name.value if definition.name else None): definition
            for definition in node.definitions
            if isinstance(definition, OperationDefinitionNode)
        }
        return ParsedDocument(node, normalized, document_hash(normalized), operations)
