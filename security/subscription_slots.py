"""How many live subscriptions one person may hold at once in this process.

Both ways a subscription is served (its own generator, or a seat in a shared group) take a
slot here before they start and give it back when they end, so one count covers both.
"""

from __future__ import annotations

from errors import SubscriptionLimitReached


class SubscriptionSlots:
    """Counts each person's open subscriptions against ``limit``."""

    def __init__(self, *, limit: int) -> None:
        self.limit = limit
        self._held: dict[str, int] = {}

    def held_by(self, holder: str) -> int:
        return self._held.get(holder, 0)

    def has_room(self, holder: str) -> bool:
        return self.held_by(holder) < self.limit

    def take(self, holder: str) -> None:
        """Take a slot for ``holder``; ``SubscriptionLimitReached`` when none is left."""
        if not self.has_room(holder):
            raise SubscriptionLimitReached(limit=self.limit)
        self._held[holder] = self.held_by(holder) + 1

    def release(self, holder: str) -> None:
        remaining = self.held_by(holder) - 1
        if remaining > 0:
            self._held[holder] = remaining
        else:
            self._held.pop(holder, None)
