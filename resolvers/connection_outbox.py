"""One WebSocket connection's queue of ready-to-send frames, and the task that writes them.

Groups of subscribers put the same bytes into many outboxes without waiting; each outbox's
writer sends at its own peer's pace. A peer that falls ``capacity`` frames behind is closed
with 4499 (resubscribe with ``after``) instead of being buffered without bound or holding
the others back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger("bawaba.events")

SLOW_SUBSCRIBER_CLOSE_CODE = 4499
SLOW_SUBSCRIBER_REASON = "Too slow: resubscribe with after: <last cursor>"

SendFrame = Callable[[str], Awaitable[None]]
CloseSocket = Callable[[int, str], Awaitable[None]]


class ConnectionOutbox:
    __slots__ = ("_capacity", "_close", "_frames", "_ready", "_room", "_send", "_task", "closed")

    def __init__(self, send: SendFrame, close: CloseSocket, *, capacity: int) -> None:
        self._send = send
        self._close = close
        self._capacity = capacity
        self._frames: collections.deque[str] = collections.deque()
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = asyncio.create_task(self._write())
        self.closed = False

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, frame: str) -> None:
        """Queue a frame without waiting; a full outbox closes the connection as too slow."""
        if self.closed:
            return
        if len(self._frames) >= self._capacity:
            self.close_slow()
            return
        self._frames.append(frame)
        self._ready.set()

    async def put(self, frame: str) -> None:
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
            await self._close(SLOW_SUBSCRIBER_CLOSE_CODE, SLOW_SUBSCRIBER_REASON)

    async def _write(self) -> None:
        frames = self._frames
        try:
            while True:
                await self._ready.wait()
                while frames:
                    await self._send(frames.popleft())
                self._ready.clear()
                self._room.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # the peer went away: the connection's handler cleans up
            self.closed = True
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
