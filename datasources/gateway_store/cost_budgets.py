"""Query-cost budgets per caller: spend points and learn what remains, in one step.

A moving window, exact like the ``limits`` package's, but counted per request rather than
per point: spending 1,264 points is one entry, not 1,264, and the check, the spend and the
report (remaining points, seconds until the oldest spend leaves the window) come back
together. On Redis that is one script call, one round trip per request; without Redis
the same arithmetic runs in this process's memory.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from errors import RegistryUnavailable


@dataclass(frozen=True, slots=True)
class BudgetSpend:
    allowed: bool
    remaining: int
    reset_in: float  # seconds until the oldest spend in the window frees its points


class CostBudgets(Protocol):
    async def spend(
        self, key: str, *, cost: int, limit: int, window_seconds: int
    ) -> BudgetSpend: ...


# KEYS: the window's entries (a sorted set of "cost:id" by time in ms) and their running
# total. ARGV: now (ms), window (ms), limit, cost, a unique id for this spend.
_SPEND = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, cost = tonumber(ARGV[3]), tonumber(ARGV[4])
local horizon = now - window
local used = redis.call('GET', KEYS[2])
if used then
    used = tonumber(used)
    for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', horizon)) do
        used = used - tonumber(string.match(entry, '^(%d+):'))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', horizon)
else
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', horizon)
    used = 0
    for _, entry in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
        used = used + tonumber(string.match(entry, '^(%d+):'))
    end
end
local allowed = 0
if used + cost <= limit then
    redis.call('ZADD', KEYS[1], now, cost .. ':' .. ARGV[5])
    used = used + cost
    allowed = 1
end
redis.call('SET', KEYS[2], used, 'PX', window)
redis.call('PEXPIRE', KEYS[1], window)
local reset = window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, limit - used, reset}
"""


class RedisCostBudgets:
    """Budgets shared by every process through Redis: one script call per spend."""

    name = "redis"

    def __init__(
        self,
        client: Redis,
        *,
        namespace: str = "bawaba:cost:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._script = client.register_script(_SPEND)
        self.namespace = namespace
        self.clock = clock

    async def spend(self, key: str, *, cost: int, limit: int, window_seconds: int) -> BudgetSpend:
        # The budget's size is part of the key, as in ``limits``: a new size starts afresh.
        name = f"{self.namespace}{limit}/{window_seconds}:{key}"
        arguments = [int(self.clock() * 1000), window_seconds * 1000, limit, cost]
        try:
            allowed, remaining, reset_ms = await self._script(
                keys=[name + ":entries", name + ":total"],
                args=[*arguments, secrets.token_hex(8)],
            )
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error
        return BudgetSpend(bool(allowed), int(remaining), int(reset_ms) / 1000)


class MemoryCostBudgets:
    """Budgets of this process only (the embedded default, without Redis).

    Also the in-memory store of request rate limits (``rate_limit_store``), so windows of
    different lengths live side by side: each key remembers its own.
    """

    _SWEEP_EVERY = 10_000

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        # key -> (spends as (time, cost), [their total], the window's length in seconds)
        self._windows: dict[str, tuple[deque[tuple[float, int]], list[int], int]] = {}
        self._spends = 0

    async def spend(self, key: str, *, cost: int, limit: int, window_seconds: int) -> BudgetSpend:
        now = self.clock()
        self._spends += 1
        if self._spends % self._SWEEP_EVERY == 0:
            self._forget_idle(now)
        entries, total, _ = self._windows.setdefault(key, (deque(), [0], window_seconds))
        while entries and entries[0][0] <= now - window_seconds:
            total[0] -= entries.popleft()[1]
        allowed = total[0] + cost <= limit
        if allowed and cost:
            entries.append((now, cost))
            total[0] += cost
        reset_in = entries[0][0] + window_seconds - now if entries else float(window_seconds)
        if not entries:
            del self._windows[key]  # nothing to remember: callers come and go
        return BudgetSpend(allowed, limit - total[0], reset_in)

    def _forget_idle(self, now: float) -> None:
        """Drop callers whose every spend left the window, so memory follows active callers."""
        idle = [
            key
            for key, (entries, _, window_seconds) in self._windows.items()
            if entries[-1][0] <= now - window_seconds
        ]
        for key in idle:
            del self._windows[key]


def open_cost_budgets(client: Redis | None) -> CostBudgets:
    return RedisCostBudgets(client) if client is not None else MemoryCostBudgets()
