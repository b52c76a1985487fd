"""The plan of a trusted operation: what ``plan_compiler`` decides once per document and
``compiled_execution`` follows for every request.

For each response key of each concrete type a plan knows how the value is read (an
attribute, the resolver Strawberry would call, or the graphql-core field's own ``resolve``),
its arguments (literal ones coerced once) and how the value completes along its type
(non-null, list, leaf, object, abstract with one sub-plan per concrete type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLField,
    GraphQLIsTypeOfFn,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLTypeResolver,
    OperationDefinitionNode,
    OperationType,
)

# graphql-core's internal: tests/test_library_internals.py
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.types.field import StrawberryField
from strawberry.types.fields.resolver import StrawberryResolver

if TYPE_CHECKING:
    from execution.compiled.runner import CompiledRun


class ValueSource:
    """How a field's value is obtained (see ``FieldPlan.source``)."""

    TYPENAME = 0  # the parent type's name
    ATTRIBUTE = 1  # a Strawberry field without a resolver: an attribute of the parent
    RESOLVER = 2  # a Strawberry resolver, called as Strawberry calls it
    FIELD_RESOLVE = 3  # the graphql-core field's own resolve function, with its info


# A generated object function (execution/compiled/codegen.py): (run, source, path) -> the
# object's dict, or an awaitable of it. The source is whatever the parent's resolver returned.
FieldsFunction = Callable[["CompiledRun", Any, Path | None], Any]


def fields_not_generated(run: CompiledRun, source: Any, path: Path | None) -> Any:
    """An object completion's function until ``generate_plan_functions`` replaces it."""
    raise RuntimeError("a plan runs only once its object functions are generated")


# How a resolved value becomes JSON, following the field's type (graphql-core's
# ``complete_value``): one kind of completion per kind of type.


@dataclass(slots=True)
class NonNullCompletion:
    type: GraphQLNonNull[Any]
    inner: Completion


@dataclass(slots=True)
class ListCompletion:
    type: GraphQLList[Any]
    inner: Completion
    # The items' object completion when completing an item needs no type check.
    item_objects: ObjectCompletion | None = None


@dataclass(slots=True)
class LeafCompletion:
    type: GraphQLLeafType
    coerce: Callable[[Any], Any]


@dataclass(slots=True)
class ObjectCompletion:
    type: GraphQLObjectType
    fields: tuple[FieldPlan, ...]
    is_type_of: GraphQLIsTypeOfFn | None
    # Its fields as one generated function.
    run_fields: FieldsFunction = fields_not_generated


@dataclass(slots=True)
class AbstractCompletion:
    type: GraphQLAbstractType
    resolve_type: GraphQLTypeResolver | None
    by_type: dict[str, ObjectCompletion]  # one per possible type, by name


Completion = (
    NonNullCompletion | ListCompletion | LeafCompletion | ObjectCompletion | AbstractCompletion
)


@dataclass(frozen=True, slots=True)
class ResolverCall:
    """How Strawberry calls a field's resolver (``ValueSource.RESOLVER``)."""

    field: StrawberryField
    resolver: StrawberryResolver[Any]
    wants_info: str | None  # name of the info parameter
    source_names: tuple[str, ...]  # root/parent parameter names
    passes_self: bool  # the source is the first positional argument


@dataclass(slots=True)
class FieldPlan:
    """One response key of one concrete parent type."""

    response_key: str
    field_name: str
    parent_type: GraphQLObjectType
    definition: GraphQLField  # graphql-core's own for __typename
    field_details: list[FieldDetails]
    nodes: list[FieldNode]
    source: int
    completion: Completion
    attribute: str = ""  # ATTRIBUTE: the Python name
    # ATTRIBUTE: Strawberry's default resolver (``getattr`` unless configured otherwise)
    getter: Callable[[Any, str], Any] = getattr
    call: ResolverCall | None = None  # RESOLVER
    passthrough: type | None = None  # ATTRIBUTE leaf whose values of this type pass as they are
    nullable: bool = True
    needs_info: bool = False  # its resolver or its type checks (is_type_of...) read info
    has_arguments: bool = False
    literal_arguments: dict[str, Any] | None = None  # coerced once, when no variable is used


@dataclass(slots=True)
class OperationPlan:
    """A trusted operation, ready to run without graphql-core's per-field machinery."""

    name: str | None
    document: DocumentNode
    operation: OperationDefinitionNode
    operation_type: OperationType
    fragment_definitions: dict[str, FragmentDefinitionNode]
    root: ObjectCompletion
