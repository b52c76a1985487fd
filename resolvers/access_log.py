"""The access audit: recording who reads a person's data, and showing a person their log.

Any read of a person's data by someone other than that person is recorded once per request
and operation: by a guardian, an operator or a partner. Reads of one's own data are not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from datasources.gateway_store.access_audit import AccessRecord
from datasources.records import LocalizedText
from resolvers.context import Context, Info
from resolvers.pagination import Connection, sequence_connection, sequence_page
from security.viewer import CallerKind


class AccessorKind(enum.StrEnum):
    """Who read a person's data: a person (a guardian), an operator, or a partner."""

    PERSON = "PERSON"
    OPERATOR = "OPERATOR"
    PARTNER = "PARTNER"


def accessor_kind(context: Context) -> str:
    viewer = context.viewer
    if viewer.kind is CallerKind.PARTNER:
        return "PARTNER"
    return "OPERATOR" if viewer.is_operator else "PERSON"


def record_access(info: Info, subject_id: str) -> None:
    """Note that the viewer read ``subject_id``'s data in this operation (once per request)."""
    if info.context.viewer.national_id == subject_id:
        return
    record_change(info, subject_id)


def record_change(info: Info, subject_id: str) -> None:
    """Record an access to ``subject_id``'s data, also by that person (for changes)."""
    operation = info.operation.name.value if info.operation.name else info.field_name
    record_access_by(info.context, subject_id, operation)


def record_access_by(context: Context, subject_id: str, operation: str) -> None:
    """Record that the viewer of ``context`` read ``subject_id``'s data in ``operation``."""
    viewer = context.viewer
    if not viewer.is_authenticated:
        return
    if (subject_id, operation) in context.recorded_accesses:
        return
    context.recorded_accesses.add((subject_id, operation))
    context.store.audit.record(
        AccessRecord(
            subject_id=subject_id,
            accessor_kind=accessor_kind(context),
            accessor_id=viewer.partner_id or viewer.national_id or "",
            accessor_name=viewer.partner_name or "",
            operation=operation[:100],
            client_address=viewer.client_address[:64],
            at=context.now(),
        )
    )


@dataclass(frozen=True, slots=True)
class DataAccess:
    at: datetime
    accessor_kind: AccessorKind
    accessor_id: str
    accessor_name: str
    operation: str
    client_address: str


async def accessor_name(root: DataAccess, info: Info) -> LocalizedText | None:
    """The partner's name, or the person's name from the civil registry."""
    if root.accessor_kind == "PARTNER":
        return LocalizedText(ar=root.accessor_name, en=root.accessor_name)
    person = await info.context.loaders.person_by_national_id.load(root.accessor_id)
    return person.name if person else None


async def my_data_access_log(
    info: Info, first: int = 20, after: str | None = None
) -> Connection[DataAccess]:
    context = info.context
    subject_id = context.viewer.require_person()
    page_size, before_id = sequence_page(first, after, limit=context.policy.permit_page_size_limit)
    entries, total, has_next = await context.store.audit.entries_for(
        subject_id, first=page_size, before_id=before_id
    )
    nodes = [
        DataAccess(
            at=entry.record.at,
            accessor_kind=AccessorKind(entry.record.accessor_kind),
            accessor_id=entry.record.accessor_id,
            accessor_name=entry.record.accessor_name,
            operation=entry.record.operation,
            client_address=entry.record.client_address,
        )
        for entry in entries
    ]
    return sequence_connection(
        nodes, [entry.id for entry in entries], total_count=total, has_next_page=has_next,
        after=after is not None,
    )  # fmt: skip
