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
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

logger = logging.getLogger("bawaba.events")

SLOW_SUBSCRIBER_CLOSE_CODE = 4499
SLOW_SUBSCRIBER_REASON = "Too slow: resubscribe with after: <last cursor>"

SendFrame = Callable[[bytes], Coroutine[Any, Any, None]]
CloseSocket = Callable[[int, str], Awaitable[None]]


class ConnectionOutbox:
    __slots__ = (
        "_capacity",
        "_close",
        "_frames",
        "_idle",
        "_ready",
        "_room",
        "_send",
        "_task",
        "_unfinished",
        "closed",
    )

    def __init__(self, send: SendFrame, close: CloseSocket, *, capacity: int) -> None:
        self._send = send
        self._close = close
        self._capacity = capacity
        self._frames: collections.deque[bytes] = collections.deque()
        self._ready = asyncio.Event()
        self._room = asyncio.Event()
        # True while nothing is queued or being sent: a frame may then go out at once.
        self._idle = True
        self._unfinished: tuple[Coroutine[Any, Any, None], object] | None = None
        self._task: asyncio.Task[None] | None = asyncio.create_task(self._write())
        self.closed = False

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, frame: bytes) -> None:
        """Queue a frame without waiting; a full outbox closes the connection as too slow."""
        if self.closed:
            return
        if self._idle:
            self._send_now(frame)
            return
        if len(self._frames) >= self._capacity:
            self.close_slow()
            return
        self._frames.append(frame)
        self._ready.set()

    def _send_now(self, frame: bytes) -> None:
        """Run the send right here: with a peer that keeps up it completes without waiting,
        which saves a task switch per frame (the bulk of a delivery's cost)."""
        sending = self._send(frame)
        try:
            waiting = sending.send(None)
        except StopIteration:
            return
        except Exception:  # the peer went away: the connection's handler cleans up
            self.closed = True
            return
        # The peer is behind: the writer finishes this send before any later frame.
        self._unfinished = (sending, waiting)
        self._idle = False
        self._ready.set()

    async def put(self, frame: bytes) -> None:
        """Queue a frame once there is room (catch-up paces itself to the peer)."""
        while len(self._frames) >= self._capacity // 2 and not self.closed:
            self._room.clear()
            await self._room.wait()
        self.push(frame)

    def close_slow(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._idle = False
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
                self._idle = not frames and self._unfinished is None
                await self._ready.wait()
                self._idle = False
                if self._unfinished is not None:
                    sending, waiting = self._unfinished
                    self._unfinished = None
                    await _finish(sending, waiting)
                while frames:
                    await self._send(frames.popleft())
                self._ready.clear()
                self._room.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # the peer went away: the connection's handler cleans up
            self.closed = True
            self._idle = False
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


async def _finish(sending: Coroutine[Any, Any, None], waiting: object) -> None:
    """Drive a started send to its end, as a task would: wait for what it waits on, resume."""
    try:
        while True:
            if isinstance(waiting, asyncio.Future):
                await asyncio.wait({waiting})
            else:
                await asyncio.sleep(0)
            waiting = sending.send(None)
    except StopIteration:
        return
    finally:
        sending.close()
