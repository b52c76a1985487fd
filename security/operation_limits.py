"""Limits every operation must keep, checked before anything runs: depth, aliases,
directives and root fields (the token limit is graphql-core's parser ``max_tokens``).

``measure_operation`` measures an operation in time linear in the document's size: each
fragment is measured once, after the fragments it spreads, and its measures are added at
every spread. Counts are plain integers, so a fan-out of 40 fragments, each spreading the
next twice, counts its 2**40 aliases exactly, and is refused, in microseconds.
``limit_errors`` turns measures above the limits into coded errors. The admission pipeline
(``pipeline/limits.py``) measures each operation once and keeps the verdict with the parsed
document.
"""

from __future__ import annotations

# graphql-core's words for the token limit: tests/test_library_internals.py
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from security.fragment_order import fragment_definitions, fragments_in_dependency_order
from settings import Settings


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """The limits of one operation; every value comes from ``settings.Settings``."""

    max_depth: int
    max_aliases: int
    max_tokens: int
    max_directives: int
    max_root_fields: int

    @classmethod
    def from_settings(cls, settings: Settings) -> OperationLimits:
        return cls(
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_directives=settings.max_directives,
            max_root_fields=settings.max_root_fields,
        )


@dataclass(frozen=True, slots=True)
class OperationMeasures:
    """What an operation asks for, fragments counted as many times as they are spread.

    A fragment has measures too: what an operation gains where it is spread at the root.
    """

    # Nested selections as Strawberry's QueryDepthLimiter counts them: each field with a
    # selection set is one level, a leaf none; fragments and inline fragments add no level;
    # an introspection field (``__schema``, ``__type``) and all below it count nothing.
    depth: int
    aliases: int
    directives: int
    # Fields at the top level, reached directly or through fragments and inline fragments.
    root_fields: int

    def __add__(self, other: OperationMeasures) -> OperationMeasures:
        """Both selections side by side: the deeper depth, every count summed."""
        return OperationMeasures(
            depth=max(self.depth, other.depth),
            aliases=self.aliases + other.aliases,
            directives=self.directives + other.directives,
            root_fields=self.root_fields + other.root_fields,
        )


NOTHING = OperationMeasures(depth=0, aliases=0, directives=0, root_fields=0)


def directives_alone(count: int) -> OperationMeasures:
    return OperationMeasures(depth=0, aliases=0, directives=count, root_fields=0)


def measure_selection_set(
    selection_set: SelectionSetNode, fragments: dict[str, OperationMeasures]
) -> OperationMeasures:
    """The measures of ``selection_set``, taking each spread's from ``fragments`` (a fragment
    missing there, unknown or closing a cycle, adds nothing)."""
    total = NOTHING
    for selection in selection_set.selections:
        directives = len(selection.directives or ())
        if isinstance(selection, FieldNode):
            inner = NOTHING
            if selection.selection_set is not None:
                inner = measure_selection_set(selection.selection_set, fragments)
            introspection = selection.name.value.startswith("__")
            levels = 0 if introspection or selection.selection_set is None else 1 + inner.depth
            measures = OperationMeasures(
                depth=levels,
                aliases=inner.aliases + (selection.alias is not None),
                directives=inner.directives + directives,
                root_fields=1,
            )
        elif isinstance(selection, InlineFragmentNode):
            measures = measure_selection_set(selection.selection_set, fragments)
            measures += directives_alone(directives)
        elif isinstance(selection, FragmentSpreadNode):
            measures = fragments.get(selection.name.value, NOTHING) + directives_alone(directives)
        else:
            continue
        total += measures
    return total


def measure_fragments(
    document: DocumentNode, operations: list[OperationDefinitionNode]
) -> dict[str, OperationMeasures]:
    """The measures of every fragment ``operations`` reach, each fragment measured once."""
    measured: dict[str, OperationMeasures] = {}
    roots = [operation.selection_set for operation in operations]
    for fragment in fragments_in_dependency_order(fragment_definitions(document), roots):
        measures = measure_selection_set(fragment.selection_set, measured)
        measured[fragment.name.value] = measures + directives_alone(len(fragment.directives or ()))
    return measured


def measure_with(
    operation: OperationDefinitionNode, fragments: dict[str, OperationMeasures]
) -> OperationMeasures:
    """The measures of ``operation`` given those of its fragments."""
    own_directives = len(operation.directives or ()) + sum(
        len(variable.directives or ()) for variable in operation.variable_definitions or ()
    )
    return measure_selection_set(operation.selection_set, fragments) + directives_alone(
        own_directives
    )


def measure_operation(
    document: DocumentNode, operation: OperationDefinitionNode
) -> OperationMeasures:
    """Depth, aliases, directives and root fields of ``operation`` in ``document``."""
    return measure_with(operation, measure_fragments(document, [operation]))


def operation_label(operation: OperationDefinitionNode) -> str:
    return operation.name.value if operation.name else "anonymous"


def limit_errors(
    measures: OperationMeasures, limits: OperationLimits, operation: OperationDefinitionNode
) -> list[GraphQLError]:
    """One coded error per limit ``measures`` exceed, in the words of the rules before them
    (Strawberry's for depth and aliases); the catalog localizes them by code."""
    exceeded = []
    if measures.depth > limits.max_depth:
        message = f"'{operation_label(operation)}' exceeds maximum operation depth of "
        exceeded.append((message + str(limits.max_depth), "MAX_DEPTH_EXCEEDED"))
    if measures.aliases > limits.max_aliases:
        message = f"{measures.aliases} aliases found. Allowed: {limits.max_aliases}"
        exceeded.append((message, "MAX_ALIASES_EXCEEDED"))
    if measures.directives > limits.max_directives:
        message = f"More than {limits.max_directives} directives."
        exceeded.append((message, "MAX_DIRECTIVES_EXCEEDED"))
    if measures.root_fields > limits.max_root_fields:
        message = f"More than {limits.max_root_fields} root fields."
        exceeded.append((message, "MAX_ROOT_FIELDS_EXCEEDED"))
    return [
        GraphQLError(message, operation, extensions={"code": code}) for message, code in exceeded
    ]


def limit_error_code(message: str) -> str | None:
    """The code of a limit error graphql-core raises without one (the parser's token limit)."""
    if "tokens. Parsing aborted" in message:
        return "MAX_TOKENS_EXCEEDED"
    return None
