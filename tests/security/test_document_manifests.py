"""Manifests in the formats the client tools write are read whole, or refused with a sentence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from errors import ManifestError
from security.document_manifests import check_client_name, read_manifest

MAX_TOKENS = 2000
MAX_BYTES = 1024 * 1024
ME = "query Me { me { nationalId } }"
FAMILY = "query Family { me { dependents { relationship } } }"
SIGN_IN = (
    "mutation StartLogin($n: String!, $p: String!) { startLogin(nationalId: $n, password: $p)"
    " { errors { code } } }"
)


def read(manifest: object, **limits: int) -> list:
    data = manifest if isinstance(manifest, bytes) else orjson.dumps(manifest)
    return read_manifest(
        data,
        max_tokens=limits.get("max_tokens", MAX_TOKENS),
        max_bytes=limits.get("max_bytes", MAX_BYTES),
    )


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo(*operations: dict[str, object]) -> dict[str, object]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": list(operations),
    }


def test_apollo_manifest() -> None:
    entries = read(
        apollo(
            {"id": sha256(ME), "name": "Me", "type": "query", "body": ME},
            {"id": sha256(SIGN_IN), "name": "StartLogin", "type": "mutation", "body": SIGN_IN},
        )
    )
    assert [(e.id, e.operation_name, e.body) for e in entries] == [
        (sha256(ME), "Me", ME),
        (sha256(SIGN_IN), "StartLogin", SIGN_IN),
    ]


def test_codegen_persisted_documents() -> None:
    # graphql-codegen's client preset: {hash: body}.
    entries = read({sha256(ME): ME, sha256(FAMILY): FAMILY})
    assert [(e.id, e.operation_name) for e in entries] == [
        (sha256(ME), "Me"),
        (sha256(FAMILY), "Family"),
    ]


def test_relay_persisted_queries() -> None:
    # Relay: {id: text}; ids are whatever its persist function returned.
    entries = read({"a1b2c3": ME, "d4e5f6": "{ me { nationalId } }"})
    assert [(e.id, e.operation_name) for e in entries] == [("a1b2c3", "Me"), ("d4e5f6", None)]


def test_a_document_of_several_operations_is_one_entry() -> None:
    (entry,) = read({"both": f"{ME}\n{FAMILY}"})
    assert entry.operation_name is None


def test_the_contract_manifest_is_read() -> None:
    entries = read((Path(__file__).resolve().parents[2] / "trusted-documents.json").read_bytes())
    assert "MyFamily" in {entry.operation_name for entry in entries}


@pytest.mark.parametrize(
    ("manifest", "says"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"[" * 5000 + b"]" * 5000, "not JSON"),
        (b'"text"', "not a JSON object"),
        (b"[]", "not a JSON object"),
        (b"{}", "holds no documents"),
        ({"format": "something-else"}, "unknown manifest format 'something-else'"),
        ({"format": "apollo-persisted-query-manifest", "version": 2}, "version 2"),
        (
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": {}},
            "operations are not a list",
        ),
        (apollo("x"), "operations[0] is not an object"),
        (apollo({"id": 1, "body": ME}), "operations[0]: the id is not a non-empty string"),
        (apollo({"id": "", "body": ME}), "the id is not a non-empty string"),
        (apollo({"id": "a b", "body": ME}), "spaces or control characters"),
        (apollo({"id": "x" * 201, "body": ME}), "longer than 200"),
        (apollo({"id": "me", "body": None}), "entry 'me': body is not a string"),
        (apollo({"id": "me", "name": 3, "body": ME}), "entry 'me': name is not a string"),
        (apollo({"id": "me", "type": "fetch", "body": ME}), "type 'fetch' is not query"),
        (apollo({"id": "me", "name": "You", "body": ME}), "no operation named 'You'"),
        (apollo({"id": "me", "name": "Me", "type": "mutation", "body": ME}), "Me is a query"),
        ({"me": 42}, "entry 'me': its value is not a document's text"),
        ({"me": ["query"]}, "entry 'me': its value is not a document's text"),
        ({"me": "{ me { nationalId "}, "entry 'me' does not parse: Syntax Error"),
        ({"me": "fragment F on Person { nationalId }"}, "entry 'me' holds no operation"),
        ({"me": "type Query { me: ID }"}, "entry 'me' holds definitions other than operations"),
        ({"me": f"{ME}\n{{ me {{ name {{ en }} }} }}"}, "a name of their own"),
        ({"me": f"{ME}\n{ME}"}, "a name of their own"),
        (apollo({"id": "me", "body": ME}, {"id": "me", "body": FAMILY}), "'me' appears twice"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_manifests_are_refused_with_a_sentence(manifest, says) -> None:
    with pytest.raises(ManifestError) as refused:
        read(manifest)
    assert says in str(refused.value)
    assert refused.value.code == "MANIFEST_REFUSED"


def test_one_bad_entry_refuses_the_whole_file() -> None:
    with pytest.raises(ManifestError, match="entry 'broken' does not parse"):
        read({sha256(ME): ME, "broken": "query {", sha256(FAMILY): FAMILY})


def test_bodies_over_the_token_limit_are_refused() -> None:
    long = "query Long { me { " + "nationalId " * 50 + "} }"
    assert [entry.id for entry in read({"long": long}, max_tokens=100)] == ["long"]
    with pytest.raises(ManifestError, match=r"entry 'long' does not parse: .*more than 40 tokens"):
        read({"long": long}, max_tokens=40)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    data = orjson.dumps({sha256(ME): ME})
    assert len(read(data, max_bytes=len(data))) == 1
    with pytest.raises(ManifestError, match=f"larger than {len(data) - 1} bytes"):
        read(data, max_bytes=len(data) - 1)


def test_a_byte_order_mark_is_allowed() -> None:
    assert len(read(b"\xef\xbb\xbf" + orjson.dumps({sha256(ME): ME}))) == 1


@pytest.mark.parametrize("name", ["web", "mobile-app", "@acme/web", "ios_2.3"])
def test_client_names(name) -> None:
    check_client_name(name)


@pytest.mark.parametrize("name", ["", "-web", "@", "a b", "x" * 101, "web\n", "wéb", "a@b"])
def test_bad_client_names_are_refused(name) -> None:
    with pytest.raises(ManifestError, match="client name"):
        check_client_name(name)
