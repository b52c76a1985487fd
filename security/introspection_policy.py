"""Who may look at the schema itself: everyone in demo mode; in production, operators and
partners only. Anonymous callers and person tokens get INTROSPECTION_DISABLED."""

from __future__ import annotations

from graphql import DocumentNode, FieldNode
from graphql.language import Visitor, visit

from security.viewer import CallerKind, Viewer


class _IntrospectionFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_: object) -> None:
        if node.name.value.startswith("__") and node.name.value != "__typename":
            self.found = True


def selects_the_schema(document: DocumentNode) -> bool:
    """True when the document selects ``__schema`` or ``__type`` anywhere."""
    finder = _IntrospectionFinder()
    visit(document, finder)
    return finder.found


def may_introspect(viewer: Viewer) -> bool:
    return viewer.kind is CallerKind.PARTNER or viewer.is_operator
