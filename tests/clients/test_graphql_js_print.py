"""The gateway prints a document as graphql-js 16 does, byte for byte: what Apollo Client,
urql and Relay hash is what the gateway can find a trusted document by."""

from __future__ import annotations

import json
import subprocess

from graphql import parse, print_ast

from security.graphql_js_print import print_graphql_js
from tests.clients.conftest import CLIENTS_DIR
from tests.support.contract_documents import CONTRACT_DIR

SHAPES = [
    "query Q($a: [Int!]! = [1, 2], $b: In = {x: {y: [true, null]}, z: ENUM}) @live { me { id } }",
    'mutation { logout(refreshToken: "\\u00e9\\n\\"quoted\\"") { errors { code } } }',
    'query { a(text: """block\n  string with "quotes" """) }',
    '{ alias: field(first: 10, after: "cursor") @include(if: $x) @skip(if: false) { ...F } }',
    'query Long { someField(argumentNumberOne: "a value long enough", argumentTwo: 1234567890,'
    " three: [1, 2, 3]) { id } }",
    "fragment F on T @dir { ... on U { x } ... @include(if: true) { y } ...G @skip(if: false) }",
    "subscription S($after: String) { travelPermitStatusChanged(after: $after) { cursor } }",
    "query { f(v: -1.5e10, w: 0, e: ENUM_VALUE, n: null, o: {}) }",
]


def test_the_print_is_graphql_js_s_on_every_contract_document_and_odd_shapes(node: str) -> None:
    documents = [path.read_text() for path in sorted(CONTRACT_DIR.rglob("*.graphql"))]
    documents += SHAPES
    completed = subprocess.run(
        [node, "graphql_js_print.mjs"],
        cwd=CLIENTS_DIR,
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed_by_graphql_js = json.loads(completed.stdout)
    ours = [print_graphql_js(parse(text)) for text in documents]
    assert ours == printed_by_graphql_js
    # Where the two printers differ, this test is what shows it: graphql-core's own print
    # is not graphql-js 16's for every document.
    assert any(print_ast(parse(text)) != js for text, js in zip(documents, ours, strict=True))
