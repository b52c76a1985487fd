"""People as the civil registry knows them: citizens and residents."""

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from datasources import records
from resolvers import family, people
from schema.common import Country, LocalizedText
from schema.enums import Gender, MaritalStatus
from schema.passports import Passport

if TYPE_CHECKING:
    from schema.family import Dependent

DependentType = Annotated["Dependent", strawberry.lazy("schema.family")]


@strawberry.interface(description="A person in the civil registry.")
class Person:
    national_id: str
    name: LocalizedText
    birth_date: date
    birth_date_hijri: str | None = strawberry.field(
        resolver=people.birth_date_hijri,
        description="The birth date in the Umm al-Qura calendar, YYYY-MM-DD.",
    )
    gender: Gender
    marital_status: MaritalStatus
    nationality: Annotated[Country | None, strawberry.field(resolver=people.nationality)]
    current_passport: Annotated[
        Passport | None,
        strawberry.field(
            resolver=people.current_passport,
            description="The VALID passport; for the person and their guardian only.",
        ),
    ]
    passports: Annotated[
        list[Passport] | None,
        strawberry.field(
            resolver=people.passports,
            description="Every passport on record, newest first; for the person and their "
            "guardian.",
        ),
    ]
    dependents: Annotated[
        list[DependentType] | None,
        strawberry.field(
            resolver=family.dependents,
            description="The people this person is the guardian of; for the person only.",
        ),
    ]

    @classmethod
    def resolve_type(cls, obj: records.Person, *_: object) -> str:
        return "Citizen" if people.is_citizen(obj) else "Resident"


def _is_person(citizen: bool) -> Callable[[object, object], bool]:
    def is_type_of(obj: object, _info: object) -> bool:
        return isinstance(obj, records.Person) and people.is_citizen(obj) is citizen

    return is_type_of


@strawberry.type(description="A citizen: national ID starting with 1.")
class Citizen(Person):
    is_type_of = staticmethod(_is_person(citizen=True))


@strawberry.type(description="A resident: national ID (iqama) starting with 2.")
class Resident(Person):
    is_type_of = staticmethod(_is_person(citizen=False))
