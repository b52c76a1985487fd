"""Renewed passports of residents: recorded at once, the previous one kept as SUPERSEDED."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.passports.permit_transitions import record_change_log
from datasources.passports.tables import passports
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
                    taken = await connection.execute(
                        select(passports.c.id).where(
                            passports.c.issuing_country == renewal.issuing_country,
                            passports.c.number == renewal.number,
                        )
                    )
                    if taken.first() is not None:
                        return RenewalResult(RenewalOutcome.NUMBER_TAKEN, None)
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
                return RenewalResult(RenewalOutcome.NUMBER_TAKEN, None)
        passport = Passport(
            number=renewal.number,
            holder_id=renewal.holder_id,
            issuing_country=renewal.issuing_country,
            issue_date=renewal.issue_date,
            expiry_date=renewal.expiry_date,
            status=PassportStatus.VALID,
        )
        return RenewalResult(RenewalOutcome.RECORDED, passport)
