"""A guardian's dependents and whether each may get a travel permit."""

from typing import Annotated

import strawberry

from resolvers import family
from schema.common import Reason
from schema.enums import Relationship
from schema.people import Person
from schema.permits import TravelPermitConnection


@strawberry.type(description="Whether a travel permit may be requested, and if not, why.")
class TravelPermitEligibility:
    eligible: bool
    reasons: list[Reason]


@strawberry.type(description="Someone a guardian is responsible for.")
class Dependent:
    relationship: Relationship
    person: Person
    age: int = strawberry.field(resolver=family.age, description="Completed Gregorian years.")
    age_hijri: int | None = strawberry.field(
        resolver=family.age_hijri, description="Completed Hijri years, as the permit rules count."
    )
    travel_permit_eligibility: Annotated[
        TravelPermitEligibility, strawberry.field(resolver=family.travel_permit_eligibility)
    ]
    travel_permits: Annotated[
        TravelPermitConnection | None,
        strawberry.field(
            resolver=family.dependent_travel_permits,
            description="The dependent's permits issued by this guardian, newest first.",
        ),
    ]
