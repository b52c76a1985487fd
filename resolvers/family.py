"""A guardian's dependents: who they are, their age, and whether they may get a permit."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from datasources.records import (
    FamilyLink,
    MaritalStatus,
    PermitPageRequest,
    Person,
    Relationship,
    TravelPermit,
)
from errors import NotAuthorized, NotFound
from resolvers.access_log import record_access
from resolvers.calendars import gregorian_age, hijri_age
from resolvers.context import Info
from resolvers.national_ids import require_national_id
from resolvers.pagination import (
    Connection,
    build_connection,
    decode_cursor,
    encode_cursor,
    require_page_size,
)

PERMIT_AGE_LIMIT_HIJRI_YEARS = 21


class EligibilityCode(enum.StrEnum):
    TRAVELLER_OVER_AGE_LIMIT = "TRAVELLER_OVER_AGE_LIMIT"
    TRAVELLER_MARRIED = "TRAVELLER_MARRIED"
    TRAVELLER_NOT_A_CHILD = "TRAVELLER_NOT_A_CHILD"
    BIRTH_DATE_OUT_OF_RANGE = "BIRTH_DATE_OUT_OF_RANGE"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reasons: list[Reason]


async def dependents(root: Person, info: Info) -> Sequence[FamilyLink]:
    """A person's dependents, shown to that person only."""
    context = info.context
    if context.viewer.national_id != root.national_id:
        raise NotAuthorized()
    links = await context.loaders.dependents_by_guardian.load(root.national_id)
    for link in links:
        record_access(info, link.person.national_id)
    return links


def age(root: FamilyLink, info: Info) -> int:
    """Completed Gregorian years, as people state their age."""
    return gregorian_age(root.person.birth_date, info.context.today)


def age_hijri(root: FamilyLink, info: Info) -> int | None:
    """Completed Hijri (Umm al-Qura) years: the age the permit rules count."""
    return hijri_age(root.person.birth_date, info.context.today)


def eligibility_codes(link: FamilyLink, *, on: date) -> list[EligibilityCode]:
    """Why a dependent may not travel on a permit on day ``on`` (empty when they may).

    The one place these rules live: the family page asks about today, a new permit about
    the last day of its validity (the traveller must qualify on every day of it).
    """
    codes: list[EligibilityCode] = []
    person = link.person
    if link.relationship not in (Relationship.SON, Relationship.DAUGHTER):
        codes.append(EligibilityCode.TRAVELLER_NOT_A_CHILD)
    years = hijri_age(person.birth_date, on)
    if years is None:
        codes.append(EligibilityCode.BIRTH_DATE_OUT_OF_RANGE)
    elif years >= PERMIT_AGE_LIMIT_HIJRI_YEARS:
        codes.append(EligibilityCode.TRAVELLER_OVER_AGE_LIMIT)
    if person.marital_status is not MaritalStatus.SINGLE:
        codes.append(EligibilityCode.TRAVELLER_MARRIED)
    return codes


def travel_permit_eligibility(root: FamilyLink, info: Info) -> Eligibility:
    context = info.context
    codes = eligibility_codes(root, on=context.today)
    limit = PERMIT_AGE_LIMIT_HIJRI_YEARS
    reasons = [Reason(code=code, message=context.message(code, limit=limit)) for code in codes]
    return Eligibility(eligible=not codes, reasons=reasons)


async def dependent_travel_permits(
    root: FamilyLink, info: Info, first: int = 10, after: str | None = None
) -> Connection[TravelPermit]:
    """The dependent's permits that this guardian issued, newest first."""
    context = info.context
    if context.viewer.national_id != root.guardian_id:
        raise NotAuthorized()
    page_size = require_page_size(first, limit=context.policy.permit_page_size_limit)
    position = decode_cursor(after) if after is not None else None
    page = await context.loaders.permit_page_by_traveller.load(
        PermitPageRequest(
            traveller_id=root.person.national_id,
            guardian_id=root.guardian_id,
            first=page_size,
            after=position,
        )
    )
    permits = list(page.permits)
    return build_connection(
        permits,
        cursors=[encode_cursor(permit.created_at, permit.id) for permit in permits],
        total_count=page.total_count,
        has_next_page=page.has_next_page,
        after=position is not None,
    )


async def resolve_dependent(info: Info, national_id: str) -> FamilyLink:
    """One of the viewer's dependents; NOT_FOUND for anyone else, malformed IDs never looked up."""
    context = info.context
    guardian_id = context.viewer.require_person()
    require_national_id(national_id)
    links = await context.loaders.dependents_by_guardian.load(guardian_id)
    for link in links:
        if link.person.national_id == national_id:
            record_access(info, national_id)
            return link
    raise NotFound()
