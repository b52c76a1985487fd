"""A resident records their renewed passport: checked here, recorded by the passports agency.

Citizens' passports come from the issuing authority itself, so only residents (national IDs
starting with 2) record one here. The issuing country must be the resident's nationality.
A number on record for someone else gets the same answer as a malformed one: the mutation
does not tell whether a number is on record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from datasources.records import Passport, PassportRenewal, RenewalOutcome
from resolvers.access_log import record_change
from resolvers.context import Context, Info
from resolvers.national_ids import is_citizen_id
from resolvers.user_errors import UserError, user_error

PASSPORT_NUMBER = re.compile(r"[A-Z0-9]{6,9}")


@dataclass(frozen=True, slots=True)
class PassportResult:
    passport: Passport | None
    errors: list[UserError]


def wrong_number(context: Context) -> UserError:
    """The one refusal of a number that cannot be this person's: malformed, or someone
    else's."""
    return user_error(context, "INVALID_PASSPORT_NUMBER", field="number")


def check_renewal(
    context: Context, renewal: PassportRenewal, *, nationality: str, current: Passport | None
) -> list[UserError]:
    errors = []
    if not PASSPORT_NUMBER.fullmatch(renewal.number):
        errors.append(wrong_number(context))
    elif current is not None and current.number == renewal.number:
        errors.append(user_error(context, "SAME_AS_CURRENT_PASSPORT", field="number"))
    if renewal.issuing_country not in context.registries.countries:
        errors.append(
            user_error(
                context,
                "UNKNOWN_COUNTRY",
                field="issuingCountry",
                codes=renewal.issuing_country[:3],
            )
        )
    elif renewal.issuing_country != nationality:
        errors.append(
            user_error(context, "ISSUING_COUNTRY_NOT_NATIONALITY", field="issuingCountry")
        )
    if renewal.issue_date > context.today:
        errors.append(user_error(context, "ISSUE_DATE_IN_FUTURE", field="issueDate"))
    if renewal.expiry_date <= renewal.issue_date:
        errors.append(user_error(context, "EXPIRY_NOT_AFTER_ISSUE", field="expiryDate"))
    elif renewal.expiry_date < context.today:
        errors.append(user_error(context, "PASSPORT_ALREADY_EXPIRED", field="expiryDate"))
    return errors


async def update_passport(
    info: Info, *, number: str, issuing_country: str, issue_date: date, expiry_date: date
) -> PassportResult:
    context = info.context
    holder_id = context.viewer.require_person()
    if is_citizen_id(holder_id):
        return PassportResult(None, [user_error(context, "CITIZEN_PASSPORT_FROM_AUTHORITY")])
    person = await context.loaders.person_by_national_id.load(holder_id)
    current = await context.loaders.current_passport_by_holder.load(holder_id)
    renewal = PassportRenewal(
        holder_id=holder_id,
        number=number.strip().upper(),
        issuing_country=issuing_country.strip().upper(),
        issue_date=issue_date,
        expiry_date=expiry_date,
    )
    nationality = person.nationality if person else ""
    errors = check_renewal(context, renewal, nationality=nationality, current=current)
    if errors:
        return PassportResult(None, errors)
    result = await context.registries.passport_renewals.record(renewal, at=context.now())
    if result.outcome is RenewalOutcome.ALREADY_RECORDED:
        return PassportResult(
            None, [user_error(context, "PASSPORT_NUMBER_ALREADY_RECORDED", field="number")]
        )
    if result.outcome is RenewalOutcome.HELD_BY_ANOTHER:
        # Answered exactly as a malformed number is, so that the answer does not tell
        # whether someone else's passport has this number; the registry noted the claim.
        return PassportResult(None, [wrong_number(context)])
    record_change(info, holder_id)
    return PassportResult(result.passport, [])
