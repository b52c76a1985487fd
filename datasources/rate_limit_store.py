"""Where rate-limit windows are counted: Redis when configured (shared by every process),
else this process's memory. The counting itself is the ``limits`` package's."""

from __future__ import annotations

from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


def open_rate_limiter(redis_url: str | None) -> MovingWindowRateLimiter:
    storage: Storage
    if redis_url:
        uri = redis_url.replace("redis://", "async+redis://", 1)
        storage = RedisStorage(uri, implementation="redispy", key_prefix="bawaba-limits")
    else:
        storage = MemoryStorage()
    return MovingWindowRateLimiter(storage)
