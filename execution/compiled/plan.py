"""The plan of a trusted operation: what ``plan_compiler`` decides once per document and
``compiled_execution`` follows for every request.

For each response key of each concrete type a plan knows how the value is read (an
attribute, the resolver Strawberry would call, or the graphql-core field's own ``resolve``),
its arguments (literal ones coerced once) and how the value completes along its type
(non-null, list, leaf, object, abstract with one sub-plan per concrete type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    OperationType,
)

# graphql-core's internal: tests/test_library_internals.py
from graphql.execution.collect_fields import FieldDetails


class ValueSource:
    """How a field's value is obtained (see ``FieldPlan.source``)."""

    TYPENAME = 0  # the parent type's name
    ATTRIBUTE = 1  # a Strawberry field without a resolver: an attribute of the parent
    RESOLVER = 2  # a Strawberry resolver, called as Strawberry calls it
    FIELD_RESOLVE = 3  # the graphql-core field's own resolve function, with its info


@dataclass(slots=True)
class Completion:
    """How a resolved value becomes JSON, following the field's type (graphql-core's
    ``complete_value``): ``kind`` is one of the constants below."""

    NON_NULL = 0
    LIST = 1
    LEAF = 2
    OBJECT = 3
    ABSTRACT = 4

    kind: int
    type: GraphQLOutputType
    inner: Completion | None = None  # NON_NULL, LIST
    coerce: Callable[[Any], Any] | None = None  # LEAF
    fields: tuple[FieldPlan, ...] = ()  # OBJECT
    is_type_of: Callable[[Any, Any], Any] | None = None  # OBJECT
    resolve_type: Callable[..., Any] | None = None  # ABSTRACT
    by_type: dict[str, Completion] = field(default_factory=dict)  # ABSTRACT
    # OBJECT: its fields as one generated function (execution/compiled/codegen.py):
    # (run, source, path) -> the object's dict, or an awaitable of it.
    run_fields: Callable[[Any, Any, Any], Any] | None = None
    # LIST: the items' object completion when completing an item needs no type check.
    item_objects: Completion | None = None


@dataclass(slots=True)
class FieldPlan:
    """One response key of one concrete parent type."""

    response_key: str
    field_name: str
    parent_type: GraphQLObjectType
    definition: GraphQLField | None  # None for __typename
    field_details: list[FieldDetails]
    nodes: list[FieldNode]
    source: int
    completion: Completion
    attribute: str = ""  # ATTRIBUTE: the Python name
    getter: Callable[[Any, str], Any] | None = None  # ATTRIBUTE: Strawberry's default resolver
    strawberry_field: Any = None  # RESOLVER
    wants_info: str | None = None  # RESOLVER: name of the info parameter
    source_names: tuple[str, ...] = ()  # RESOLVER: root/parent parameter names
    passes_self: bool = False  # RESOLVER: the source is the first positional argument
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
    root: Completion
