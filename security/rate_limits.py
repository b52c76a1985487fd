"""How often each caller may call: a budget per caller, stricter ones for sign-in and permits.

Callers are a person (their national ID), a partner (its key) or, when anonymous, the client
address. Exceeding a budget is ``RATE_LIMITED`` with HTTP 429 and ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse

from datasources.gateway_store.cost_budgets import CostBudgets
from datasources.gateway_store.rate_limit_store import RateLimiter
from errors import RateLimited
from security.viewer import Viewer
from telemetry.metrics import record_rate_limit_rejection


@dataclass(frozen=True)
class RateLimits:
    limiter: RateLimiter
    per_caller: RateLimitItem
    sign_in: RateLimitItem
    issue_permit: RateLimitItem
    cost_budget: RateLimitItem
    # Spends query cost and reports what remains in one round trip (see cost_budgets.py).
    cost_budgets: CostBudgets

    @classmethod
    def build(
        cls,
        limiter: RateLimiter,
        *,
        per_caller: str,
        sign_in: str,
        issue_permit: str,
        cost_budget: str,
        cost_budgets: CostBudgets,
    ) -> RateLimits:
        return cls(
            limiter,
            parse(per_caller),
            parse(sign_in),
            parse(issue_permit),
            parse(cost_budget),
            cost_budgets,
        )


def caller_key(viewer: Viewer) -> str:
    if viewer.partner_id:
        return f"partner:{viewer.partner_id}"
    if viewer.national_id:
        return f"person:{viewer.national_id}"
    return f"address:{viewer.client_address}"


async def spend(
    limits: RateLimits, item: RateLimitItem, scope: str, key: str, *, cost: int = 1
) -> None:
    """Count one call (or ``cost`` points); ``RateLimited`` when the window's budget is gone."""
    if await limits.limiter.hit(item, scope, key, cost=cost):
        return
    record_rate_limit_rejection(scope)
    stats = await limits.limiter.get_window_stats(item, scope, key)
    raise RateLimited(retry_after=max(1, math.ceil(stats.reset_time - time.time())))


async def spend_cost_budget(limits: RateLimits, key: str, *, cost: int) -> tuple[int, int]:
    """Spend ``cost`` points of the caller's budget: what remains and the seconds until
    points free up; ``RateLimited`` when the window's budget cannot cover the cost."""
    item = limits.cost_budget
    spent = await limits.cost_budgets.spend(
        key, cost=cost, limit=item.amount, window_seconds=item.get_expiry()
    )
    if not spent.allowed:
        raise RateLimited(retry_after=max(1, math.ceil(spent.reset_in)))
    return spent.remaining, max(0, round(spent.reset_in))
