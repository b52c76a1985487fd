"""The outbox's two paths: straight to the transport, and queued while the peer is behind."""

from __future__ import annotations

import asyncio

from errors import SubscriberTooSlow
from live.connection_outbox import ConnectionOutbox
from live.direct_frames import DirectFrames


class FakeTransport(DirectFrames):
    """DirectFrames over a transport whose backlog the test sets: ready, or backed up."""

    __slots__ = ("_drained", "gone", "written")

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self._drained = asyncio.Event()
        self._drained.set()
        self.gone = False

    def back_up(self) -> None:
        self._drained.clear()

    def drain(self) -> None:
        self._drained.set()

    @property
    def usable(self) -> bool:
        return True

    @property
    def ready(self) -> bool:
        return self._drained.is_set() and not self.gone

    @property
    def closed(self) -> bool:
        return self.gone

    def write(self, frame: bytes) -> None:
        assert self.ready, "written while backed up"
        self.written.append(frame)

    async def writable(self) -> None:
        await self._drained.wait()


async def never_send(_: str) -> None:
    raise AssertionError("a direct outbox never sends through ASGI")


async def settle(condition, attempts: int = 100) -> None:
    for _ in range(attempts):
        if condition():
            return
        await asyncio.sleep(0.01)


def frame(number: int) -> bytes:
    return f"frame {number}".encode()


async def test_frames_go_straight_to_a_ready_transport_without_a_task() -> None:
    transport = FakeTransport()
    outbox = ConnectionOutbox(never_send, never_close, capacity=3, direct=transport)

    for number in range(10):  # more than the capacity: none of them waits
        outbox.push(frame(number))

    assert transport.written == [frame(n) for n in range(10)]
    assert len(outbox) == 0 and outbox._task is None
    assert not outbox.closed


async def test_nothing_is_lost_repeated_or_reordered_across_the_switch() -> None:
    transport = FakeTransport()
    outbox = ConnectionOutbox(never_send, never_close, capacity=10, direct=transport)

    outbox.push(frame(1))
    outbox.push(frame(2))
    transport.back_up()
    outbox.push(frame(3))  # queued: the transport is above its high-water mark
    outbox.push(frame(4))
    await asyncio.sleep(0.01)
    assert transport.written == [frame(1), frame(2)]
    transport.drain()
    outbox.push(frame(5))  # ready again, but 3 and 4 still wait: 5 must not overtake them
    await settle(lambda: len(transport.written) == 5)
    outbox.push(frame(6))  # the queue is empty again: straight through

    assert transport.written == [frame(n) for n in range(1, 7)]
    assert len(outbox) == 0
    await settle(lambda: outbox._task is None)
    assert outbox._task is None


async def test_a_backed_up_transport_that_overflows_the_outbox_is_closed_4499() -> None:
    transport = FakeTransport()
    closed: list[int] = []

    async def close(code: int, _: str) -> None:
        closed.append(code)

    outbox = ConnectionOutbox(never_send, close, capacity=3, direct=transport)
    outbox.push(frame(0))
    transport.back_up()
    for number in range(1, 5):  # 1, 2 and 3 fill the outbox; 4 overflows it
        outbox.push(frame(number))
    await settle(lambda: closed == [SubscriberTooSlow.close_code])
    transport.drain()
    outbox.push(frame(5))
    await asyncio.sleep(0.01)

    assert closed == [SubscriberTooSlow.close_code]
    assert outbox.closed
    assert transport.written == [frame(0)]  # nothing after the close, no partial stream
    assert outbox._task is None


async def test_a_peer_that_leaves_while_backed_up_ends_the_drain() -> None:
    transport = FakeTransport()
    transport.back_up()
    outbox = ConnectionOutbox(never_send, never_close, capacity=5, direct=transport)
    outbox.push(frame(1))
    transport.gone = True
    transport.drain()  # as uvicorn does on connection_lost
    await settle(lambda: outbox._task is None)

    assert outbox.closed and len(outbox) == 0 and transport.written == []


async def never_close(code: int, _: str) -> None:
    raise AssertionError(f"closed with {code}")
