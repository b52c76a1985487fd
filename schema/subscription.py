"""The root subscription, served over graphql-transport-ws (and graphql-ws)."""

from collections.abc import AsyncGenerator

import strawberry

from resolvers import live_status, notifications
from schema.live_status import Notification, PermitStatusEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(
        name=live_status.SUBSCRIPTION_FIELD,
        description="Status changes of the permits you issued or hold (every permit with "
        "permits:watch-all). With `after`, first every event you missed, in order.",
    )
    async def travel_permit_status_changed(
        self, info: strawberry.Info, after: str | None = None
    ) -> AsyncGenerator[PermitStatusEvent, None]:
        async for event in live_status.travel_permit_status_changed(info, after):
            yield event  # type: ignore[misc]

    @strawberry.subscription(description="Your notifications as they happen.")
    async def notifications(self, info: strawberry.Info) -> AsyncGenerator[Notification, None]:
        async for notification in notifications.notifications(info):
            yield notification  # type: ignore[misc]
