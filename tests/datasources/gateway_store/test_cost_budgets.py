"""Cost budgets: a moving window of points, spent and reported in one step, on both stores."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from datasources.gateway_store.cost_budgets import CostBudgets, MemoryCostBudgets, RedisCostBudgets


class Clock:
    """Seconds since the epoch, moved by the test only."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def memory_budgets() -> tuple[CostBudgets, Clock]:
    clock = Clock()
    return MemoryCostBudgets(clock=clock), clock


@pytest.fixture
async def redis_budgets(redis_url: str) -> AsyncIterator[tuple[CostBudgets, Clock]]:
    clock = Clock()
    client = Redis.from_url(redis_url)
    namespace = f"test:cost:{secrets.token_hex(6)}:"
    try:
        yield RedisCostBudgets(client, namespace=namespace, clock=clock), clock
    finally:
        keys = [key async for key in client.scan_iter(match=namespace + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture(params=["memory_budgets", "redis_budgets"])
def budgets(request: pytest.FixtureRequest) -> tuple[CostBudgets, Clock]:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


async def test_spends_until_the_budget_is_gone(budgets) -> None:
    store, clock = budgets
    first = await store.spend("person:1", cost=1264, limit=3000, window_seconds=60)
    clock.now += 1
    second = await store.spend("person:1", cost=1264, limit=3000, window_seconds=60)
    clock.now += 1
    third = await store.spend("person:1", cost=1264, limit=3000, window_seconds=60)

    assert (first.allowed, first.remaining) == (True, 3000 - 1264)
    assert (second.allowed, second.remaining) == (True, 3000 - 2 * 1264)
    assert (third.allowed, third.remaining) == (False, 3000 - 2 * 1264)
    assert third.reset_in == pytest.approx(58)  # when the first spend leaves the window


async def test_points_come_back_as_spends_leave_the_window(budgets) -> None:
    store, clock = budgets
    await store.spend("person:1", cost=2000, limit=3000, window_seconds=60)
    clock.now += 30
    await store.spend("person:1", cost=1000, limit=3000, window_seconds=60)
    clock.now += 31  # the first spend is now older than the window

    again = await store.spend("person:1", cost=2000, limit=3000, window_seconds=60)

    assert again.allowed
    assert again.remaining == 0
    assert again.reset_in == pytest.approx(29)


async def test_each_caller_has_its_own_budget(budgets) -> None:
    store, _ = budgets
    greedy = await store.spend("person:1", cost=3000, limit=3000, window_seconds=60)
    other = await store.spend("person:2", cost=10, limit=3000, window_seconds=60)
    refused = await store.spend("person:1", cost=1, limit=3000, window_seconds=60)

    assert greedy.allowed and other.allowed
    assert other.remaining == 2990
    assert not refused.allowed


async def test_an_operation_dearer_than_the_whole_budget_is_refused(budgets) -> None:
    store, _ = budgets
    refused = await store.spend("person:1", cost=3001, limit=3000, window_seconds=60)
    assert not refused.allowed
    assert refused.remaining == 3000
