"""One WebSocket connection's queue of ready-to-send frames, and the task that drains it.

Groups of subscribers put the same bytes into many outboxes without waiting. Where the
server offers ``DirectFrames`` (``live.direct_frames``), a frame goes straight to the
transport while nothing is queued and the transport is below its high-water mark: no task,
no ASGI round trip. Otherwise (the peer reads slowly, or the connection compresses, or
another server runs the app) frames queue here and one task per backed-up connection sends
them at that peer's pace, in order; direct writes resume only once the queue is empty, so
nothing overtakes. A peer that falls ``capacity`` frames behind is closed with 4499
(resubscribe with ``after``) instead of being buffered without bound or holding the others
back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable

from errors import SubscriberTooSlow
from live.direct_frames import DirectFrames

logger = logging.getLogger("bawaba.events")


SendFrame = Callable[[str], Awaitable[None]]
CloseSocket = Callable[[int, str], Awaitable[None]]
# Text through ASGI; or, with DirectFrames, whole WebSocket frames (header included).
Frame = str | bytes


class ConnectionOutbox:
    __slots__ = ("_capacity", "_close", "_direct", "_frames", "_room", "_send", "_task", "closed")

    def __init__(
        self,
        send: SendFrame,
        close: CloseSocket,
        *,
        capacity: int,
        direct: DirectFrames | None = None,
    ) -> None:
        self._send = send
        self._close = close
        self._capacity = capacity
        self._direct = direct
        self._frames: collections.deque[Frame] = collections.deque()
        self._room = asyncio.Event()
        # Started only while frames wait: an idle connection holds no task.
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def direct(self) -> bool:
        """Whether frames pushed here must be whole WebSocket frames (bytes), not text."""
        return self._direct is not None

    def push(self, frame: Frame) -> None:
        """Send or queue a frame without waiting; a full outbox closes the connection."""
        if self.closed:
            return
        direct = self._direct
        if direct is not None and not self._frames and direct.ready:
            direct.write(frame)  # type: ignore[arg-type]  # with DirectFrames, frames are bytes (Frame)
            return
        if len(self._frames) >= self._capacity:
            self.close_slow()
            return
        self._frames.append(frame)
        if self._task is None:
            drain = self._drain_direct() if direct is not None else self._write()
            self._task = asyncio.get_running_loop().create_task(drain)

    async def put(self, frame: Frame) -> None:
        """Queue a frame once there is room (catch-up paces itself to the peer)."""
        while len(self._frames) >= self._capacity // 2 and not self.closed:
            self._room.clear()
            await self._room.wait()
        self.push(frame)

    def close_slow(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._frames.clear()
        self._room.set()
        self._stop_writer()
        # The writer may be stuck on this peer; the close frame goes out on its own.
        asyncio.get_running_loop().create_task(self._close_quietly())

    async def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):
            await self._close(SubscriberTooSlow.close_code, SubscriberTooSlow.close_reason)

    async def _write(self) -> None:
        """Through ASGI, one frame at a time, until the queue is empty."""
        frames = self._frames
        try:
            while frames:
                await self._send(frames.popleft())  # type: ignore[arg-type]  # without DirectFrames, frames are text
        except asyncio.CancelledError:
            raise
        except Exception:  # the peer went away: the connection's handler cleans up
            self.closed = True
        self._finish_drain()

    async def _drain_direct(self) -> None:
        """Straight to the transport each time it drains, until the queue is empty."""
        frames = self._frames
        direct = self._direct
        assert direct is not None
        while frames:
            await direct.writable()
            if direct.closed:  # the peer went away: the connection's handler cleans up
                self.closed = True
                frames.clear()
                break
            # No await between taking a frame and writing it: none is ever in flight, so
            # `push` may write directly as soon as the queue is empty.
            while frames and direct.ready:
                direct.write(frames.popleft())  # type: ignore[arg-type]  # with DirectFrames, frames are bytes
        self._finish_drain()

    def _finish_drain(self) -> None:
        self._task = None
        self._room.set()

    def _stop_writer(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def aclose(self) -> None:
        self.closed = True
        self._room.set()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
