"""Every rule a permit request must meet before it reaches the agency, checked in one place.

All failures are reported together, each with the input field it concerns; a request
with any failure creates nothing. Age is counted in Hijri years on the last day of the
requested validity, so the traveller qualifies on every day of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from datasources.records import FamilyLink, PermitKind
from resolvers.context import Context
from resolvers.family import PERMIT_AGE_LIMIT_HIJRI_YEARS, eligibility_codes
from resolvers.national_ids import is_valid_national_id
from resolvers.user_errors import UserError, user_error

MAX_DESTINATIONS = 50
# The country every permit is for leaving, citizens' and residents' alike: it is never a
# destination. (A resident's own nationality is: that trip leaves the Kingdom too.)
HOME_COUNTRY = "SA"
MAX_IDEMPOTENCY_KEY_LENGTH = 100


@dataclass(frozen=True, slots=True)
class PermitRequest:
    traveller_national_id: str
    kind: PermitKind
    destinations: tuple[str, ...]
    valid_from: date
    valid_until: date
    idempotency_key: str | None


def normalized_destinations(codes: list[str]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in codes)


async def check_permit_request(
    context: Context, guardian_id: str, request: PermitRequest
) -> tuple[list[UserError], FamilyLink | None]:
    """The request's failures, and the family link to the traveller when there is one."""
    errors = check_dates(context, request) + check_destinations(context, request)
    if request.idempotency_key is not None and not (
        0 < len(request.idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH
    ):
        errors.append(
            user_error(
                context,
                "INVALID_IDEMPOTENCY_KEY",
                field="idempotencyKey",
                limit=MAX_IDEMPOTENCY_KEY_LENGTH,
            )
        )
    traveller_errors, link = await check_traveller(context, guardian_id, request)
    return traveller_errors + errors, link


async def check_traveller(
    context: Context, guardian_id: str, request: PermitRequest
) -> tuple[list[UserError], FamilyLink | None]:
    field = "travellerNationalId"
    if not is_valid_national_id(request.traveller_national_id):
        return [user_error(context, "INVALID_NATIONAL_ID", field=field)], None
    links = await context.loaders.dependents_by_guardian.load(guardian_id)
    link = next((x for x in links if x.person.national_id == request.traveller_national_id), None)
    if link is None:
        return [user_error(context, "NOT_GUARDIAN_OF_TRAVELLER", field=field)], None
    errors = [
        user_error(context, code, field=field, limit=PERMIT_AGE_LIMIT_HIJRI_YEARS)
        for code in eligibility_codes(link, on=max(request.valid_until, context.today))
    ]
    passport = await context.loaders.current_passport_by_holder.load(link.person.national_id)
    if passport is None:
        errors.append(user_error(context, "TRAVELLER_HAS_NO_PASSPORT", field=field))
    return errors, link


def check_dates(context: Context, request: PermitRequest) -> list[UserError]:
    policy, today = context.policy, context.today
    errors = []
    if request.valid_from < today:
        errors.append(user_error(context, "VALID_FROM_IN_PAST", field="validFrom"))
    elif request.valid_from > today + timedelta(days=policy.permit_max_days_ahead):
        errors.append(
            user_error(
                context, "VALID_FROM_TOO_FAR", field="validFrom", days=policy.permit_max_days_ahead
            )
        )
    if request.valid_until <= request.valid_from:
        errors.append(user_error(context, "VALID_UNTIL_NOT_AFTER_START", field="validUntil"))
    elif (request.valid_until - request.valid_from).days + 1 > policy.permit_max_days:
        errors.append(
            user_error(
                context, "VALIDITY_TOO_LONG", field="validUntil", days=policy.permit_max_days
            )
        )
    return errors


def check_destinations(context: Context, request: PermitRequest) -> list[UserError]:
    countries = context.registries.countries
    errors = []
    if len(request.destinations) > MAX_DESTINATIONS:
        errors.append(
            user_error(
                context, "TOO_MANY_DESTINATIONS", field="destinations", limit=MAX_DESTINATIONS
            )
        )
    unknown = sorted({code for code in request.destinations if code not in countries})
    if unknown:
        errors.append(
            user_error(
                context, "UNKNOWN_COUNTRY", field="destinations", codes=", ".join(unknown[:5])
            )
        )
    if HOME_COUNTRY in request.destinations:
        errors.append(user_error(context, "DESTINATION_IS_HOME_COUNTRY", field="destinations"))
    repeated = sorted(code for code, count in Counter(request.destinations).items() if count > 1)
    if repeated:
        errors.append(
            user_error(
                context,
                "DUPLICATE_DESTINATION",
                field="destinations",
                codes=", ".join(repeated[:5]),
            )
        )
    return errors
