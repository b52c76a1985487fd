"""Passports as the passports agency records them."""

from datetime import date
from typing import Annotated

import strawberry

from resolvers import people
from schema.common import Country
from schema.enums import PassportStatus


@strawberry.type(description="A passport on record; renewed ones are kept as SUPERSEDED.")
class Passport:
    number: str
    issuing_country: Annotated[Country | None, strawberry.field(resolver=people.issuing_country)]
    issue_date: date
    expiry_date: date
    status: PassportStatus = strawberry.field(resolver=people.passport_status)
