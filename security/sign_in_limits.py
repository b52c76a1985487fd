"""How many failed sign-in attempts are tolerated, and for how long sign-in then locks.

Failures (wrong password or wrong code) are counted per national ID and per client address.
Five failures for an ID, or twenty from one address (the defaults), lock sign-in; each
further lock lasts longer (1 min, 5 min, 15 min, 1 h, 4 h, 24 h), so an attacker gets well
under NIST SP 800-63B's ceiling of 100 consecutive attempts a day while a person who mistypes is
barely slowed. A successful sign-in clears the ID's count. IDs and addresses are keyed by
an HMAC, so the counters' store never holds them in plain text; unknown IDs are counted
like known ones, so the answers never reveal which IDs exist.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from datasources.gateway_store.attempt_counters import AttemptCounters

LOCK_LENGTHS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 4 * 60, 24 * 60))


class SignInLimits:
    def __init__(
        self,
        counters: AttemptCounters,
        secret_key: str,
        *,
        failures_per_id: int,
        failures_per_address: int,
    ) -> None:
        self.counters = counters
        self._key = secret_key.encode()
        self.failures_per_id = failures_per_id
        self.failures_per_address = failures_per_address

    def _name(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:32]}"

    def _keys(self, national_id: str, address: str) -> list[tuple[str, int]]:
        return [
            (self._name("id", national_id), self.failures_per_id),
            (self._name("address", address), self.failures_per_address),
        ]

    async def seconds_locked(self, national_id: str, address: str, *, now: datetime) -> int:
        """How long sign-in stays locked for this ID or address; 0 when it is open."""
        remaining = 0.0
        for key, _ in self._keys(national_id, address):
            state = await self.counters.state(key)
            if state.locked_until is not None and state.locked_until > now:
                remaining = max(remaining, (state.locked_until - now).total_seconds())
        return math.ceil(remaining)

    async def record_failure(self, national_id: str, address: str, *, now: datetime) -> None:
        for key, threshold in self._keys(national_id, address):
            state = await self.counters.add_failure(key, at=now)
            if state.failures >= threshold:
                level = state.lock_level + 1
                length = LOCK_LENGTHS[min(level, len(LOCK_LENGTHS)) - 1]
                await self.counters.lock(key, until=now + length, level=level, at=now)

    async def record_success(self, national_id: str) -> None:
        await self.counters.reset(self._name("id", national_id))
