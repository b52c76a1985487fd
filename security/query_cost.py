"""Static query cost, checked before execution: a ceiling per operation and a budget per
caller per minute (IBM's cost directive conventions, as Apollo Router and Hive use them).

Objects cost 1, scalars and enums 0; a list multiplies its elements' cost by its ``first``
argument or, without one, by ``DEFAULT_LIST_SIZE``; a connection's ``first`` sizes its
``edges``. Each root mutation field costs 10 more, those reached through fragments and
inline fragments too. The cost and what remains of the caller's budget come back in
``extensions.cost``, so clients can pace themselves.

``first`` is the value that will run: the literal, the variable's coerced value (its
default applied, an integral float made an int), or, without the argument, the schema
argument's default. One that is negative or not an integer is costed as
``UNKNOWN_LIST_SIZE``. Each fragment is costed once and reused at every spread, so the
estimate takes time linear in the document, however its fragments fan out.
"""

from __future__ import annotations

# graphql-core's coerce_default_value: tests/test_library_internals.py
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.utilities.coerce_input_value import coerce_default_value

from security.fragment_order import fragment_definitions, fragments_in_dependency_order
from security.operation_limits import measure_operation
from security.rate_limits import RateLimits, caller_key, spend_cost_budget
from security.viewer import Viewer

DEFAULT_LIST_SIZE = 10
MUTATION_COST = 10
# A ``first`` that is negative or not an integer says nothing of the list's size, and must
# not dodge the ceiling (as 0 would): it is costed as the largest list a GraphQL Int can ask
# for, so the operation is refused as too costly before any resolver sees it.
UNKNOWN_LIST_SIZE = 2**31 - 1


@dataclass(frozen=True, slots=True)
class SelectionCost:
    """The cost of a selection set, split by what a connection's ``first`` changes: the
    ``edges`` lists directly in a connection take their size from it, all else does not."""

    fixed: int
    # One element of each ``edges`` list, summed: multiplied by the connection's ``first``.
    per_edge: int
    # The ``edges`` lists sized by their own ``first`` (or the default), outside a connection.
    edges_alone: int

    def __add__(self, other: SelectionCost) -> SelectionCost:
        return SelectionCost(
            self.fixed + other.fixed,
            self.per_edge + other.per_edge,
            self.edges_alone + other.edges_alone,
        )

    def total(self, connection_first: int | None) -> int:
        """The cost, in a connection asking for ``connection_first`` edges (None: not in one)."""
        if connection_first is None:
            return self.fixed + self.edges_alone
        return self.fixed + self.per_edge * connection_first


FREE = SelectionCost(0, 0, 0)


def page_size(value: object) -> int:
    """The size ``value`` asks for as ``first``: itself when a natural number, else unknown."""
    if type(value) is int and value >= 0:  # a bool is no size
        return value
    return UNKNOWN_LIST_SIZE


class CostEstimator:
    """Costs one operation; each fragment once, against its type condition, reused at every
    spread (a fragment's cost does not depend on where it is spread, only on the ``first``
    of a connection it is spread directly in, which ``SelectionCost.total`` applies)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        variables: Mapping[str, object],
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.variable_defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        self.fragments: dict[str, SelectionCost] = {}

    def cost_fragments(self, document: DocumentNode, operation: OperationDefinitionNode) -> None:
        roots = [operation.selection_set]
        for fragment in fragments_in_dependency_order(fragment_definitions(document), roots):
            target = self.schema.get_type(fragment.type_condition.name.value)
            cost = self.selection_cost(target, fragment.selection_set)
            self.fragments[fragment.name.value] = cost

    def selection_cost(self, parent: Any, selections: SelectionSetNode | None) -> SelectionCost:
        total = FREE
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                # Unknown, or closing a cycle (validation refuses both): costs nothing here.
                total += self.fragments.get(selection.name.value, FREE)
        return total

    def field_cost(self, parent: Any, node: FieldNode) -> SelectionCost:
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None:  # __typename and the like
            return FREE
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        named = get_named_type(field_type)
        if not is_composite_type(named):
            return FREE
        first = self.first(node, definition)
        is_connection = isinstance(named, GraphQLObjectType) and "edges" in named.fields
        inner = self.selection_cost(named, node.selection_set)
        each = 1 + inner.total(first if is_connection else None)
        if not isinstance(field_type, GraphQLList):
            return SelectionCost(each, 0, 0)
        size = first if first is not None else DEFAULT_LIST_SIZE
        if node.name.value == "edges":
            return SelectionCost(0, each, size * each)
        return SelectionCost(size * each, 0, 0)

    def first(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The ``first`` the field is asked with, or None when it names no size at all."""
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if argument is not None:
            if not isinstance(argument.value, VariableNode):
                return self.literal_size(argument.value)
            name = argument.value.name.value
            if name in self.variables:
                return page_size(self.variables[name])
            if name in self.variable_defaults:  # variables not coerced: as coercion would
                return self.literal_size(self.variable_defaults[name])
            # A variable without a value leaves the argument out (GraphQL's coercion).
        schema_argument = definition.args.get("first")
        # As execution reads it: Strawberry sets ``default_value``, the SDL ``default``.
        default = coerce_default_value(schema_argument) if schema_argument else Undefined
        if default is Undefined or default is None:
            return None
        return page_size(default)

    @staticmethod
    def literal_size(value: ValueNode) -> int:
        return page_size(int(value.value)) if isinstance(value, IntValueNode) else UNKNOWN_LIST_SIZE


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, object],
) -> int:
    """The cost of ``operation``, with ``variables`` as graphql-core coerced them (defaults
    applied, an integral float made an int)."""
    estimator = CostEstimator(schema, operation, variables)
    estimator.cost_fragments(document, operation)
    root = schema.get_root_type(operation.operation)
    cost = estimator.selection_cost(root, operation.selection_set).total(None)
    if operation.operation is OperationType.MUTATION:
        # Root fields reached through fragments and inline fragments pay their share too.
        cost += MUTATION_COST * measure_operation(document, operation).root_fields
    return cost


async def spend_cost(limits: RateLimits, viewer: Viewer, cost: int, report: dict[str, Any]) -> None:
    """Spend ``cost`` from the caller's budget and add what remains of it to ``report``."""
    remaining, reset_in = await spend_cost_budget(limits, caller_key(viewer), cost=cost)
    report.update(remaining=remaining, resetInSeconds=reset_in)
