"""A subscriber that falls behind is cut off with a clear code instead of buffering forever."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace

import pytest

from datasources.event_bus import EventFanOut
from datasources.passports.change_log import PermitEvent
from errors import SubscriberTooSlow
from gateway import gateway_of
from resolvers.live_status import travel_permit_status_changed
from tests.support.factories import dashboard_context, permit_event


def event(number: int) -> PermitEvent:
    permit = SimpleNamespace(id=f"p{number}", traveller_id="1112045875", guardian_id="1084592631")
    return permit_event(number, permit, "PENDING")


async def test_an_overflowing_subscriber_is_cut_off(gateway) -> None:
    services = gateway_of(gateway.app).services
    fan_out = EventFanOut(capacity=3)
    fan_out.position = start = services.events.position
    context = dashboard_context(replace(services, events=fan_out))
    received = []

    async def consume() -> None:
        async for item in travel_permit_status_changed(SimpleNamespace(context=context)):  # type: ignore[arg-type]
            received.append(item)

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0.05)  # subscribed, waiting for events
    # Ten events arrive before the subscriber gets to read: more than its buffer of three.
    fan_out.deliver([event(start + n) for n in range(1, 11)], start + 10)
    with pytest.raises(SubscriberTooSlow):  # its socket is then closed with close_code
        await asyncio.wait_for(consumer, timeout=2)

    assert received == []  # cut off, not served a partial, gapped stream
    assert fan_out.subscriber_count == 0


async def test_a_subscriber_that_keeps_up_gets_every_event(gateway) -> None:
    fan_out = EventFanOut(capacity=3)
    subscription = fan_out.subscribe()
    received = []

    async def consume() -> None:
        async for item in subscription:
            received.append(item.id)
            if len(received) == 10:
                return

    consumer = asyncio.create_task(consume())
    for n in range(1, 11):
        fan_out.deliver([event(n)], n)
        await asyncio.sleep(0)
    await asyncio.wait_for(consumer, timeout=2)
    assert received == list(range(1, 11))
