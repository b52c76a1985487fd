"""The connection to Redis, when configured: shared state for several gateway processes.

Events, rate limits and sign-in counters use it as they arrive; today the gateway opens it,
reports it in ``/readyz`` and closes it, so a misconfigured URL shows at once.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from errors import RegistryUnavailable


class RedisStore:
    name = "redis"

    def __init__(self, url: str) -> None:
        self.client: Redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)

    async def ping(self) -> None:
        try:
            await self.client.ping()
        except (RedisError, OSError) as error:
            raise RegistryUnavailable(registry=self.name) from error

    async def close(self) -> None:
        await self.client.aclose()
