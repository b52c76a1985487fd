"""A request ID on every request and response, and the way to read it back.

The ID comes from ``X-Request-ID`` when the client (or a proxy) sends a sane one, or is
generated; it is echoed in the response and carried into error ``extensions``, so a caller
reporting a problem and an operator reading the log speak of the same request.
"""

from __future__ import annotations

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "unknown"))


class RequestIds:
    """ASGI middleware: gives each HTTP request and WebSocket its ID, echoed in responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"")
        request_id = given.decode() if _SANE_REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), echoed]}
            await send(message)

        await self.app(scope, receive, send_with_id)
