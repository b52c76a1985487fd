"""Travel permits: finding one by ID, and what each permit field shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import strawberry

from datasources.records import (
    Country,
    PermitStatus,
    PermitStatusChange,
    Person,
    TravelPermit,
)
from errors import NotFound
from resolvers.access_log import record_access
from resolvers.authorization import may_read_permit
from resolvers.context import Info
from resolvers.family import Reason
from resolvers.global_ids import decode_global_id, encode_global_id

PERMIT_TYPE = "TravelPermit"


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: PermitStatus
    previous_status: PermitStatus | None
    reason: Reason | None
    at: datetime
    note: str | None


async def load_permit_for_viewer(info: Info, permit_key: str) -> TravelPermit:
    """The permit, if the viewer may read it; NOT_FOUND otherwise.

    A permit of another family is reported exactly like one that does not exist, so that
    nothing, not even its existence, leaks.
    """
    context = info.context
    context.viewer.require_person()
    permit = await context.loaders.permit_by_id.load(permit_key)
    if permit is None or not may_read_permit(context, permit):
        raise NotFound()
    record_access(info, permit.traveller_id)
    record_access(info, permit.guardian_id)
    return permit


async def resolve_travel_permit(info: Info, id: strawberry.ID) -> TravelPermit:
    type_name, key = decode_global_id(id)
    if type_name != PERMIT_TYPE:
        raise NotFound()
    return await load_permit_for_viewer(info, key)


async def resolve_node(info: Info, id: strawberry.ID) -> object:
    """Any object by its global ID; each type applies its own authorization."""
    type_name, key = decode_global_id(id)
    if type_name == PERMIT_TYPE:
        return await load_permit_for_viewer(info, key)
    raise NotFound()


def permit_global_id(root: TravelPermit) -> strawberry.ID:
    return strawberry.ID(encode_global_id(PERMIT_TYPE, root.id))


def status_reason(root: TravelPermit, info: Info) -> Reason | None:
    if root.status_reason is None:
        return None
    return Reason(code=root.status_reason, message=info.context.message(root.status_reason))


def destinations(root: TravelPermit, info: Info) -> list[Country]:
    """The destination countries; an empty list means every country."""
    countries = info.context.registries.countries
    return [country for code in root.destinations if (country := countries.get(code))]


def status_label(root: TravelPermit, info: Info) -> str:
    """The status as a person reads it, in the caller's language."""
    return info.context.message(f"STATUS_{root.status.value}")


def covers_all_countries(root: TravelPermit) -> bool:
    return not root.destinations


async def traveller(root: TravelPermit, info: Info) -> Person | None:
    record_access(info, root.traveller_id)
    return await info.context.loaders.person_by_national_id.load(root.traveller_id)


async def guardian(root: TravelPermit, info: Info) -> Person | None:
    record_access(info, root.guardian_id)
    return await info.context.loaders.person_by_national_id.load(root.guardian_id)


async def history(root: TravelPermit, info: Info) -> Sequence[StatusChange]:
    """Every status the permit went through, oldest first."""
    context = info.context
    changes: Sequence[PermitStatusChange] = await context.loaders.status_history_by_permit.load(
        root.id
    )
    return [
        StatusChange(
            status=change.status,
            previous_status=change.previous_status,
            reason=Reason(code=change.reason, message=context.message(change.reason))
            if change.reason
            else None,
            at=change.at,
            note=change.note,
        )
        for change in changes
    ]
