"""Which subscription documents may be executed once for a whole group of subscribers.

A document is shared when its answer for an event depends on the subscriber only through
the audience (what ``may_see_event`` and ``may_read_permit`` look at) and the language: a
trusted, valid subscription to ``travelPermitStatusChanged`` alone, taking at most the
``after`` cursor, selecting only fields that every member of the audience sees alike. The
fields of a person that depend on who asks (passports, family) keep a document out, and so
does anything else: such documents run the standard way, one execution per subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    validate,
    visit,
)

from resolvers.live_status import SUBSCRIPTION_FIELD
from security.document_identity import NormalizedHashes, document_hash, normalized_text

# Subscribe texts whose identity is remembered.
REMEMBERED_TEXTS = 1024

CURSOR_VARIABLE = "after"
# Types whose every field reads the same for every member of an audience.
_SHARED_TYPES = frozenset(
    {
        "Subscription",
        "PermitStatusEvent",
        "TravelPermit",
        "PermitStatusChange",
        "Reason",
        "Country",
        "LocalizedText",
    }
)
# A person's fields that do not depend on who asks (passports and family do).
_SHARED_PERSON_FIELDS = frozenset(
    {
        "__typename",
        "nationalId",
        "name",
        "birthDate",
        "birthDateHijri",
        "gender",
        "maritalStatus",
        "nationality",
    }
)
_PERSON_TYPES = frozenset({"Person", "Citizen", "Resident"})


@dataclass(frozen=True, slots=True)
class SharedDocument:
    """A subscription document that runs once per group: parsed, validated, named."""

    document: DocumentNode
    operation_name: str | None
    digest: str


class _SharedFieldsCheck(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.shared = True

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.type_info.get_parent_type()
        parent_name = get_named_type(parent).name if parent else ""
        field = node.name.value
        if parent_name in _PERSON_TYPES:
            self.shared = self.shared and field in _SHARED_PERSON_FIELDS
        elif parent_name not in _SHARED_TYPES:
            self.shared = False


def _shared_operation(schema: GraphQLSchema, document: DocumentNode) -> str | bool | None:
    """The operation's name if the document can be shared, else False."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.SUBSCRIPTION:
        return False
    operation = operations[0]
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return False
    root = selections[0]
    if root.name.value != SUBSCRIPTION_FIELD or root.directives:
        return False
    variables = [v.variable.name.value for v in operation.variable_definitions or ()]
    if any(name != CURSOR_VARIABLE for name in variables) or validate(schema, document):
        return False
    type_info = TypeInfo(schema)
    check = _SharedFieldsCheck(type_info)
    visit(document, TypeInfoVisitor(type_info, check))
    if not check.shared:
        return False
    return operation.name.value if operation.name else None


class SharedDocuments:
    """The trusted documents that qualify, by their identity (normalized hash), so a
    printed document is shared like the registered one."""

    def __init__(
        self,
        schema: GraphQLSchema,
        bodies: Iterable[str],
        *,
        hashes: NormalizedHashes | None = None,
    ) -> None:
        self.schema = schema
        self.hashes = hashes or NormalizedHashes(max_tokens=None, size=REMEMBERED_TEXTS)
        self._by_hash: dict[str, SharedDocument] = {}
        self.replace(bodies)

    def replace(self, bodies: Iterable[str]) -> None:
        """Share the qualifying documents among ``bodies`` from now on (others no more)."""
        by_hash: dict[str, SharedDocument] = {}
        for body in bodies:
            document = parse(body)
            name = _shared_operation(self.schema, document)
            if name is not False:
                digest = document_hash(normalized_text(document))
                by_hash[digest] = SharedDocument(
                    document, name if isinstance(name, str) else None, digest
                )
        self._by_hash = by_hash

    def __len__(self) -> int:
        return len(self._by_hash)

    def find(
        self, text: object, operation_name: object, variables: object
    ) -> SharedDocument | None:
        """The shared document this subscribe message runs, or None for the standard path."""
        if not isinstance(text, str):
            return None
        normalized_hash = self.hashes.of(text) if self._by_hash else None
        shared = self._by_hash.get(normalized_hash) if normalized_hash else None
        if shared is None:
            return None
        if operation_name is not None and operation_name != shared.operation_name:
            return None
        if variables is not None and not isinstance(variables, dict):
            return None
        cursor = (variables or {}).get(CURSOR_VARIABLE)
        if set(variables or {}) - {CURSOR_VARIABLE} or not isinstance(cursor, str | None):
            return None
        return shared
