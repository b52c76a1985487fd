"""Inputs and payloads of issuing and cancelling permits, and of recording a passport."""

from datetime import date

import strawberry

from schema.enums import PermitKind
from schema.errors import UserError
from schema.passports import Passport
from schema.permits import TravelPermit


@strawberry.input(description="A guardian's request for a dependent's travel permit.")
class IssueTravelPermitInput:
    traveller_national_id: str
    kind: PermitKind
    destinations: list[str] = strawberry.field(
        description="ISO 3166-1 alpha-2 codes; an empty list asks for every country."
    )
    valid_from: date = strawberry.field(description="Today or later.")
    valid_until: date = strawberry.field(description="After validFrom, within the longest period.")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Sending the same key (with the same request) again returns the same permit.",
    )


@strawberry.input
class CancelTravelPermitInput:
    permit_id: strawberry.ID
    reason: str | None = strawberry.field(default=None, description="Up to 200 characters.")


@strawberry.input(description="A resident's renewed passport.")
class UpdatePassportInput:
    number: str = strawberry.field(description="6 to 9 letters and digits, no spaces.")
    issuing_country: str = strawberry.field(description="ISO 3166-1 alpha-2; your nationality.")
    issue_date: date
    expiry_date: date


@strawberry.type
class TravelPermitPayload:
    permit: TravelPermit | None
    errors: list[UserError]


@strawberry.type
class UpdatePassportPayload:
    passport: Passport | None
    errors: list[UserError]
