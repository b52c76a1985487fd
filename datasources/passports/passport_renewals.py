"""Renewed passports of residents: recorded at once, the previous one kept as SUPERSEDED.

A number the registry holds for someone else is refused, and the claim is noted in
``passport_number_conflicts`` for the agency to review.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.passports.permit_transitions import record_change_log
from datasources.passports.tables import passport_number_conflicts, passports
from datasources.records import (
    Passport,
    PassportRenewal,
    PassportStatus,
    RenewalOutcome,
    RenewalResult,
)
from datasources.sql_engine import RegistryGuard


class SqlPassportRenewals:
    name = "passport"

    def __init__(self, engine: AsyncEngine, guard: RegistryGuard | None = None) -> None:
        self.engine = engine
        self.registry_guard = guard or RegistryGuard(self.name)

    async def record(self, renewal: PassportRenewal, *, at: datetime) -> RenewalResult:
        """Supersede the current passport and record the new one, in one transaction."""
        async with self.registry_guard.call():
            try:
                async with self.engine.begin() as connection:
                    holder_id = await _holder_of(connection, renewal)
                    if holder_id is not None:
                        return await _refusal(connection, renewal, holder_id, at=at)
                    await connection.execute(
                        update(passports)
                        .where(
                            passports.c.holder_id == renewal.holder_id,
                            passports.c.status == PassportStatus.VALID.value,
                        )
                        .values(status=PassportStatus.SUPERSEDED.value)
                    )
                    await connection.execute(
                        insert(passports),
                        [
                            {
                                "number": renewal.number,
                                "holder_id": renewal.holder_id,
                                "issuing_country": renewal.issuing_country,
                                "issue_date": renewal.issue_date,
                                "expiry_date": renewal.expiry_date,
                                "status": PassportStatus.VALID.value,
                                "recorded_at": at,
                            }
                        ],
                    )
                    await record_change_log(
                        connection,
                        [
                            {
                                "entity_type": "PASSPORT",
                                "entity_id": renewal.number,
                                "subject_id": renewal.holder_id,
                                "guardian_id": None,
                                "status": PassportStatus.VALID.value,
                                "previous_status": PassportStatus.SUPERSEDED.value,
                                "reason": None,
                                "at": at,
                            }
                        ],
                    )
            except IntegrityError:  # the same number, recorded by a racing request
                async with self.engine.begin() as connection:
                    holder_id = await _holder_of(connection, renewal)
                    # None: the holder's own racing renewal (of another number) came first.
                    return await _refusal(
                        connection, renewal, holder_id or renewal.holder_id, at=at
                    )
        passport = Passport(
            number=renewal.number,
            holder_id=renewal.holder_id,
            issuing_country=renewal.issuing_country,
            issue_date=renewal.issue_date,
            expiry_date=renewal.expiry_date,
            status=PassportStatus.VALID,
        )
        return RenewalResult(RenewalOutcome.RECORDED, passport)


async def _holder_of(connection: AsyncConnection, renewal: PassportRenewal) -> str | None:
    """Whose passport the renewal's number is, if the registry has it."""
    held = await connection.execute(
        select(passports.c.holder_id).where(
            passports.c.issuing_country == renewal.issuing_country,
            passports.c.number == renewal.number,
        )
    )
    return held.scalar_one_or_none()


async def _refusal(
    connection: AsyncConnection, renewal: PassportRenewal, holder_id: str, *, at: datetime
) -> RenewalResult:
    if holder_id == renewal.holder_id:
        return RenewalResult(RenewalOutcome.ALREADY_RECORDED, None)
    await connection.execute(
        insert(passport_number_conflicts),
        [
            {
                "issuing_country": renewal.issuing_country,
                "number": renewal.number,
                "claimed_by": renewal.holder_id,
                "held_by": holder_id,
                "at": at,
            }
        ],
    )
    return RenewalResult(RenewalOutcome.HELD_BY_ANOTHER, None)
