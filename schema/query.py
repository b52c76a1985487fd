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
    me = strawberry.field(
        resolver=people.resolve_me, graphql_type=Person | None, description="The signed-in person."
    )
    travel_permit = strawberry.field(
        resolver=permits.resolve_travel_permit,
        graphql_type=TravelPermit | None,
        description="One permit, for its guardian, its traveller or a dashboard token.",
    )
    dependent = strawberry.field(
        resolver=family.resolve_dependent,
        graphql_type=Annotated["Dependent", strawberry.lazy("schema.family")] | None,
        description="One of the signed-in guardian's dependents, by national ID.",
    )
    node = strawberry.field(resolver=permits.resolve_node, graphql_type=Node | None)
    my_data_access_log = strawberry.field(
        resolver=access_log.my_data_access_log,
        graphql_type=DataAccessConnection | None,
        description="Who read or changed your data (guardians, operators, partners), newest first.",
    )
    verify_travel_permit = strawberry.field(
        resolver=verification.verify_travel_permit,
        graphql_type=TravelPermitVerification | None,
        description="For partners with permits:verify: may this traveller leave for this "
        "destination on this date?",
    )
    my_notifications = strawberry.field(
        resolver=notifications.my_notifications,
        graphql_type=NotificationConnection | None,
        description="Approvals and rejections of the permits you issued, newest first.",
    )
    permit_statistics = strawberry.field(
        resolver=statistics.permit_statistics,
        graphql_type=PermitStatistics | None,
        description="For tokens with stats:read: counts over a range of Riyadh days.",
    )
