"""The root query."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import family, people, permits
from schema.common import Node
from schema.people import Person
from schema.permits import TravelPermit

if TYPE_CHECKING:
    from schema.family import Dependent


@strawberry.type
class Query:
    me: Person | None = strawberry.field(
        resolver=people.resolve_me, description="The signed-in person."
    )
    travel_permit: TravelPermit | None = strawberry.field(
        resolver=permits.resolve_travel_permit,
        description="One permit, for its guardian, its traveller or a dashboard token.",
    )
    dependent: Annotated["Dependent", strawberry.lazy("schema.family")] | None = strawberry.field(
        resolver=family.resolve_dependent,
        description="One of the signed-in guardian's dependents, by national ID.",
    )
    node: Node | None = strawberry.field(resolver=permits.resolve_node)
