"""Partner verification: may this traveller leave for this destination on this date?

The answer names no one and shows nothing beyond what was asked: whether an APPROVED
permit covers the trip, and if so its number and last day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from errors import InputRejected
from resolvers.access_log import record_access
from resolvers.context import Info
from resolvers.national_ids import require_national_id

VERIFY_SCOPE = "permits:verify"


@dataclass(frozen=True, slots=True)
class Verification:
    allowed: bool
    permit_number: str | None
    valid_until: date | None


async def verify_travel_permit(
    info: Info, national_id: str, destination: str, on: date
) -> Verification:
    context = info.context
    context.viewer.require_scope(VERIFY_SCOPE)
    require_national_id(national_id)
    code = destination.strip().upper()
    if code not in context.registries.countries:
        raise InputRejected("UNKNOWN_COUNTRY", field="destination", codes=code[:3])
    record_access(info, national_id)
    permits = await context.registries.passports.approved_permits_on(national_id, on)
    covering = [p for p in permits if not p.destinations or code in p.destinations]
    if not covering:
        return Verification(allowed=False, permit_number=None, valid_until=None)
    best = max(covering, key=lambda permit: permit.valid_until)
    return Verification(allowed=True, permit_number=best.number, valid_until=best.valid_until)
