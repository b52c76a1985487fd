"""Steps 2 and 3, identity and parse: which text an operation runs, and that text parsed.

A request names its document in one of four ways:

- ``query``, the text itself (with ``extensions.persistedQuery.sha256Hash`` beside it, Apollo's
  APQ registration: the hash must be that of the text, of its normalized form or of its
  graphql-js print, or a registered id of that same document);
- ``extensions.persistedQuery.sha256Hash`` alone (APQ): a trusted document's hash, or one an
  allowed caller registered earlier; otherwise ``PERSISTED_QUERY_NOT_FOUND`` with the literal
  message ``PersistedQueryNotFound``, on which Apollo's clients resend the text;
- ``documentId`` (GraphQL over HTTP): a registered client's id, or ``sha256:<hash>``.

Registered documents are looked up in ``security.trusted_documents``. A document is known by
its normalized form (parsed, then printed: comments and whitespace do not count), so a
printed contract document is trusted as the contract document is, and runs compiled.
Parsing is cached by text, bounded; the analysis of each operation (limits, validation, the
compiled plan) is kept with the parsed text. A printed variant has an analysis of its own:
its errors' locations are in its own text, not in the contract's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse, print_ast

from errors import DocumentRefused, InputRejected
from pipeline.request import GraphQLRequest
from security.document_identity import SHA256_PREFIX, document_hash
from security.graphql_js_print import UnprintableDocument, print_graphql_js
from security.trusted_documents import TrustedDocument, TrustedDocuments


@dataclass
class ParsedDocument:
    """A parsed text, known by the hash of its normalized form.

    The normalized form is printed when first asked for: a document the limits refuse is
    never printed (printing costs about as much as parsing)."""

    node: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    # What later steps learn of it, kept with it: validation errors, each operation's measures.
    analysis: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def normalized(self) -> str:
        return print_ast(self.node)

    @cached_property
    def hash(self) -> str:
        return document_hash(self.normalized)

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
    trusted: TrustedDocument | None
    apq_hash: str | None = None


class DocumentStep:
    """Identity and parsing, with the caches both keep."""

    def __init__(
        self, *, trusted: TrustedDocuments, max_tokens: int, cache_size: int, apq_size: int
    ) -> None:
        self.index = trusted
        self.max_tokens = max_tokens
        # Hashes registered through APQ by callers allowed arbitrary documents; a miss on
        # another process only costs the client one resend, as APQ intends.
        self._apq: LRUCache[str, str] = LRUCache(maxsize=apq_size)
        self._parse = lru_cache(maxsize=cache_size)(self._parse_text)

    async def identify(self, request: GraphQLRequest) -> Identified:
        """Step 2: the text to run."""
        named = request.persisted_hash or request.document_id
        if named is None:
            if request.query is None:
                raise InputRejected("MISSING_QUERY", field="query")
            return Identified(request.query, None)
        identifier = named.removeprefix(SHA256_PREFIX)
        # A client's ids are opaque (codegen's are SHA-1): looked up before any hash check.
        trusted = await self.index.find(identifier)
        if request.query is not None:
            if request.document_id is not None:
                raise InputRejected("BAD_REQUEST", field="documentId")
            # APQ registration: the hash must match the text; checked once it is parsed.
            return Identified(request.query, trusted, apq_hash=identifier)
        if trusted is not None:
            return Identified(trusted.body, trusted)
        remembered = self._apq.get(identifier) if request.persisted_hash else None
        if remembered is not None:
            return Identified(remembered, None)
        raise DocumentRefused("PERSISTED_QUERY_NOT_FOUND")

    def parse(self, identified: Identified) -> ParsedDocument:
        """Step 3: the parsed text; a hash sent beside the text must name that text."""
        parsed = self._parse(identified.text)
        digest = identified.apq_hash
        if digest is not None and not self._names(digest, identified, parsed):
            raise DocumentRefused("PERSISTED_QUERY_HASH_MISMATCH")
        return parsed

    @staticmethod
    def _names(digest: str, identified: Identified, parsed: ParsedDocument) -> bool:
        if identified.trusted is not None:  # a registered id: of this very document?
            return identified.trusted.normalized_hash == parsed.hash
        if digest in (parsed.hash, document_hash(identified.text)):
            return True
        try:
            return digest == document_hash(print_graphql_js(parsed.node))
        except UnprintableDocument:
            return False

    async def trusted(
        self, parsed: ParsedDocument, identified: Identified
    ) -> TrustedDocument | None:
        """The registry's entry for what runs, however it was named."""
        known = identified.trusted
        if known is not None and known.normalized_hash == parsed.hash:
            return known
        return await self.index.by_hash(parsed.hash)

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
        operations = {
            (definition.name.value if definition.name else None): definition
            for definition in node.definitions
            if isinstance(definition, OperationDefinitionNode)
        }
        return ParsedDocument(node, operations)
