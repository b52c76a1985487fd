"""A document's identity: the SHA-256 of its normalized text.

Real clients (Apollo Client, urql, Relay, graphql-codegen) send the *printed* document,
``print(parse(text))``: comments gone, their own whitespace. So a document is known by its
normalized form, graphql-core's ``print_ast`` of its parsed AST, in which comments and
layout do not count; two texts that parse alike have one identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from graphql import DocumentNode, OperationDefinitionNode, print_ast

SHA256_PREFIX = "sha256:"


def normalized_text(document: DocumentNode) -> str:
    """The document printed by graphql-core: no comments, one layout."""
    return print_ast(document)


def document_hash(text: str) -> str:
    """The SHA-256 of ``text`` in hex (of a normalized text: the document's identity)."""
    return hashlib.sha256(text.encode()).hexdigest()


def operation_names(document: DocumentNode) -> tuple[str, ...]:
    """The names of the document's named operations, in document order."""
    return tuple(
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name
    )


@dataclass(frozen=True, slots=True)
class DocumentIdentity:
    """A parsed document's normalized text, its hash and its operations' names."""

    text: str
    hash: str
    operation_names: tuple[str, ...]


def identify(document: DocumentNode) -> DocumentIdentity:
    text = normalized_text(document)
    return DocumentIdentity(text, document_hash(text), operation_names(document))
