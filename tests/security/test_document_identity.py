"""A document's identity is the hash of its normalized text: comments and layout do not count."""

from __future__ import annotations

import hashlib

from graphql import parse, print_ast

from security.document_identity import (
    document_hash,
    identify,
    normalized_text,
)
from tests.support.contract_documents import contract_document

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
SESSION = contract_document("frontend/Session.graphql")


def identity_of(text: str) -> str:
    return document_hash(normalized_text(parse(text)))


def test_the_hash_is_the_sha256_of_the_text() -> None:
    assert document_hash("{ me { nationalId } }") == (
        hashlib.sha256(b"{ me { nationalId } }").hexdigest()
    )


def test_a_printed_document_has_the_identity_of_its_source() -> None:
    # What Apollo Client, urql, Relay and codegen send: print(parse(text)).
    printed = print_ast(parse(MY_FAMILY))
    assert printed != MY_FAMILY  # the contract's comments are gone
    assert identity_of(printed) == identity_of(MY_FAMILY)
    assert normalized_text(parse(printed)) == printed


def test_comments_and_layout_do_not_count() -> None:
    variants = [
        "query Me { me { nationalId name { en } } }",
        "# who am I\nquery Me {\n  me {\n    nationalId # the ID\n    name { en }\n  }\n}\n",
        "query   Me{me{nationalId,name{en}}}",
    ]
    assert len({identity_of(text) for text in variants}) == 1


def test_what_the_document_asks_does_count() -> None:
    base = identity_of("query Me { me { nationalId name { en } } }")
    assert identity_of("query Me { me { name { en } nationalId } }") != base  # order of fields
    assert identity_of("query You { me { nationalId name { en } } }") != base  # operation name
    assert identity_of("query Me { me { id: nationalId name { en } } }") != base  # an alias


def test_identify_names_every_operation() -> None:
    identity = identify(parse(SESSION))
    assert identity.operation_names == ("RefreshSession", "Logout")
    assert identity.hash == document_hash(identity.text)
    assert "#" not in identity.text
