"""WebSocket text frames written straight to a connection's transport, for the fan-out.

A group sends one event to thousands of connections. Through ASGI each delivery costs a
task switch, Starlette's and uvicorn's ``send`` coroutines and the websockets framing, about
100 µs; the bytes differ between members only by the operation id. So the group builds the
frame of each member from shared parts (a frame header, the member's ``{"id":…`` prefix, the
shared payload) and writes it to the transport itself, in the same loop turn.

That needs the transport, which ASGI does not hand out. ``DirectFramesWebSocketProtocol``
is uvicorn's ``websockets-sansio`` protocol (what ``--ws auto`` picks) with one addition: it
puts a ``DirectFrames`` for the connection in the scope's ``extensions`` (the ASGI slot for
server-specific features, one dict per extension: ``{"frames": DirectFrames}``). Under any
other server or protocol there is none, and frames go through ASGI as before.

Writing beside the protocol is sound because a server's data frames carry no state: they
are not masked, and without extensions not compressed. So:

- a connection that negotiated an extension (per-message deflate) gets no ``DirectFrames``
  use: ``usable`` is false and its frames go through ASGI, compressed by websockets;
- a frame is written only while the transport is below its high-water mark (the protocol's
  own ``writable``, which ``pause_writing`` clears) and before any close frame; otherwise the
  caller queues it (``live.connection_outbox``), which keeps order and, when the queue
  overflows, closes the connection as too slow (4499).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

# uvicorn's internal protocol class, subclassed and read: tests/test_library_internals.py
from uvicorn._types import WebSocketScope
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

EXTENSION = "bawaba.direct_frames"
_TEXT_FINAL = 0x81  # FIN and opcode 1 (text); RSV bits clear: no extension


def text_frame_header(length: int) -> bytes:
    """The header of an unmasked, final text frame carrying ``length`` bytes (RFC 6455 5.2)."""
    if length < 126:
        return bytes((_TEXT_FINAL, length))
    if length < 1 << 16:
        return struct.pack("!BBH", _TEXT_FINAL, 126, length)
    return struct.pack("!BBQ", _TEXT_FINAL, 127, length)


class DirectFrames:
    """Writes whole text frames to one connection's transport, when that is safe now."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @property
    def usable(self) -> bool:
        """Whether frames may bypass the protocol at all: no extension was negotiated."""
        return not self._protocol.conn.extensions

    @property
    def ready(self) -> bool:
        """Open, no close frame sent, and the transport's buffer below its high-water mark."""
        protocol = self._protocol
        # Checked for every delivery, so only what can change while the connection lives:
        # a peer's close frame or a lost connection close the transport at once.
        return (
            protocol.writable.is_set()
            and not protocol.close_sent
            and not protocol.transport.is_closing()
        )

    @property
    def closed(self) -> bool:
        """Nothing more may be written: the peer left, or a close frame went either way."""
        protocol = self._protocol
        return (
            protocol.disconnected
            or protocol.close_sent
            or protocol.conn.state is not State.OPEN
            or protocol.transport.is_closing()
        )

    def write(self, frame: bytes) -> None:
        self._protocol.transport.write(frame)

    async def writable(self) -> None:
        """Until the transport has drained below its low-water mark (or the peer left)."""
        await self._protocol.writable.wait()


class DirectFramesWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websockets protocol, offering ``DirectFrames`` to the app."""

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The app's task is created but has not run yet: it sees the extension. A refused
        # handshake has no scope.
        scope: WebSocketScope | None = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][EXTENSION] = {"frames": DirectFrames(self)}


def direct_frames_of(scope: Mapping[str, Any]) -> DirectFrames | None:
    """The connection's ``DirectFrames``, if the server offers them and no extension is on."""
    offered = (scope.get("extensions") or {}).get(EXTENSION) or {}
    frames = offered.get("frames")
    if isinstance(frames, DirectFrames) and frames.usable:
        return frames
    return None
