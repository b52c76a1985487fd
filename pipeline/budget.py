"""Step 7, budget: how much this caller may still do.

Each operation spends one call of the caller's rate budget and its cost from the caller's
cost budget (``security.rate_limits``; shared by every process through Redis when it is
configured); a subscription also takes one of its person's live-subscription slots
(``security.subscription_slots``), given back when it ends. Only a caller whose operation
passed every check before spends anything.
"""

from __future__ import annotations

from typing import Any

from security.query_cost import spend_cost
from security.rate_limits import RateLimits, caller_key, spend
from security.subscription_slots import SubscriptionSlots
from security.viewer import Viewer


class BudgetStep:
    def __init__(self, rate_limits: RateLimits, slots: SubscriptionSlots) -> None:
        self.rate_limits = rate_limits
        self.slots = slots

    async def spend(self, viewer: Viewer, cost: int) -> dict[str, Any]:
        """Spend one call and ``cost`` points; the cost report for ``extensions.cost``."""
        limits = self.rate_limits
        await spend(limits, limits.per_caller, "request", caller_key(viewer))
        report: dict[str, Any] = {"requested": cost}
        await spend_cost(limits, viewer, cost, report)
        return report

    async def take_slot(self, viewer: Viewer) -> tuple[str, str]:
        """Take a live-subscription slot; what ``release`` needs to give it back."""
        holder = viewer.national_id or caller_key(viewer)
        return holder, await self.slots.take(holder)

    async def release(self, slot: tuple[str, str]) -> None:
        await self.slots.release(*slot)
