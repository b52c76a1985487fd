"""The fragments a document's operations reach, each once, in the order they can be measured.

A fragment spread twice in each of 40 nested fragments is reached along 2**40 paths; the
limits and the cost walk each fragment once instead, after every fragment it spreads, and
reuse its result at each spread. The walk is iterative, so a long chain of fragments cannot
exhaust the stack. A spread of an unknown fragment, or one that closes a cycle (validation
reports both), is left out: measured there, it contributes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


def fragment_definitions(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The document's fragments by name (for a repeated name, the last, as graphql-core)."""
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def spread_names(selection_set: SelectionSetNode) -> Iterator[str]:
    """The names of the fragments spread anywhere in ``selection_set``, not entering them."""
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, (FieldNode, InlineFragmentNode)) and selection.selection_set:
                pending.append(selection.selection_set)


def fragments_in_dependency_order(
    fragments: Mapping[str, FragmentDefinitionNode], roots: Iterable[SelectionSetNode]
) -> list[FragmentDefinitionNode]:
    """The fragments reachable from ``roots``, each once, every one after those it spreads
    (except the spread that closes a cycle, which comes back to a fragment still open)."""
    order: list[FragmentDefinitionNode] = []
    reached: set[str] = set()
    # Depth-first, with the stack in hand: (the open fragment, the spreads left to follow).
    stack: list[tuple[FragmentDefinitionNode | None, Iterator[str]]] = [
        (None, spread_names(root)) for root in roots
    ]
    while stack:
        fragment, spreads = stack[-1]
        for name in spreads:
            if name not in reached and name in fragments:
                reached.add(name)
                stack.append((fragments[name], spread_names(fragments[name].selection_set)))
                break
        else:
            stack.pop()
            if fragment is not None:
                order.append(fragment)
    return order
