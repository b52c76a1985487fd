"""How many live subscriptions one person may hold at once, across every process.

Every subscription, whichever way it is served (its own stream, or a seat in a shared
group) and whatever its root field, takes a slot in the admission pipeline's budget step
before it starts and gives it back when it ends. The count is kept by
``datasources.gateway_store.subscription_leases``: in memory in one process, in Redis when
several share it.
"""

from __future__ import annotations

import secrets

from datasources.gateway_store.subscription_leases import SubscriptionLeases
from errors import SubscriptionLimitReached


class SubscriptionSlots:
    def __init__(self, leases: SubscriptionLeases, *, limit: int) -> None:
        self.leases = leases
        self.limit = limit

    async def take(self, holder: str) -> str:
        """A slot for ``holder`` (the lease to give back); ``SubscriptionLimitReached`` when
        none is left."""
        lease = secrets.token_hex(8)
        if not await self.leases.take(holder, lease, limit=self.limit):
            raise SubscriptionLimitReached(limit=self.limit)
        return lease

    async def release(self, holder: str, lease: str) -> None:
        await self.leases.release(holder, lease)

    async def held_by(self, holder: str) -> int:
        return await self.leases.held_by(holder)
