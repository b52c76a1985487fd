"""The passports agency's review of permit requests, and the sweep that expires permits.

This is the agency's side of the system, run here as a background worker in the embedded
default and in demo mode. It decides with the agency's own data: travel bans, the
traveller's passport, and travel advisories. The gateway only reflects what it records.
Several workers may run at once: each change is conditional, so a permit is decided once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.passports.permit_transitions import StatusChange, apply_transition
from datasources.passports.tables import passports, travel_advisories, travel_bans, travel_permits
from datasources.records import PassportStatus, PermitStatus
from datasources.sql_engine import translated_errors
from errors import RegistryError
from resolvers.calendars import gateway_today

logger = logging.getLogger("bawaba.agency_review")
REVIEWER = "agency-review"


class AgencyReview:
    name = "passport"

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    async def review_due(self, *, older_than: timedelta = timedelta(0), limit: int = 200) -> int:
        """Decide PENDING permits submitted at least ``older_than`` ago; how many were decided."""
        now = self.clock()
        async with translated_errors(self.name):
            async with self.engine.connect() as connection:
                due = (
                    await connection.execute(
                        select(travel_permits.c.id)
                        .where(
                            travel_permits.c.status == PermitStatus.PENDING.value,
                            travel_permits.c.created_at <= now - older_than,
                        )
                        .order_by(travel_permits.c.created_at)
                        .limit(limit)
                    )
                ).all()
            decided = 0
            for row in due:
                async with self.engine.begin() as connection:
                    reason = await self._rejection_reason(connection, row.id, gateway_today(now))
                    status = PermitStatus.REJECTED if reason else PermitStatus.APPROVED
                    change = StatusChange(row.id, status, reason, REVIEWER, self.clock())
                    if await apply_transition(connection, change) is not None:
                        decided += 1
        return decided

    async def _rejection_reason(
        self, connection: AsyncConnection, permit_id: str, today: date
    ) -> str | None:
        permit = (
            await connection.execute(select(travel_permits).where(travel_permits.c.id == permit_id))
        ).one()
        banned = await connection.execute(
            select(travel_bans.c.id).where(
                travel_bans.c.national_id == permit.traveller_id,
                travel_bans.c.since <= permit.valid_until,
                or_(travel_bans.c.until.is_(None), travel_bans.c.until >= permit.valid_from),
            )
        )
        if banned.first() is not None:
            return "TRAVELLER_HAS_TRAVEL_BAN"
        passport = (
            await connection.execute(
                select(passports.c.expiry_date).where(
                    passports.c.holder_id == permit.traveller_id,
                    passports.c.status == PassportStatus.VALID.value,
                )
            )
        ).first()
        if passport is None or passport.expiry_date < today:
            return "PASSPORT_EXPIRED"
        if passport.expiry_date < permit.valid_until:
            return "PASSPORT_EXPIRES_BEFORE_PERMIT_ENDS"
        named = permit.destinations.split()
        if named:
            advisory = await connection.execute(
                select(travel_advisories.c.country_code).where(
                    and_(
                        travel_advisories.c.country_code.in_(named),
                        travel_advisories.c.since <= permit.valid_until,
                    )
                )
            )
            if advisory.first() is not None:
                return "DESTINATION_UNDER_ADVISORY"
        return None

    async def expire_due(self) -> int:
        """APPROVED permits whose last day has passed become EXPIRED."""
        now = self.clock()
        async with translated_errors(self.name):
            async with self.engine.connect() as connection:
                due = (
                    await connection.execute(
                        select(travel_permits.c.id).where(
                            travel_permits.c.status == PermitStatus.APPROVED.value,
                            travel_permits.c.valid_until < gateway_today(now),
                        )
                    )
                ).all()
            expired = 0
            for row in due:
                change = StatusChange(row.id, PermitStatus.EXPIRED, "VALIDITY_ENDED", REVIEWER, now)
                async with self.engine.begin() as connection:
                    if await apply_transition(connection, change) is not None:
                        expired += 1
        return expired


async def run_agency_review(
    review: AgencyReview, *, delay: timedelta, interval: float = 1.0
) -> None:
    """Review and expire forever, every ``interval`` seconds; cancelled at shutdown."""
    while True:
        try:
            await review.review_due(older_than=delay)
            await review.expire_due()
        except RegistryError:
            logger.warning("the passport registry is unavailable; the review will try again")
        await asyncio.sleep(interval)
