"""Who may look at the schema itself: everyone in demo mode; in production, operators and
partners only. Anonymous callers and person tokens get INTROSPECTION_DISABLED."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import FieldNode, GraphQLError, parse
from graphql.language import Visitor, visit
from strawberry.extensions import SchemaExtension

from resolvers.context import Context
from security.viewer import CallerKind


class _IntrospectionFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.name.value.startswith("__") and node.name.value != "__typename":
            self.found = True


@lru_cache(maxsize=1024)
def asks_for_the_schema(query: str) -> bool:
    """True when the document selects ``__schema`` or ``__type`` anywhere."""
    finder = _IntrospectionFinder()
    visit(parse(query, max_tokens=10_000), finder)
    return finder.found


def may_introspect(context: Context) -> bool:
    viewer = context.viewer
    return viewer.kind is CallerKind.PARTNER or viewer.is_operator


class IntrospectionPolicy(SchemaExtension):
    """Refuses introspection to callers who may not see the schema (production mode)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        query = self.execution_context.query
        if (
            isinstance(context, Context)
            and query
            and not may_introspect(context)
            and asks_for_the_schema(query)
        ):
            refusal = GraphQLError(
                "Introspection is disabled.", extensions={"code": "INTROSPECTION_DISABLED"}
            )
            self.execution_context.pre_execution_errors = [
                *(self.execution_context.pre_execution_errors or []),
                refusal,
            ]
        yield
