"""A lean graphql-transport-ws client for the fan-out benchmark's load processes.

With 10,000 subscribers the load clients share the server's two cores, and the websockets
client (a reader task, a queue and a ``recv`` per message, about 85 µs of CPU each) took
more CPU than the server: its own queueing showed up as latency. This client reads each
socket in a reader callback and parses the frames at once: every message is still decoded
in full and checked (type, errors, event cursor) by the caller's handler, every ping
answered, and anything unexpected (a binary, compressed or masked frame, a close, an error
message) ends the subscription with the reason.

Each message comes with two times: when its bytes reached the client's socket (the kernel's
receive timestamp, ``SO_TIMESTAMPNS``), and when this process got round to reading them. On
a machine where the load clients share the server's cores, the second includes the clients'
own wait for a core; the benchmark reports both.

Only what the benchmark needs: no TLS, no extensions, no fragmentation outbound.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import socket
import struct
import time
from collections.abc import Callable
from typing import Any

import orjson

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3
_TEXT, _CONTINUATION, _CLOSE, _PING, _PONG = 0x1, 0x0, 0x8, 0x9, 0xA

# (message, when its bytes reached the socket, when this process read them) -> None;
# raises to end the subscription.
MessageHandler = Callable[[dict[str, Any], float, float], None]
# Linux (asm-generic/socket.h): the kernel stamps each received packet (CLOCK_REALTIME) and
# hands the stamp to recvmsg. Python's socket module does not name it.
SO_TIMESTAMPNS = 35


class ProtocolViolation(Exception):
    """The server sent something a graphql-transport-ws server must not."""


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked frame (RFC 6455 5.3: every client frame is masked)."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    mask = os.urandom(4)
    key = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
    return header + mask + masked


class LeanTransportWS:
    """One connection: the upgrade, then every text frame decoded and handed over."""

    def __init__(self, host: str, path: str, on_message: MessageHandler) -> None:
        self._key = base64.b64encode(os.urandom(16))
        self._request = (
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
            ).encode()
            + b"Sec-WebSocket-Key: "
            + self._key
            + b"\r\n\r\n"
        )
        self._on_message = on_message
        self._buffer = bytearray()
        self._fragments: list[bytes] | None = None
        self._upgraded = False
        self._socket: socket.socket | None = None
        self._loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = self._loop.create_future()
        self.ended: asyncio.Future[None] = self._loop.create_future()

    async def connect(self, hostname: str, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = sock
        try:
            await self._loop.sock_connect(sock, (hostname, port))
        except BaseException:
            sock.close()
            raise
        self._write(self._request)
        self._loop.add_reader(sock.fileno(), self._readable)

    def send(self, message: dict[str, Any]) -> None:
        self._write(client_frame(_TEXT, orjson.dumps(message)))

    def _write(self, data: bytes) -> None:
        # Only small frames go this way (init, subscribe, pongs): the socket's buffer takes
        # them whole, and a client that could not send one is broken, not slow.
        assert self._socket is not None
        if self._socket.send(data) != len(data):
            raise ConnectionError("a client frame did not fit the socket's buffer")

    def close(self) -> None:
        """End the subscription normally (the benchmark is over)."""
        self._end(None)
        sock, self._socket = self._socket, None
        if sock is not None:
            self._loop.remove_reader(sock.fileno())
            with contextlib.suppress(OSError):
                sock.send(client_frame(_CLOSE, struct.pack("!H", 1000)))
            sock.close()

    def _readable(self) -> None:
        assert self._socket is not None
        try:
            data, ancillary, _, _ = self._socket.recvmsg(1 << 18, 64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._fail(error)
            return
        read = time.time()
        if not data:
            self._fail(ConnectionError("the server closed the connection"))
            return
        arrived = read
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = struct.unpack("qq", value[:16])
                arrived = seconds + nanoseconds / 1e9
        buffer = self._buffer
        buffer += data
        try:
            if not self._upgraded and not self._upgrade(buffer):
                return
            self._frames(buffer, arrived, read)
        except Exception as error:  # any of them ends this subscription
            self._fail(error)

    def _fail(self, error: BaseException) -> None:
        self._end(error)
        sock, self._socket = self._socket, None
        if sock is not None:
            self._loop.remove_reader(sock.fileno())
            sock.close()

    def _upgrade(self, buffer: bytearray) -> bool:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        del buffer[: end + 4]
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        accept = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        if head[0].split(" ")[1] != "101" or headers.get("sec-websocket-accept") != accept:
            raise ProtocolViolation(f"upgrade refused: {head[0]}")
        if headers.get("sec-websocket-protocol") != "graphql-transport-ws" or (
            "sec-websocket-extensions" in headers
        ):
            raise ProtocolViolation(f"unexpected upgrade: {headers}")
        self._upgraded = True
        self.opened.set_result(None)
        return True

    def _frames(self, buffer: bytearray, arrived: float, read: float) -> None:
        position, size = 0, len(buffer)
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            if second & 0x80 or first & 0x70:
                raise ProtocolViolation("masked, or an extension's bit set")
            length, start = second & 0x7F, position + 2
            if length == 126:
                if size - position < 4:
                    break
                (length,), start = struct.unpack_from("!H", buffer, start), start + 2
            elif length == 127:
                if size - position < 10:
                    break
                (length,), start = struct.unpack_from("!Q", buffer, start), start + 8
            if size - start < length:
                break
            self._frame(first, bytes(buffer[start : start + length]), arrived, read)
            position = start + length
        del buffer[:position]

    def _frame(self, first: int, payload: bytes, arrived: float, read: float) -> None:
        opcode, final = first & 0x0F, bool(first & 0x80)
        if opcode == _PING:
            self._write(client_frame(_PONG, payload))
            return
        if opcode == _PONG:
            return
        if opcode == _CLOSE:
            code = struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
            raise ConnectionError(f"closed by the server: {code} {payload[2:].decode()}")
        if opcode == _TEXT and self._fragments is None:
            self._fragments = []
        elif opcode != _CONTINUATION or self._fragments is None:
            raise ProtocolViolation(f"unexpected frame, opcode {opcode}")
        self._fragments.append(payload)
        if final:
            whole, self._fragments = b"".join(self._fragments), None
            self._on_message(orjson.loads(whole), arrived, read)

    def _end(self, error: BaseException | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(error or ConnectionError("closed before the upgrade"))
        if not self.ended.done():
            if error is None:
                self.ended.set_result(None)
            else:
                self.ended.set_exception(error)
