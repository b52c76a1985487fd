"""The root query."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import access_log, family, notifications, people, permits, statistics, verification
from schema.access_log import DataAccessConnection
from schema.common import Node
from schema.live_status import NotificationConnection, PermitStatistics
from schema.people import Person
from schema.permits import TravelPermit
from schema.verification import TravelPermitVerification

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
    my_data_access_log: DataAccessConnection | None = strawberry.field(
        resolver=access_log.my_data_access_log,
        description="Who read or changed your data (guardians, operators, partners), newest first.",
    )
    verify_travel_permit: TravelPermitVerification | None = strawberry.field(
        resolver=verification.verify_travel_permit,
        description="For partners with permits:verify: may this traveller leave for this "
        "destination on this date?",
    )
    my_notifications: NotificationConnection | None = strawberry.field(
        resolver=notifications.my_notifications,
        description="Approvals and rejections of the permits you issued, newest first.",
    )
    permit_statistics: PermitStatistics | None = strawberry.field(
        resolver=statistics.permit_statistics,
        description="For tokens with stats:read: counts over a range of Riyadh days.",
    )
