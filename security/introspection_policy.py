"""Who may look at the schema itself: everyone in demo mode; in production, operators and
partners only. Anonymous callers and person tokens get INTROSPECTION_DISABLED."""

from __future__ import annotations

from functools import lru_cache

from graphql import FieldNode, parse
from graphql.language import Visitor, visit

from security.viewer import CallerKind, Viewer


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


def may_introspect(viewer: Viewer) -> bool:
    return viewer.kind is CallerKind.PARTNER or viewer.is_operator
