"""Travel permits, their status history, and pages of them."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from datasources import records
from resolvers import permits
from schema.common import Country, Node, PageInfo, Reason
from schema.enums import PermitKind, PermitStatus
from schema.people import Person


@strawberry.type(description="One step in a permit's life.")
class PermitStatusChange:
    status: PermitStatus
    previous_status: PermitStatus | None
    reason: Reason | None
    at: datetime
    note: str | None = strawberry.field(description="The guardian's words, when cancelling.")


@strawberry.type(description="Permission for a dependent to leave the country.")
class TravelPermit(Node):
    id: strawberry.ID = strawberry.field(resolver=permits.permit_global_id)
    number: str = strawberry.field(description="Human-readable, unique: TP-YYYY-NNNNNN.")
    kind: PermitKind
    status: PermitStatus
    status_label: str = strawberry.field(
        resolver=permits.status_label, description="The status in the caller's language."
    )
    status_reason: Annotated[Reason | None, strawberry.field(resolver=permits.status_reason)]
    valid_from: date
    valid_until: date
    destinations: Annotated[
        list[Country],
        strawberry.field(
            resolver=permits.destinations, description="Empty when every country is allowed."
        ),
    ]
    covers_all_countries: bool = strawberry.field(resolver=permits.covers_all_countries)
    traveller: Annotated[Person | None, strawberry.field(resolver=permits.traveller)]
    guardian: Annotated[Person | None, strawberry.field(resolver=permits.guardian)]
    history: Annotated[
        list[PermitStatusChange],
        strawberry.field(
            resolver=permits.history,
            description="Every status the permit went through, oldest first.",
        ),
    ]
    created_at: datetime

    @staticmethod
    def is_type_of(obj: object, _info: object) -> bool:
        return isinstance(obj, records.TravelPermit)


@strawberry.type
class TravelPermitEdge:
    cursor: str
    node: TravelPermit


@strawberry.type(description="A page of travel permits, with the total of all pages.")
class TravelPermitConnection:
    total_count: int
    edges: list[TravelPermitEdge]
    page_info: PageInfo
