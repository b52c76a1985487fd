"""Static query cost, checked before execution: a ceiling per operation and a budget per
caller per minute (IBM's cost directive conventions, as Apollo Router and Hive use them).

Objects cost 1, scalars and enums 0; a list multiplies its elements' cost by its ``first``
argument or, without one, by ``DEFAULT_LIST_SIZE``; a connection's ``first`` sizes its
``edges``. Each root mutation field costs 10 more. The cost and what remains of the
caller's budget come back in ``extensions.cost``, so clients can pace themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from security.rate_limits import RateLimits, caller_key, spend_cost_budget
from security.viewer import Viewer

DEFAULT_LIST_SIZE = 10
MUTATION_COST = 10


def _first(field: FieldNode, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode) and isinstance(variables.get(value.name.value), int):
            return int(variables[value.name.value])
    return None


class CostEstimator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def selection_cost(
        self,
        parent: GraphQLNamedType | None,
        selections: SelectionSetNode | None,
        sized: int | None = None,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                total += self.field_cost(parent, selection, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(target, selection.selection_set, sized, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_cost(
                        target, fragment.selection_set, sized, seen | {name}
                    )
        return total

    def field_cost(
        self, parent: GraphQLNamedType | None, node: FieldNode, sized: int | None
    ) -> int:
        # Only object and interface types have fields to select; a union's are its members'.
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename and the like
            return 0
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        named = get_named_type(field_type)
        if not is_composite_type(named):
            return 0
        first = _first(node, self.variables)
        is_connection = isinstance(named, GraphQLObjectType) and "edges" in named.fields
        inner = self.selection_cost(named, node.selection_set, first if is_connection else None)
        if isinstance(field_type, GraphQLList):
            size = (
                sized
                if node.name.value == "edges" and sized is not None
                else (first if first is not None else DEFAULT_LIST_SIZE)
            )
            return max(size, 0) * (1 + inner)
        return 1 + inner


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if o.name and o.name.value == operation_name),
        operations[0] if operations else None,
    )
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    estimator = CostEstimator(schema, fragments, variables or {})
    cost = estimator.selection_cost(root, operation.selection_set)
    if operation.operation is OperationType.MUTATION:
        cost += MUTATION_COST * len(operation.selection_set.selections)
    return cost


async def spend_cost(limits: RateLimits, viewer: Viewer, cost: int, report: dict[str, Any]) -> None:
    """Spend ``cost`` from the caller's budget and add what remains of it to ``report``."""
    remaining, reset_in = await spend_cost_budget(limits, caller_key(viewer), cost=cost)
    report.update(remaining=remaining, resetInSeconds=reset_in)
