"""The gateway schema (execution/schema.py): a long-lived subscription does not keep what it
delivered alive.

graphql-core 3.3 shares a memo between the per-event copies of a subscription's executor;
without ``schema.PerEventMemoExecutionContext`` every delivery kept about 4 KB forever.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

from demo.demo_population import demo_permit_id
from gateway import gateway_of
from tests.support.contract_documents import contract_document
from tests.support.factories import dashboard_context, permit_event


async def test_deliveries_do_not_accumulate(gateway) -> None:
    services = gateway_of(gateway.app).services
    permit_id = demo_permit_id(1)
    permit = (await services.registries.passports.permits_by_ids([permit_id]))[permit_id]
    stream = await gateway_of(gateway.app).schema.subscribe(
        contract_document("dashboard/LivePermits.graphql"),
        context_value=dashboard_context(services),
    )
    fan_out = services.events
    position = fan_out.position

    async def deliver(count: int) -> None:
        nonlocal position
        for _ in range(count):
            position += 1
            fan_out.deliver([permit_event(position, permit)], position)
            result = await stream.__anext__()
            assert result.errors is None, result.errors

    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.1)  # subscribed
    position += 1
    fan_out.deliver([permit_event(position, permit)], position)
    await first
    await deliver(200)  # warm every cache
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    await deliver(2000)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    await stream.aclose()
    # Unfixed, 2,000 deliveries kept about 8 MB; allow a tenth of that for noise.
    assert grown < 800_000, grown
