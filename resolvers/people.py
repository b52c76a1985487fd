"""People: the signed-in person, and what each person's fields show to whom."""

from __future__ import annotations

from collections.abc import Sequence

from datasources.records import Country, Passport, PassportStatus, Person
from errors import NotAuthorized, NotFound
from resolvers.access_log import record_access
from resolvers.authorization import may_read_personal_records
from resolvers.calendars import hijri_iso
from resolvers.context import Info
from resolvers.national_ids import is_citizen_id


async def resolve_me(info: Info) -> Person:
    """The person the access token names; UNAUTHENTICATED without one."""
    context = info.context
    national_id = context.viewer.require_person()
    person = await context.loaders.person_by_national_id.load(national_id)
    if person is None:
        raise NotFound()
    return person


def is_citizen(person: Person) -> bool:
    return is_citizen_id(person.national_id)


def birth_date_hijri(root: Person) -> str | None:
    return hijri_iso(root.birth_date)


def nationality(root: Person, info: Info) -> Country | None:
    return info.context.registries.countries.get(root.nationality)


async def current_passport(root: Person, info: Info) -> Passport | None:
    context = info.context
    if not await may_read_personal_records(context, root.national_id):
        raise NotAuthorized()
    record_access(info, root.national_id)
    return await context.loaders.current_passport_by_holder.load(root.national_id)


async def passports(root: Person, info: Info) -> Sequence[Passport]:
    """Every passport on record, newest first, the superseded ones included."""
    context = info.context
    if not await may_read_personal_records(context, root.national_id):
        raise NotAuthorized()
    record_access(info, root.national_id)
    return await context.loaders.passports_by_holder.load(root.national_id)


def passport_status(root: Passport, info: Info) -> PassportStatus:
    """The registry's status, shown as EXPIRED once the expiry date has passed."""
    if root.status is PassportStatus.VALID and root.expiry_date < info.context.today:
        return PassportStatus.EXPIRED
    return root.status


def issuing_country(root: Passport, info: Info) -> Country | None:
    return info.context.registries.countries.get(root.issuing_country)
