"""Depth, aliases, directives and root fields of an operation, measured in linear time."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    parse,
    validate,
    visit,
)
from graphql.validation.validate import ValidationAbortedError
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.extensions.max_aliases import create_validator as strawberry_alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as strawberry_depth_rule

import security.operation_limits
from demo.demo_population import GUARDIAN
from i18n.catalog import MessageCatalog
from security.operation_limits import (
    OperationLimits,
    OperationMeasures,
    limit_errors,
    measure_operation,
)
from settings import Settings
from tests.support.contract_documents import CONTRACT_DIR

LIMITS = OperationLimits.from_settings(Settings())
DEEP = "{ me { " + "dependents { person { " * 5 + "nationalId" + " } }" * 5 + " } }"
# Shapes beside the contract's: introspection, inline fragments, fragments within
# fragments, a fragment spread twice, aliases and directives everywhere.
ORDINARY = [
    DEEP,
    "{ __typename }",
    "{ __schema { types { name fields { name type { name } } } } }",
    "{ s: __schema { t: types { name } } me { nationalId } }",
    "query { me { ... on Citizen { kids: dependents { age } } ... { nationalId } } }",
    """
    query Twice { a: me { ...Who } b: me { ...Who dependents { person { ...Who } } } }
    fragment Who on Person { id: nationalId name { ...Names } }
    fragment Names on LocalizedText { ar english: en }
    """,
    """
    query Shapes($id: ID!, $no: Boolean!) @deprecated {
      me { hidden: nationalId @skip(if: $no) ...Who @include(if: true) }
      first: node(id: $id) { id ... on TravelPermit @skip(if: false) { status history { at } } }
    }
    fragment Who on Person @deprecated { nationalId name { ar } }
    """,
]


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def only_operation(text: str) -> tuple[DocumentNode, OperationDefinitionNode]:
    document = parse(text, no_location=True)
    (operation,) = operations_of(document)
    return document, operation


def measure(text: str) -> OperationMeasures:
    return measure_operation(*only_operation(text))


def one_operation_documents() -> list[object]:
    """Every ordinary and contract document, one document per operation (with all the
    fragments), so Strawberry's document-wide verdicts speak of that operation alone."""
    texts = [(f"ordinary-{n}", text) for n, text in enumerate(ORDINARY)]
    texts += [
        (str(path.relative_to(CONTRACT_DIR)), path.read_text())
        for path in sorted(CONTRACT_DIR.rglob("*.graphql"))
    ]
    documents = []
    for label, text in texts:
        document = parse(text, no_location=True)
        fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
        for operation in operations_of(document):
            name = operation.name.value if operation.name else "anonymous"
            one = DocumentNode(definitions=(operation, *fragments))
            documents.append(pytest.param(one, id=f"{label}:{name}"))
    return documents


def strawberry_refuses(schema: GraphQLSchema, document: DocumentNode, rule: type) -> bool:
    try:
        return bool(validate(schema, document, [rule]))
    except ValidationAbortedError:  # its depth rule reports each node too deep, past 100
        return True


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ __typename }", OperationMeasures(depth=0, aliases=0, directives=0, root_fields=1)),
        (DEEP, OperationMeasures(depth=11, aliases=0, directives=0, root_fields=1)),
        # Introspection adds no depth (as Strawberry counts it); its aliases still count.
        (
            "{ __schema { t: types { fields { name } } } }",
            OperationMeasures(depth=0, aliases=1, directives=0, root_fields=1),
        ),
        # An inline fragment adds no level; its fields are the operation's own.
        (
            "{ me { ... on Citizen { dependents { age } } } ... { a: __typename } }",
            OperationMeasures(depth=2, aliases=1, directives=0, root_fields=2),
        ),
        # A fragment counts as many times as it is spread: 2 + 2 × 2 aliases.
        (
            "{ a: me { ...F } b: me { ...F } }"
            " fragment F on Person { x: nationalId y: name { ar } }",
            OperationMeasures(depth=2, aliases=6, directives=0, root_fields=2),
        ),
        # On a variable, the operation, a field and a spread, then the fragment's own and
        # its field's at each of its two spreads: 1 + 1 + 1 + 1 + 2 × 2.
        (
            "query Q($v: Int @deprecated) @deprecated"
            " { me @include(if: true) { ...F @skip(if: false) }"
            " again: me { ...F } } fragment F on Person @deprecated"
            " { nationalId @include(if: true) }",
            OperationMeasures(depth=1, aliases=1, directives=8, root_fields=2),
        ),
        # Root fields through fragments, inline fragments and fragments within them.
        (
            "{ ...R } fragment R on Query { a: __typename ... on Query { b: __typename } ...S }"
            " fragment S on Query { c: __typename me { nationalId } }",
            OperationMeasures(depth=1, aliases=3, directives=0, root_fields=4),
        ),
    ],
    ids=[
        "leaf",
        "deep",
        "introspection",
        "inline",
        "spread-twice",
        "directives",
        "root-fields",
    ],
)
def test_small_documents_measure_as_counted_by_hand(document, expected) -> None:
    assert measure(document) == expected


def test_twelve_root_fields_through_a_fragment_count_twelve() -> None:
    fields = " ".join(f"f{n}: __typename" for n in range(12))  # 12 aliases: within 15
    document, operation = only_operation(
        f"query {{ ...Many }} fragment Many on Query {{ {fields} }}"
    )

    measures = measure_operation(document, operation)

    assert measures.root_fields == 12
    (error,) = limit_errors(measures, LIMITS, operation)
    assert error.extensions == {"code": "MAX_ROOT_FIELDS_EXCEEDED"}
    assert error.message == f"More than {LIMITS.max_root_fields} root fields."


def test_cycles_and_unknown_fragments_contribute_nothing_beyond_the_cycle() -> None:
    cycle = (
        "query { ...A } fragment A on Query { a: __typename ...B }"
        " fragment B on Query { b: __typename ...A ...B }"
    )
    assert measure(cycle) == OperationMeasures(depth=0, aliases=2, directives=0, root_fields=2)
    assert measure("{ ...Nowhere a: __typename }") == OperationMeasures(0, 1, 0, 1)
    assert measure("{ ...A } fragment A on Query { me { ...A } }").depth == 1


def fan_out(levels: int, body: str, type_name: str = "Query") -> str:
    """A fragment per level, each spreading the next twice: 2**levels paths to the last."""
    fragments = [
        f"fragment F{n} on {type_name} {{ {body.format(n=n, next=f'...F{n + 1} ...F{n + 1}')} }}"
        for n in range(levels)
    ]
    fragments.append(f"fragment F{levels} on {type_name} {{ {body.format(n=levels, next='')} }}")
    return " ".join(fragments)


class SelectionSetCount(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_selection_set(self, *_: object) -> None:
        self.count += 1


def selection_sets_in(document: DocumentNode) -> int:
    counter = SelectionSetCount()
    visit(document, counter)
    return counter.count


def test_a_fan_out_of_forty_fragments_is_measured_walking_each_selection_set_once(
    monkeypatch,
) -> None:
    walked: list[SelectionSetNode] = []
    measure_selection_set = security.operation_limits.measure_selection_set

    def counted(selection_set, fragments):
        walked.append(selection_set)
        return measure_selection_set(selection_set, fragments)

    monkeypatch.setattr(security.operation_limits, "measure_selection_set", counted)
    text = "query FanOut { ...F0 } " + fan_out(40, "a{n}: __typename @include(if: true) {next}")
    document, operation = only_operation(text)

    measures = measure_operation(document, operation)

    paths = 2**41 - 1  # F0 once, F1 twice, ..., F40 2**40 times
    assert measures == OperationMeasures(
        depth=0, aliases=paths, directives=paths, root_fields=paths
    )
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    assert len(walked) == selection_sets_in(document) == len(fragments) + 1
    assert {id(s) for s in walked} == {id(d.selection_set) for d in document.definitions}
    assert [e.extensions["code"] for e in limit_errors(measures, LIMITS, operation)] == [
        "MAX_ALIASES_EXCEEDED",
        "MAX_DIRECTIVES_EXCEEDED",
        "MAX_ROOT_FIELDS_EXCEEDED",
    ]


def test_a_fan_out_in_depth_is_measured_once_per_selection_set(monkeypatch) -> None:
    walked = []
    measure_selection_set = security.operation_limits.measure_selection_set

    def counted(selection_set, fragments):
        walked.append(selection_set)
        return measure_selection_set(selection_set, fragments)

    monkeypatch.setattr(security.operation_limits, "measure_selection_set", counted)
    nested = "person {{ dependents {{ age {next} }} }}"
    text = "query { me { dependents { ...F0 } } } " + fan_out(40, nested, "Dependent")
    document, operation = only_operation(text)

    measures = measure_operation(document, operation)

    assert measures.depth == 2 + 2 * 41  # me, dependents, then person and dependents each
    assert len(walked) == selection_sets_in(document)
    codes = [e.extensions["code"] for e in limit_errors(measures, LIMITS, operation)]
    assert codes == ["MAX_DEPTH_EXCEEDED"]


@pytest.mark.parametrize("document", one_operation_documents())
def test_depth_and_aliases_match_strawberrys_verdicts_at_the_boundary(sdl_schema, document) -> None:
    (operation,) = operations_of(document)
    measures = measure_operation(document, operation)

    assert not strawberry_refuses(sdl_schema, document, strawberry_depth_rule(measures.depth, None))
    assert strawberry_refuses(sdl_schema, document, strawberry_depth_rule(measures.depth - 1, None))
    assert not strawberry_refuses(sdl_schema, document, strawberry_alias_rule(measures.aliases))
    assert strawberry_refuses(sdl_schema, document, strawberry_alias_rule(measures.aliases - 1))


def test_the_messages_are_strawberrys_words(sdl_schema) -> None:
    strict = OperationLimits(
        max_depth=3, max_aliases=1, max_tokens=2000, max_directives=1, max_root_fields=1
    )
    deep, deep_operation = only_operation(DEEP)
    aliased, aliased_operation = only_operation("query Named { a: me { b: nationalId } }")

    theirs = validate(sdl_schema, deep, [strawberry_depth_rule(3, None)])
    theirs += validate(sdl_schema, aliased, [strawberry_alias_rule(1)])
    ours = limit_errors(measure_operation(deep, deep_operation), strict, deep_operation)
    ours += limit_errors(measure_operation(aliased, aliased_operation), strict, aliased_operation)

    assert {e.message for e in theirs} == {e.message for e in ours}
    assert [e.extensions["code"] for e in ours] == ["MAX_DEPTH_EXCEEDED", "MAX_ALIASES_EXCEEDED"]
    assert ours[0].nodes == [deep_operation]


def test_one_coded_error_per_limit_exceeded_each_code_in_the_catalog() -> None:
    _, operation = only_operation("query Named { __typename }")
    limits = (LIMITS.max_depth, LIMITS.max_aliases, LIMITS.max_directives, LIMITS.max_root_fields)
    assert limit_errors(OperationMeasures(*limits), LIMITS, operation) == []

    errors = limit_errors(OperationMeasures(*(limit + 1 for limit in limits)), LIMITS, operation)

    assert [(e.extensions["code"], e.message) for e in errors] == [
        ("MAX_DEPTH_EXCEEDED", f"'Named' exceeds maximum operation depth of {LIMITS.max_depth}"),
        (
            "MAX_ALIASES_EXCEEDED",
            f"{LIMITS.max_aliases + 1} aliases found. Allowed: {LIMITS.max_aliases}",
        ),
        ("MAX_DIRECTIVES_EXCEEDED", f"More than {LIMITS.max_directives} directives."),
        ("MAX_ROOT_FIELDS_EXCEEDED", f"More than {LIMITS.max_root_fields} root fields."),
    ]
    catalog = MessageCatalog.load()
    for error in errors:
        code = error.extensions["code"]
        assert code in catalog.codes("en")
        assert code in catalog.codes("ar")


def test_the_limits_refuses_a_fan_out_with_the_codes(sdl_schema) -> None:
    text = "query FanOut { ...F0 } " + fan_out(40, "a{n}: __typename {next}")
    errors = limit_errors_of(parse(text))
    assert {e.extensions["code"] for e in errors} == {
        "MAX_ALIASES_EXCEEDED",
        "MAX_ROOT_FIELDS_EXCEEDED",
    }
    assert f"{2**41 - 1} aliases found. Allowed: {LIMITS.max_aliases}" in {
        e.message for e in errors
    }


def test_the_limits_counts_aliases_per_operation_not_per_document(sdl_schema) -> None:
    # Strawberry summed the aliases of every operation in the document; only one runs.
    ten = " ".join(f"a{n}: __typename" for n in range(10))
    document = parse(f"query One {{ {ten} }} query Two {{ {ten} }}")
    assert strawberry_refuses(sdl_schema, document, strawberry_alias_rule(LIMITS.max_aliases))
    errors = limit_errors_of(document)
    assert [e.extensions["code"] for e in errors] == []


def test_the_limits_reports_depth_once_however_many_fields_are_too_deep(
    sdl_schema,
) -> None:
    # Strawberry's rule reported each of the 101, and graphql-core's abort after 100 errors
    # was raised from the rule's constructor, out of ``validate``.
    too_deep = " ".join(["nationalId"] * 101)
    document = parse("{ me { " + "dependents { person { " * 5 + too_deep + " } }" * 5 + " } }")
    errors = limit_errors_of(document)

    assert [e.extensions["code"] for e in errors] == ["MAX_DEPTH_EXCEEDED"]


def test_the_limits_survives_an_unknown_fragment(sdl_schema) -> None:
    # Strawberry's depth rule raised KeyError here; graphql-core reports the fragment itself.
    errors = limit_errors_of(parse("{ ...Nowhere }"))
    assert errors == []


def limit_errors_of(document: DocumentNode) -> list[GraphQLError]:
    """The limit errors of every operation of ``document``, as the pipeline checks each."""
    return [
        error
        for operation in operations_of(document)
        for error in limit_errors(measure_operation(document, operation), LIMITS, operation)
    ]


def test_every_contract_document_stays_within_the_limits(sdl_schema) -> None:
    for path in Path(CONTRACT_DIR).rglob("*.graphql"):
        document = parse(path.read_text(), max_tokens=LIMITS.max_tokens)
        for operation in operations_of(document):
            measures = measure_operation(document, operation)
            assert limit_errors(measures, LIMITS, operation) == [], path


# Random documents without cycles (a fragment spreads only later ones), any field names:
# the rules read only the document. Strawberry's walks are fast on documents this small.
LEAF = st.tuples(st.just("field"), st.booleans(), st.sampled_from(["a", "b", "__typename"]))
SELECTION = st.recursive(
    LEAF | st.tuples(st.just("spread"), st.integers(0, 5)),
    lambda inner: (
        st.tuples(
            st.just("field"),
            st.booleans(),
            st.sampled_from(["a", "__schema", "b"]),
            st.lists(inner, min_size=1, max_size=3),
        )
        | st.tuples(st.just("inline"), st.lists(inner, min_size=1, max_size=3))
    ),
    max_leaves=6,
)


def render(selections: list, owner: int, fragments: int) -> str:
    parts = []
    for selection in selections:
        if selection[0] == "field":
            _, aliased, name, *children = selection
            text = ("x: " if aliased else "") + name
            if children:
                text += " { " + render(children[0], owner, fragments) + " }"
            parts.append(text)
        elif selection[0] == "inline":
            parts.append("... { " + render(selection[1], owner, fragments) + " }")
        else:
            later = range(owner + 1, fragments)
            parts.append(f"...F{later[selection[1] % len(later)]}" if later else "c")
    return " ".join(parts)


@given(
    operation=st.lists(SELECTION, min_size=1, max_size=3),
    fragments=st.lists(st.lists(SELECTION, min_size=1, max_size=3), max_size=3),
)
@settings(max_examples=200, deadline=None, database=None, derandomize=True)
def test_random_documents_measure_as_strawberry_counts(sdl_schema, operation, fragments) -> None:
    text = "query Random { " + render(operation, -1, len(fragments)) + " }"
    for index, selections in enumerate(fragments):
        text += f" fragment F{index} on Query {{ {render(selections, index, len(fragments))} }}"
    document = parse(text, no_location=True)
    measures = measure_operation(document, operations_of(document)[0])

    assert not strawberry_refuses(sdl_schema, document, strawberry_depth_rule(measures.depth, None))
    assert strawberry_refuses(sdl_schema, document, strawberry_depth_rule(measures.depth - 1, None))
    assert not strawberry_refuses(sdl_schema, document, strawberry_alias_rule(measures.aliases))
    assert strawberry_refuses(sdl_schema, document, strawberry_alias_rule(measures.aliases - 1))


async def test_the_gateway_refuses_a_fan_out_of_forty_fragments(gateway) -> None:
    text = "query FanOut { ...F0 } " + fan_out(40, "a{n}: __typename {next}")
    gateway.statements.clear()

    response = await gateway.post(text, token=gateway.token(GUARDIAN.national_id))

    assert response.status_code in (200, 400)
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {
        "MAX_ALIASES_EXCEEDED",
        "MAX_ROOT_FIELDS_EXCEEDED",
    }
    assert gateway.request_statements() == []
