"""Permit status changes inside the passports agency's registry: the state machine's writes.

A transition is one conditional UPDATE (only from the statuses it allows), one history row
and one change-log row, always in the caller's transaction: all three happen, or none.
Leaving PENDING/APPROVED also frees the permit's destinations for new permits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from datasources.passports.tables import (
    change_log,
    permit_destinations,
    permit_status_changes,
    travel_permits,
)
from datasources.records import PermitStatus

ACTIVE_STATUSES = (PermitStatus.PENDING, PermitStatus.APPROVED)

# Which statuses each status may be reached from.
ALLOWED_FROM: Mapping[PermitStatus, tuple[PermitStatus, ...]] = {
    PermitStatus.APPROVED: (PermitStatus.PENDING,),
    PermitStatus.REJECTED: (PermitStatus.PENDING,),
    PermitStatus.CANCELLED: (PermitStatus.PENDING, PermitStatus.APPROVED),
    PermitStatus.EXPIRED: (PermitStatus.APPROVED,),
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    permit_id: str
    status: PermitStatus
    reason: str | None
    actor: str
    at: datetime
    note: str | None = None


EVERY_COUNTRY = "*"
SLOTS = 26 * 26  # one per possible two-letter code


def destination_slots(code: str) -> tuple[int, int]:
    """The slot range a destination covers: its own slot, or all of them for "*"."""
    if code == EVERY_COUNTRY:
        return 0, SLOTS
    slot = (ord(code[0]) - ord("A")) * 26 + (ord(code[1]) - ord("A"))
    return slot, slot + 1


def destination_rows(permit: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The permit_destinations rows of an active permit: one per code, or one "*"."""
    rows = []
    for code in permit["destinations"].split() or [EVERY_COUNTRY]:
        slot_from, slot_to = destination_slots(code)
        rows.append({
            "permit_id": permit["id"], "traveller_id": permit["traveller_id"],
            "destination": code, "slot_from": slot_from, "slot_to": slot_to,
            "valid_from": permit["valid_from"], "valid_until": permit["valid_until"],
        })  # fmt: skip
    return rows


async def record_change_log(connection: AsyncConnection, rows: Iterable[Mapping[str, Any]]) -> None:
    batch = [dict(row) for row in rows]
    if batch:
        await connection.execute(insert(change_log), batch)


async def apply_transition(
    connection: AsyncConnection, change: StatusChange, *, guardian_id: str | None = None
) -> PermitStatus | None:
    """Move a permit to ``change.status``; its previous status, or None if not allowed.

    ``guardian_id`` restricts the change to permits that guardian issued.
    """
    allowed = [status.value for status in ALLOWED_FROM[change.status]]
    conditions = [travel_permits.c.id == change.permit_id, travel_permits.c.status.in_(allowed)]
    if guardian_id is not None:
        conditions.append(travel_permits.c.guardian_id == guardian_id)
    current = (
        await connection.execute(
            select(
                travel_permits.c.status, travel_permits.c.traveller_id, travel_permits.c.guardian_id
            ).where(*conditions)
        )
    ).first()
    if current is None:
        return None
    updated = await connection.execute(
        update(travel_permits)
        .where(travel_permits.c.id == change.permit_id, travel_permits.c.status == current.status)
        .values(status=change.status.value, status_reason=change.reason, updated_at=change.at)
    )
    if updated.rowcount != 1:  # changed by someone else since we looked
        return None
    previous = PermitStatus(current.status)
    await connection.execute(
        insert(permit_status_changes),
        [
            {
                "permit_id": change.permit_id,
                "status": change.status.value,
                "previous_status": previous.value,
                "reason": change.reason,
                "at": change.at,
                "actor": change.actor,
                "note": change.note,
            }
        ],
    )
    await record_change_log(
        connection,
        [
            {
                "entity_type": "PERMIT",
                "entity_id": change.permit_id,
                "subject_id": current.traveller_id,
                "guardian_id": current.guardian_id,
                "status": change.status.value,
                "previous_status": previous.value,
                "reason": change.reason,
                "at": change.at,
            }
        ],
    )
    if change.status not in ACTIVE_STATUSES:
        await connection.execute(
            delete(permit_destinations).where(permit_destinations.c.permit_id == change.permit_id)
        )
    return previous


def overlapping_permit_query(
    traveller_id: str, codes: Iterable[str], start: date, end: date
) -> Select[Any]:
    """The traveller's active permits covering one of ``codes`` (every country when empty)
    on a day of the period."""
    conditions = [
        permit_destinations.c.traveller_id == traveller_id,
        permit_destinations.c.valid_from <= end,
        permit_destinations.c.valid_until >= start,
    ]
    named = list(codes)
    if named:
        conditions.append(
            or_(
                permit_destinations.c.destination.in_(named),
                permit_destinations.c.destination == EVERY_COUNTRY,
            )
        )
    return select(permit_destinations.c.permit_id).where(*conditions).limit(1)
