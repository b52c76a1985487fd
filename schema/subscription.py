"""The root subscription, served over graphql-transport-ws (and graphql-ws)."""

import strawberry

from resolvers import live_status, notifications
from schema.live_status import Notification, PermitStatusEvent


@strawberry.type
class Subscription:
    travel_permit_status_changed = strawberry.subscription(
        resolver=live_status.travel_permit_status_changed,
        graphql_type=PermitStatusEvent,
        name=live_status.SUBSCRIPTION_FIELD,
        description="Status changes of the permits you issued or hold (every permit with "
        "permits:watch-all). With `after`, first every event you missed, in order.",
    )
    notifications = strawberry.subscription(
        resolver=notifications.notifications,
        graphql_type=Notification,
        description="Your notifications as they happen.",
    )
