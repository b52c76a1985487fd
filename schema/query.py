"""The root query."""

import strawberry

from resolvers import people, permits
from schema.common import Node
from schema.people import Person
from schema.permits import TravelPermit


@strawberry.type
class Query:
    me: Person | None = strawberry.field(
        resolver=people.resolve_me, description="The signed-in person."
    )
    travel_permit: TravelPermit | None = strawberry.field(
        resolver=permits.resolve_travel_permit,
        description="One permit, for its guardian, its traveller or a dashboard token.",
    )
    node: Node | None = strawberry.field(resolver=permits.resolve_node)
