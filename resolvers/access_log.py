"""The access audit: recording who reads a person's data, and showing a person their log.

Any read of a person's data by someone other than that person is recorded once per request:
by a guardian, an operator or a partner (and a person's own changes). What is recorded is
what the gateway knows, never what the caller says: the operation is the registered name of
the trusted document that ran, or "ad hoc" (a caller names its own operations as it likes);
the purpose is the scopes that let the reader read other people's data.

The person sees who read as an organisation or a relation ("your guardian", a partner's
registered name, "Passports agency operator"), the purpose and when; never an operator's or
another person's name or address. Operators see the whole entry with ``gateway audit``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from datasources.gateway_store.access_audit import AccessRecord
from datasources.records import LocalizedText
from resolvers.context import Context, Info
from resolvers.pagination import Connection, sequence_connection, sequence_page
from security.viewer import CallerKind, Viewer

# The operation recorded for an ad hoc document (one that is not a registered trusted
# document); shown as the localized AD_HOC_QUERY.
AD_HOC_OPERATION = ""

# The scopes that let a caller read other people's data, each with the message that tells
# a person what it is for. A partner's scopes are registered with its key by the agency
# (`gateway partner create --scope`); an operator's come with their sign-in.
PURPOSE_MESSAGES = {
    "permits:verify": "PURPOSE_PERMITS_VERIFY",
    "permits:watch-all": "PURPOSE_PERMITS_WATCH_ALL",
}


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


def purpose_of(viewer: Viewer) -> str | None:
    """The scopes the viewer holds that let it read others' data; None when it needs none."""
    return " ".join(sorted(viewer.scopes & PURPOSE_MESSAGES.keys())) or None


def record_access(info: Info, subject_id: str) -> None:
    """Note that the viewer read ``subject_id``'s data in this operation (once per request)."""
    if info.context.viewer.national_id == subject_id:
        return
    record_change(info, subject_id)


def record_change(info: Info, subject_id: str) -> None:
    """Record an access to ``subject_id``'s data, also by that person (for changes)."""
    record_access_by(info.context, subject_id)


def record_access_by(context: Context, subject_id: str) -> None:
    """Record that the viewer of ``context`` read ``subject_id``'s data in its operation."""
    viewer = context.viewer
    if not viewer.is_authenticated:
        return
    operation = context.document_name or AD_HOC_OPERATION
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
            purpose=purpose_of(viewer),
        )
    )


@dataclass(frozen=True, slots=True)
class DataAccess:
    """One entry as its subject sees it: nothing of the reader's own identity but a partner's
    registered name (``accessor_id`` only tells the relation of a person who read)."""

    at: datetime
    accessor_kind: AccessorKind
    subject_id: str
    accessor_id: str
    accessor_name: str
    operation: str
    purpose: str | None


def localized(context: Context, code: str) -> LocalizedText:
    messages = context.registries.messages
    return LocalizedText(ar=messages.message(code, "ar"), en=messages.message(code, "en"))


async def accessor_name(root: DataAccess, info: Info) -> LocalizedText:
    """The partner's registered name, "Passports agency operator", or the reader's relation."""
    context = info.context
    if root.accessor_kind is AccessorKind.PARTNER:
        return LocalizedText(ar=root.accessor_name, en=root.accessor_name)
    if root.accessor_kind is AccessorKind.OPERATOR:
        return localized(context, "ACCESSOR_OPERATOR")
    return localized(context, await relation_code(context, root.subject_id, root.accessor_id))


async def relation_code(context: Context, subject_id: str, accessor_id: str) -> str:
    """How the person who read is related to the subject, as the civil registry says now."""
    if accessor_id == subject_id:
        return "ACCESSOR_SELF"
    dependents_of = context.loaders.dependents_by_guardian
    if any(link.person.national_id == subject_id for link in await dependents_of.load(accessor_id)):
        return "ACCESSOR_GUARDIAN"
    if any(link.person.national_id == accessor_id for link in await dependents_of.load(subject_id)):
        return "ACCESSOR_DEPENDENT"
    # A person reads someone else's data only through a family link (a guardian's page, a
    # permit naming both); one since ended leaves this.
    return "ACCESSOR_FAMILY"


def purpose(root: DataAccess, info: Info) -> LocalizedText | None:
    """What the reader's rights are for; None for family, whose relation says it."""
    if root.purpose is None:
        return None
    codes = [PURPOSE_MESSAGES[scope] for scope in root.purpose.split() if scope in PURPOSE_MESSAGES]
    if not codes:
        return None
    parts = [localized(info.context, code) for code in codes]
    return LocalizedText(
        ar="، ".join(part.ar for part in parts), en="; ".join(part.en for part in parts)
    )


def withheld_address(root: DataAccess) -> str | None:
    """Always null: a reader's address is not shown to the person whose data was read."""
    return None


async def my_data_access_log(
    info: Info, first: int = 20, after: str | None = None
) -> Connection[DataAccess]:
    context = info.context
    subject_id = context.viewer.require_person()
    page_size, before_id = sequence_page(first, after, limit=context.policy.permit_page_size_limit)
    entries, total, has_next = await context.store.audit.entries_for(
        subject_id, first=page_size, before_id=before_id
    )
    ad_hoc = context.message("AD_HOC_QUERY")
    nodes = [
        DataAccess(
            at=entry.record.at,
            accessor_kind=AccessorKind(entry.record.accessor_kind),
            subject_id=subject_id,
            accessor_id=entry.record.accessor_id,
            accessor_name=entry.record.accessor_name,
            operation=entry.record.operation or ad_hoc,
            purpose=entry.record.purpose,
        )
        for entry in entries
    ]
    return sequence_connection(
        nodes, [entry.id for entry in entries], total_count=total, has_next_page=has_next,
        after=after is not None,
    )  # fmt: skip
