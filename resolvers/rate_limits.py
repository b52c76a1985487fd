"""How often each caller may call: a budget per caller, stricter ones for sign-in and permits.

Callers are a person (their national ID), a partner (its key) or, when anonymous, the client
address. Exceeding a budget is ``RATE_LIMITED`` with HTTP 429 and ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import RateLimiter

from errors import BawabaError
from resolvers.viewer import Viewer
from telemetry.metrics import record_rate_limit_rejection


class RateLimited(BawabaError):
    """Raised when a caller has spent its budget for the current window."""

    code = "RATE_LIMITED"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(seconds=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateLimits:
    limiter: RateLimiter
    per_caller: RateLimitItem
    sign_in: RateLimitItem
    issue_permit: RateLimitItem
    cost_budget: RateLimitItem

    @classmethod
    def build(
        cls,
        limiter: RateLimiter,
        *,
        per_caller: str,
        sign_in: str,
        issue_permit: str,
        cost_budget: str = "100000/minute",
    ) -> RateLimits:
        return cls(
            limiter, parse(per_caller), parse(sign_in), parse(issue_permit), parse(cost_budget)
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
