"""The static cost of an operation: linear in the document, with the values that will run."""

from __future__ import annotations

import pytest
from graphql import (
    DocumentNode,
    GraphQLSchema,
    OperationDefinitionNode,
    Visitor,
    get_variable_values,
    parse,
    visit,
)

from demo.demo_population import GUARDIAN
from security.query_cost import (
    DEFAULT_LIST_SIZE,
    MUTATION_COST,
    UNKNOWN_LIST_SIZE,
    CostEstimator,
    estimate_cost,
)
from settings import Settings
from tests.support.contract_documents import contract_document

CEILING = Settings().cost_ceiling
# Fifty dependents' permits with their destinations: 1 for ``me``, then for each of 10
# dependents 1 + (its connection, 1 + 50 edges × (1 + node (1 + 10 destinations × 2))).
PERMITS = (
    "me {{ dependents {{ travelPermits(first: {first}) {{ edges {{ node"
    " {{ destinations {{ name {{ en }} }} }} }} }} }} }}"
)
PERMITS_COST_AT_50 = 1 + 10 * (1 + 1 + 50 * (1 + 1 + 10 * 2))
LOGOUT = 'logout(refreshToken: "x") { errors { code } }'  # 1 + 10 errors: 11


def operation_of(document: DocumentNode) -> OperationDefinitionNode:
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


def cost(schema: GraphQLSchema, text: str, variables: dict[str, object] | None = None) -> int:
    """The cost with ``variables`` coerced as execution coerces them."""
    document = parse(text)
    operation = operation_of(document)
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    return estimate_cost(schema, document, operation, coerced.coerced)


def test_my_family_costs_what_it_cost(schema) -> None:
    assert cost(schema, contract_document("frontend/MyFamily.graphql")) == 1264


@pytest.mark.parametrize(
    ("document", "first", "expected"),
    [
        # The connection's 20 edges, each 1 + its node (1 + accessorName 1); the page info 1.
        ("frontend/MyDataAccessLog.graphql", 20, 1 + 20 * 3 + 1),
        ("frontend/MyNotifications.graphql", 20, 1 + 20 * 2 + 1),
        ("frontend/MyNotifications.graphql", 3, 1 + 3 * 2 + 1),
    ],
)
def test_contract_pages_cost_their_first(schema, document, first, expected) -> None:
    assert cost(schema, contract_document(document), {"first": first}) == expected


def test_the_literal_fifty_costs_what_it_says(schema) -> None:
    assert cost(schema, "{ " + PERMITS.format(first=50) + " }") == PERMITS_COST_AT_50


def test_a_variables_default_costs_the_same_as_the_literal(schema) -> None:
    text = "query ($f: Int = 50) { " + PERMITS.format(first="$f") + " }"
    assert cost(schema, text) == PERMITS_COST_AT_50
    assert cost(schema, text, {"f": 50}) == PERMITS_COST_AT_50
    assert cost(schema, text, {"f": 2}) < PERMITS_COST_AT_50


def test_variables_not_coerced_still_take_their_defaults(schema) -> None:
    text = "query ($f: Int = 50) { " + PERMITS.format(first="$f") + " }"
    document = parse(text)
    assert estimate_cost(schema, document, operation_of(document), {}) == PERMITS_COST_AT_50


def test_a_float_fifty_is_coerced_to_fifty(schema) -> None:
    text = "query ($f: Int!) { " + PERMITS.format(first="$f") + " }"
    assert cost(schema, text, {"f": 50.0}) == PERMITS_COST_AT_50


@pytest.mark.parametrize(
    "value",
    [50.0, 50.5, "50", None, -1, True],
    ids=["float", "fraction", "text", "null", "neg", "bool"],
)
def test_a_first_that_names_no_size_is_the_worst_case(schema, value) -> None:
    # As the caller would hand them if it skipped coercion: never costed as 0.
    text = "query ($f: Int!) { " + PERMITS.format(first="$f") + " }"
    document = parse(text)
    estimate = estimate_cost(schema, document, operation_of(document), {"f": value})
    assert estimate == 1 + 10 * (1 + 1 + UNKNOWN_LIST_SIZE * (1 + 1 + 10 * 2))
    assert estimate > CEILING


def test_a_negative_literal_is_the_worst_case_too(schema) -> None:
    assert cost(schema, "{ " + PERMITS.format(first=-1) + " }") > CEILING
    assert cost(schema, "{ " + PERMITS.format(first=0) + " }") == 1 + 10 * 2


@pytest.mark.parametrize(("field", "default"), [("myNotifications", 20), ("myDataAccessLog", 20)])
def test_an_absent_first_takes_the_schema_arguments_default(schema, field, default) -> None:
    absent = cost(schema, f"{{ {field} {{ edges {{ cursor }} }} }}")
    assert absent == 1 + default * 1
    assert absent == cost(schema, f"{{ {field}(first: {default}) {{ edges {{ cursor }} }} }}")
    assert default != DEFAULT_LIST_SIZE  # else this would not tell the two apart


def test_a_variable_without_a_value_leaves_first_to_the_schema(schema) -> None:
    text = "query ($f: Int) { myNotifications(first: $f) { edges { cursor } } }"
    document = parse(text)
    assert estimate_cost(schema, document, operation_of(document), {}) == 1 + 20


def test_a_list_without_first_is_the_default_size(schema) -> None:
    assert cost(schema, "{ me { dependents { age } } }") == 1 + DEFAULT_LIST_SIZE


def test_a_fragment_in_two_connections_is_sized_by_each(schema) -> None:
    text = (
        "{ a: myNotifications(first: 3) { ...Page } b: myNotifications(first: 7) { ...Page } }"
        " fragment Page on NotificationConnection"
        " { edges { node { id } } ... { pageInfo { hasNextPage } } }"
    )
    assert cost(schema, text) == (1 + 3 * 2 + 1) + (1 + 7 * 2 + 1)


def test_root_mutation_fields_through_fragments_pay_the_surcharge(schema) -> None:
    direct = cost(schema, f"mutation {{ {LOGOUT} }}")
    assert direct == 11 + MUTATION_COST
    assert cost(schema, f"mutation {{ ...M }} fragment M on Mutation {{ {LOGOUT} }}") == direct
    three = (
        f"mutation {{ ...M }} fragment M on Mutation"
        f" {{ a: {LOGOUT} ... on Mutation {{ b: {LOGOUT} }} ...N }}"
        f" fragment N on Mutation {{ c: {LOGOUT} }}"
    )
    assert cost(schema, three) == 3 * direct


def test_cycles_and_unknown_fragments_cost_nothing_beyond_the_cycle(schema) -> None:
    cycle = (
        "{ ...A } fragment A on Query { me { nationalId } ...B } fragment B on Query { ...A ...B }"
    )
    assert cost(schema, cycle) == 1
    assert cost(schema, "{ ...Nowhere me { nationalId } }") == 1


class SelectionSetCount(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_selection_set(self, *_: object) -> None:
        self.count += 1


def fan_out(levels: int) -> str:
    """Forty fragments, each asking for ``me`` and spreading the next twice."""
    fragments = [
        f"fragment F{n} on Query {{ me {{ nationalId }} ...F{n + 1} ...F{n + 1} }}"
        for n in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Query {{ me {{ nationalId }} }}")
    return "query FanOut { ...F0 } " + " ".join(fragments)


def test_a_fan_out_of_forty_fragments_is_costed_walking_each_selection_set_once(
    schema, monkeypatch
) -> None:
    walked = []
    selection_cost = CostEstimator.selection_cost

    def counted(self, parent, selections):
        walked.append(selections)
        return selection_cost(self, parent, selections)

    monkeypatch.setattr(CostEstimator, "selection_cost", counted)
    document = parse(fan_out(40))

    estimate = estimate_cost(schema, document, operation_of(document), {})

    assert estimate == 2**41 - 1  # one ``me`` in F0, two in F1, ..., 2**40 in F40
    counter = SelectionSetCount()
    visit(document, counter)
    assert len(walked) == counter.count  # the operation's, each fragment's, each ``me``'s
    assert len({id(s) for s in walked}) == len(walked)


async def test_the_gateway_refuses_the_dodges_by_default_and_by_float(gateway) -> None:
    token = gateway.token(GUARDIAN.national_id)
    gateway.statements.clear()
    answers = [
        await gateway.graphql("{ " + PERMITS.format(first=50) + " }", token=token),
        await gateway.graphql(
            "query ($f: Int = 50) { " + PERMITS.format(first="$f") + " }", token=token
        ),
        await gateway.graphql(
            "query ($f: Int!) { " + PERMITS.format(first="$f") + " }", {"f": 50.0}, token=token
        ),
    ]
    for answer in answers:
        assert "data" not in answer  # refused before execution
        assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert f"cost {PERMITS_COST_AT_50} points" in answer["errors"][0]["message"]
    assert gateway.request_statements() == []


async def test_the_gateway_charges_each_mutation_reached_through_a_fragment(gateway) -> None:
    document = (
        f"mutation {{ ...M }} fragment M on Mutation {{ a: {LOGOUT} ... on Mutation"
        f" {{ b: {LOGOUT} }} }}"
    )
    answer = await gateway.graphql(document)
    assert answer["extensions"]["cost"]["requested"] == 2 * (11 + MUTATION_COST)
