"""Where rate-limit windows are counted: Redis when configured (shared by every process),
else this process's memory. The counting itself is the ``limits`` package's."""

from __future__ import annotations

from typing import Protocol

from limits import RateLimitItem
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter as InMemoryMovingWindow
from limits.util import WindowStats


class RateLimiter(Protocol):
    """The two calls Bawaba makes of a ``limits`` moving-window limiter."""

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool: ...

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats: ...


class ProcessRateLimiter:
    """``limits``' moving window in this process's memory, called without awaiting anything.

    Its asyncio storage sweeps expired entries in a task that hands every caller's window to
    a thread, once per request under load (a thread hop per caller); the synchronous storage
    counts the same windows in microseconds and sweeps from one timer thread, so its calls
    are safe to make on the event loop directly.
    """

    def __init__(self) -> None:
        self._limiter = InMemoryMovingWindow(MemoryStorage())

    async def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        return self._limiter.hit(item, *identifiers, cost=cost)

    async def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        return self._limiter.get_window_stats(item, *identifiers)


def open_rate_limiter(redis_url: str | None) -> RateLimiter:
    if redis_url:
        uri = redis_url.replace("redis://", "async+redis://", 1)
        storage = RedisStorage(uri, implementation="redispy", key_prefix="bawaba-limits")
        return MovingWindowRateLimiter(storage)
    return ProcessRateLimiter()
