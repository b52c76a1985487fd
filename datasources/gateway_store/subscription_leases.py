"""Leases on live-subscription slots: how many subscriptions each person holds right now.

In one process a count in memory is the truth. With Redis, every process takes its leases
in one sorted set per person (member: the lease, score: when it lapses), with a script that
drops lapsed leases, counts and adds in one step, so a person cannot pass the limit by
spreading sockets over processes. Each process renews the leases it holds; a process that
dies stops renewing, and its leases lapse after ``LEASE_SECONDS`` instead of holding the
person's slots forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from errors import RegistryUnavailable

logger = logging.getLogger("bawaba.subscriptions")
LEASE_SECONDS = 60.0
RENEW_EVERY_SECONDS = LEASE_SECONDS / 3


class SubscriptionLeases(Protocol):
    async def take(self, holder: str, lease: str, *, limit: int) -> bool:
        """Take a lease unless ``holder`` already holds ``limit``; whether it was taken."""
        ...

    async def release(self, holder: str, lease: str) -> None: ...

    async def held_by(self, holder: str) -> int: ...


class LocalSubscriptionLeases:
    """This process's leases (the embedded default, and tests)."""

    def __init__(self) -> None:
        self._held: dict[str, set[str]] = {}

    async def take(self, holder: str, lease: str, *, limit: int) -> bool:
        leases = self._held.setdefault(holder, set())
        if len(leases) >= limit:
            return False
        leases.add(lease)
        return True

    async def release(self, holder: str, lease: str) -> None:
        leases = self._held.get(holder)
        if leases is not None:
            leases.discard(lease)
            if not leases:
                del self._held[holder]

    async def held_by(self, holder: str) -> int:
        return len(self._held.get(holder, ()))


# KEYS[1]: the holder's leases. ARGV: now, lapse time, limit, lease.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""


class RedisSubscriptionLeases:
    """Leases shared by every process through Redis, renewed while this process lives."""

    def __init__(self, client: Redis, *, namespace: str = "bawaba:subscription-leases:") -> None:
        self.client = client
        self.namespace = namespace
        self._take = client.register_script(_TAKE)
        self._mine: dict[str, set[str]] = {}
        self._renewal: asyncio.Task[None] | None = None

    def _key(self, holder: str) -> str:
        return f"{self.namespace}{holder}"

    async def take(self, holder: str, lease: str, *, limit: int) -> bool:
        now = time.time()
        try:
            taken = await self._take(
                keys=[self._key(holder)], args=[now, now + LEASE_SECONDS, limit, lease]
            )
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry="redis") from error
        if taken:
            self._mine.setdefault(holder, set()).add(lease)
            self._start_renewing()
        return bool(taken)

    async def release(self, holder: str, lease: str) -> None:
        mine = self._mine.get(holder)
        if mine is not None:
            mine.discard(lease)
            if not mine:
                del self._mine[holder]
        with contextlib.suppress(RedisError, OSError):  # it lapses by itself otherwise
            await self.client.zrem(self._key(holder), lease)

    async def held_by(self, holder: str) -> int:
        try:
            now = time.time()
            return int(await self.client.zcount(self._key(holder), now, "+inf"))
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry="redis") from error

    def _start_renewing(self) -> None:
        if self._renewal is None or self._renewal.done():
            self._renewal = asyncio.create_task(self._renew_forever())

    async def _renew_forever(self) -> None:
        while self._mine:
            await asyncio.sleep(RENEW_EVERY_SECONDS)
            lapse = time.time() + LEASE_SECONDS
            try:
                async with self.client.pipeline(transaction=False) as pipe:
                    for holder, leases in tuple(self._mine.items()):
                        pipe.zadd(self._key(holder), dict.fromkeys(leases, lapse), xx=True)
                        pipe.expireat(self._key(holder), int(lapse) + 1)
                    await pipe.execute()
            except (RedisError, OSError):
                logger.warning("subscription leases could not be renewed; trying again")

    async def close(self) -> None:
        if self._renewal is not None:
            self._renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewal
