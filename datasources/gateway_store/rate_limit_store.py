"""Where rate-limit windows are counted: Redis when configured (shared by every process),
else this process's memory. The counting itself is the ``limits`` package's."""

from __future__ import annotations

import time
from typing import Protocol

from limits import RateLimitItem
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.util import WindowStats

from datasources.gateway_store.cost_budgets import BudgetSpend, MemoryCostBudgets


class RateLimiter(Protocol):
    """The two calls Bawaba makes of a ``limits`` moving-window limiter."""

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool: ...

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats: ...


class ProcessRateLimiter:
    """Moving windows in this process's memory, with ``limits``' semantics and items.

    ``limits``' own memory storages sweep expired entries from a thread: the asyncio one
    hands every caller's window to a thread once per request under load, the synchronous
    one wakes a timer thread a hundred times a second. The exact moving window that
    counts cost budgets (``MemoryCostBudgets``) needs neither: each window forgets its
    expired spends when it is next used, and idle callers are swept now and then.
    """

    def __init__(self) -> None:
        self._windows = MemoryCostBudgets()

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        spent = await self._spend(item, identifiers, cost)
        return spent.allowed

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        spent = await self._spend(item, identifiers, 0)  # spending nothing reports the window
        return WindowStats(reset_time=time.time() + spent.reset_in, remaining=spent.remaining)

    async def _spend(
        self, item: RateLimitItem, identifiers: tuple[str, ...], cost: int
    ) -> BudgetSpend:
        return await self._windows.spend(
            item.key_for(*identifiers), cost=cost, limit=item.amount,
            window_seconds=item.get_expiry(),
        )  # fmt: skip


def open_rate_limiter(redis_url: str | None) -> RateLimiter:
    if redis_url:
        uri = redis_url.replace("redis://", "async+redis://", 1)
        storage = RedisStorage(uri, implementation="redispy", key_prefix="bawaba-limits")
        return MovingWindowRateLimiter(storage)
    return ProcessRateLimiter()
