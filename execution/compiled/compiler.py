"""Compiling a trusted document into a plan that resolves exactly its selections.

graphql-core decides, for every field of every object of every request, which fields to
collect, which resolver to call, how to coerce arguments and how to complete the value.
For a document known at start-up all of that is fixed, so it is decided once here:

- fields are collected per concrete type with graphql-core's own ``collect_fields``
  (fragments flattened, literal ``@skip``/``@include`` applied), in graphql-core's order;
- each field knows how its value is read: a plain attribute for a Strawberry field without
  a resolver, the resolver Strawberry would call otherwise (with the same arguments), or the
  graphql-core field's own ``resolve`` for anything else;
- literal arguments are coerced once; only arguments naming variables are coerced per request;
- each return type is a small tree of completions (non-null, list, leaf, object, abstract).

``compiled_plan`` holds the plan; ``compiled_execution`` runs it. Operations this module
cannot compile exactly (introspection, variable-driven directives, subscriptions) are left
to the standard path.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import strawberry
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    Node,
    OperationDefinitionNode,
    OperationType,
    TypeNameMetaFieldDef,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)

# graphql-core's and Strawberry's internals used here: tests/test_library_internals.py
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import Visitor, visit

from execution.compiled.plan import (
    AbstractCompletion,
    Completion,
    FieldPlan,
    LeafCompletion,
    ListCompletion,
    NonNullCompletion,
    ObjectCompletion,
    OperationPlan,
    ResolverCall,
    ValueSource,
)
from execution.schema import graphql_schema_of

logger = logging.getLogger("bawaba.compiled_execution")

STRAWBERRY_DEFINITION = "strawberry-definition"
NO_VARIABLES = VariableValues({}, {})
# Built-in scalars whose output coercion returns a value of this exact type unchanged.
_PASSTHROUGH: dict[int, type] = {
    id(GraphQLString): str,
    id(GraphQLID): str,
    id(GraphQLBoolean): bool,
}


class NotCompilable(Exception):
    """Raised while compiling when a document needs the standard path to stay exact."""


class _UsesVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, *_: object) -> None:
        self.found = True


def _uses_variables(node: Node) -> bool:
    finder = _UsesVariables()
    visit(node, finder)
    return finder.found


class _StaticSelectionCheck(Visitor):
    """Refuses what would make the selections differ per request, or need introspection."""

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        if node.name.value not in ("skip", "include") or _uses_variables(node):
            raise NotCompilable(f"directive @{node.name.value}")

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.name.value.startswith("__") and node.name.value != "__typename":
            raise NotCompilable("introspection")


class PlanCompiler:
    """Builds the plan of one operation against the graphql-core schema Strawberry built."""

    def __init__(self, strawberry_schema: strawberry.Schema, document: DocumentNode) -> None:
        self.strawberry_schema = strawberry_schema
        self.schema: GraphQLSchema = graphql_schema_of(strawberry_schema)
        self.document = document
        self.fragment_definitions = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        if any(d.variable_definitions for d in self.fragment_definitions.values()):
            raise NotCompilable("fragment variables")
        self.fragments = {
            name: FragmentDetails(definition, None)
            for name, definition in self.fragment_definitions.items()
        }

    def compile(self, operation: OperationDefinitionNode) -> OperationPlan:
        if operation.operation is OperationType.SUBSCRIPTION:
            raise NotCompilable("subscriptions stream on the standard path")
        self._refuse_dynamic_directives(operation)
        root_type = self.schema.get_root_type(operation.operation)
        if root_type is None:
            raise NotCompilable("no root type")
        grouped, _defers, _forbidden = collect_fields(
            self.schema, self.fragments, NO_VARIABLES, root_type, operation
        )
        self.operation = operation
        root = ObjectCompletion(root_type, self._field_plans(root_type, grouped), is_type_of=None)
        return OperationPlan(
            name=operation.name.value if operation.name else None,
            document=self.document,
            operation=operation,
            operation_type=operation.operation,
            fragment_definitions=self.fragment_definitions,
            root=root,
        )

    def _refuse_dynamic_directives(self, operation: OperationDefinitionNode) -> None:
        for node in (operation, *self.fragment_definitions.values()):
            visit(node, _StaticSelectionCheck())

    def _field_plans(
        self, parent_type: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]
    ) -> tuple[FieldPlan, ...]:
        plans = []
        for response_key, details in grouped.items():
            plan = self._field_plan(parent_type, response_key, details)
            if plan is not None:
                plans.append(plan)
        return tuple(plans)

    def _field_plan(
        self, parent_type: GraphQLObjectType, response_key: str, details: list[FieldDetails]
    ) -> FieldPlan | None:
        node = details[0].node
        name = node.name.value
        nodes = [d.node for d in details]
        if name == "__typename":
            return FieldPlan(
                response_key, name, parent_type, TypeNameMetaFieldDef, details, nodes,
                ValueSource.TYPENAME, self._completion(TypeNameMetaFieldDef.type, details),
            )  # fmt: skip
        definition = parent_type.fields.get(name)
        if definition is None:  # graphql-core skips unknown fields the same way
            return None
        completion = self._completion(definition.type, details)
        plan = FieldPlan(
            response_key, name, parent_type, definition, details, nodes,
            ValueSource.FIELD_RESOLVE, completion,
        )  # fmt: skip
        plan.has_arguments = bool(definition.args or node.arguments)
        if plan.has_arguments and not _uses_variables(node):
            try:
                plan.literal_arguments = get_argument_values(definition, node, NO_VARIABLES)
            except GraphQLError:
                plan.literal_arguments = None  # raised again per request, as graphql-core does
        self._choose_source(plan, definition)
        plan.needs_info = plan.source != ValueSource.ATTRIBUTE or _checks_type(completion)
        plan.nullable = not isinstance(completion, NonNullCompletion)
        leaf = completion.inner if isinstance(completion, NonNullCompletion) else completion
        if plan.source == ValueSource.ATTRIBUTE:
            plan.passthrough = _PASSTHROUGH.get(id(leaf.type))
        return plan

    def _choose_source(self, plan: FieldPlan, definition: GraphQLField) -> None:
        strawberry_field = (definition.extensions or {}).get(STRAWBERRY_DEFINITION)
        if strawberry_field is None or strawberry_field.extensions:
            return
        converter = self.strawberry_schema.schema_converter
        if converter._get_field_exception_handlers(strawberry_field):
            return
        resolver = strawberry_field.base_resolver
        if resolver is None:
            plan.source = ValueSource.ATTRIBUTE
            plan.attribute = strawberry_field.python_name
            plan.getter = strawberry_field.default_resolver
            return
        plan.source = ValueSource.RESOLVER
        plan.call = ResolverCall(
            field=strawberry_field,
            resolver=resolver,
            wants_info=resolver.info_parameter.name if resolver.info_parameter else None,
            source_names=tuple(
                parameter.name
                for parameter in (resolver.parent_parameter, resolver.root_parameter)
                if parameter is not None
            ),
            passes_self=resolver.self_parameter is not None,
        )

    def _completion(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> Completion:
        if is_non_null_type(type_):
            assert isinstance(type_, GraphQLNonNull)
            return NonNullCompletion(type_, self._completion(type_.of_type, details))
        if is_list_type(type_):
            assert isinstance(type_, GraphQLList)
            inner = self._completion(type_.of_type, details)
            return ListCompletion(type_, inner)
        if is_leaf_type(type_):
            assert isinstance(type_, GraphQLLeafType)
            return LeafCompletion(type_, type_.coerce_output_value)
        if is_abstract_type(type_):
            assert isinstance(type_, GraphQLAbstractType)
            by_type = {
                possible.name: self._object_completion(possible, details)
                for possible in self.schema.get_possible_types(type_)
            }
            return AbstractCompletion(type_, type_.resolve_type, by_type)
        if is_object_type(type_):
            assert isinstance(type_, GraphQLObjectType)
            return self._object_completion(type_, details)
        raise NotCompilable(f"type {type_}")

    def _object_completion(
        self, type_: GraphQLObjectType, details: list[FieldDetails]
    ) -> ObjectCompletion:
        grouped, _defers, _forbidden = collect_subfields(
            self.schema, self.fragments, NO_VARIABLES, self.operation, type_, details
        )
        return ObjectCompletion(type_, self._field_plans(type_, grouped), type_.is_type_of)


def _checks_type(completion: Completion) -> bool:
    """True when completing a value calls ``is_type_of`` or ``resolve_type`` with an info."""
    while isinstance(completion, NonNullCompletion | ListCompletion):
        completion = completion.inner
    if isinstance(completion, AbstractCompletion):
        return True
    return isinstance(completion, ObjectCompletion) and completion.is_type_of is not None
