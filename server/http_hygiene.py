"""Per-request HTTP hygiene: a request ID on every response, and security headers.

The request ID comes from ``X-Request-ID`` when the client (or a proxy) sends a sane one,
or is generated; it is echoed in the response and carried into error ``extensions``, so a
caller reporting a problem and an operator reading the log speak of the same request.
"""

from __future__ import annotations

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
# The pages (GraphiQL, the console) load scripts only from the gateway itself and run no
# inline script; inline styles stay allowed because GraphiQL's editor sets them at run time.
_PAGE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    b"base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'"
)
_API_POLICY = b"default-src 'none'; frame-ancestors 'none'"


def request_id_of(scope: Scope) -> str:
    return str(scope.get("state", {}).get("request_id", "unknown"))


class RequestHygiene:
    """ASGI middleware: request IDs and security headers on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"")
        request_id = given.decode() if _SANE_REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                is_html = any(
                    name == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                headers += [
                    (b"x-request-id", request_id.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", _PAGE_POLICY if is_html else _API_POLICY),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
