"""The passports agency's intake: new permit applications and cancellations by guardians.

Each is one transaction. Idempotency keys are unique per guardian in the database, and on
PostgreSQL an exclusion constraint forbids two active permits of one traveller for one
destination on the same day, so racing requests cannot both succeed; on SQLite every
writing transaction holds the write lock from its first statement, to the same effect.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.passports.passport_registry import SqlPassportRegistry
from datasources.passports.permit_transitions import (
    StatusChange,
    apply_transition,
    destination_rows,
    overlapping_permit_query,
    record_change_log,
)
from datasources.passports.tables import permit_destinations, permit_status_changes, travel_permits
from datasources.records import (
    PermitApplication,
    PermitStatus,
    Submission,
    SubmissionOutcome,
    Transition,
    TransitionOutcome,
)

_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def new_permit_number(at: datetime) -> str:
    """``TP-2026-7KQ3-M9XD``: readable aloud, random, so numbers say nothing of volumes."""
    chars = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"TP-{at.year}-{chars[:4]}-{chars[4:]}"


class SqlPermitOffice:
    name = "passport"

    def __init__(self, engine: AsyncEngine, registry: SqlPassportRegistry) -> None:
        self.engine = engine
        self.registry = registry
        self.registry_guard = registry.guard

    async def submit(self, application: PermitApplication, *, at: datetime) -> Submission:
        """Create the PENDING permit, unless a replay, a key reuse or an overlap says otherwise."""
        async with self.registry_guard.call():
            for _ in range(3):  # a second try only for the rare clash of random permit numbers
                try:
                    async with self.engine.begin() as connection:
                        return await self._submit(connection, application, at)
                except IntegrityError:
                    if settled := await self._settle_race(application):
                        return settled
        raise RuntimeError("could not allocate a permit number")  # pragma: no cover

    async def _submit(
        self, connection: AsyncConnection, application: PermitApplication, at: datetime
    ) -> Submission:
        if earlier := await self._same_key(connection, application):
            return earlier
        codes = application.destinations
        overlap = overlapping_permit_query(
            application.traveller_id, codes, application.valid_from, application.valid_until
        )
        if (await connection.execute(overlap)).first() is not None:
            # Under READ COMMITTED the overlap may be a twin request with our key that
            # committed after our first look: then it is a replay, not an overlap.
            replay = await self._same_key(connection, application)
            return replay or Submission(SubmissionOutcome.OVERLAPS, None)
        row = self._permit_row(application, at)
        await connection.execute(insert(travel_permits), [row])
        await connection.execute(insert(permit_destinations), destination_rows(row))
        await connection.execute(
            insert(permit_status_changes),
            [
                {
                    "permit_id": row["id"],
                    "status": "PENDING",
                    "previous_status": None,
                    "reason": None,
                    "at": at,
                    "actor": application.guardian_id,
                    "note": None,
                }
            ],
        )
        await record_change_log(
            connection,
            [
                {
                    "entity_type": "PERMIT",
                    "entity_id": row["id"],
                    "subject_id": row["traveller_id"],
                    "guardian_id": row["guardian_id"],
                    "status": "PENDING",
                    "previous_status": None,
                    "reason": None,
                    "at": at,
                }
            ],
        )
        permit = (await self.registry.permits_in(connection, [row["id"]]))[row["id"]]
        return Submission(SubmissionOutcome.CREATED, permit)

    @staticmethod
    def _permit_row(application: PermitApplication, at: datetime) -> dict[str, Any]:
        return {
            "id": uuid.uuid4().hex,
            "number": new_permit_number(at),
            "traveller_id": application.traveller_id,
            "guardian_id": application.guardian_id,
            "kind": application.kind.value,
            "destinations": " ".join(application.destinations),
            "valid_from": application.valid_from,
            "valid_until": application.valid_until,
            "status": PermitStatus.PENDING.value,
            "status_reason": None,
            "created_at": at,
            "updated_at": at,
            "idempotency_key": application.idempotency_key,
            "request_fingerprint": application.fingerprint,
        }

    async def _same_key(
        self, connection: AsyncConnection, application: PermitApplication
    ) -> Submission | None:
        if application.idempotency_key is None:
            return None
        found = (
            await connection.execute(
                select(travel_permits.c.id, travel_permits.c.request_fingerprint).where(
                    travel_permits.c.guardian_id == application.guardian_id,
                    travel_permits.c.idempotency_key == application.idempotency_key,
                )
            )
        ).first()
        if found is None:
            return None
        if found.request_fingerprint != application.fingerprint:
            return Submission(SubmissionOutcome.KEY_REUSED, None)
        permit = (await self.registry.permits_in(connection, [found.id]))[found.id]
        return Submission(SubmissionOutcome.REPLAYED, permit)

    async def _settle_race(self, application: PermitApplication) -> Submission | None:
        """After a constraint stopped us: the winner's permit, an overlap, or None to retry."""
        async with self.engine.connect() as connection:
            if earlier := await self._same_key(connection, application):
                return earlier
            codes = application.destinations
            overlap = overlapping_permit_query(
                application.traveller_id, codes, application.valid_from, application.valid_until
            )
            if (await connection.execute(overlap)).first() is not None:
                return Submission(SubmissionOutcome.OVERLAPS, None)
        return None

    async def cancel(
        self, permit_id: str, *, guardian_id: str, note: str | None, at: datetime
    ) -> Transition:
        change = StatusChange(
            permit_id=permit_id,
            status=PermitStatus.CANCELLED,
            reason="CANCELLED_BY_GUARDIAN",
            actor=guardian_id,
            at=at,
            note=note,
        )
        async with self.registry_guard.call():
            async with self.engine.begin() as connection:
                previous = await apply_transition(connection, change, guardian_id=guardian_id)
            permit = (await self.registry.permits_by_ids([permit_id])).get(permit_id)
        if permit is None or permit.guardian_id != guardian_id:
            return Transition(TransitionOutcome.NOT_FOUND, None)
        if previous is None:
            return Transition(TransitionOutcome.NOT_ALLOWED, permit)
        return Transition(TransitionOutcome.APPLIED, permit)
