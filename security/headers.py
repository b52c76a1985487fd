"""Security headers on every HTTP response: no sniffing, no referrer, a strict CSP.

The pages (GraphiQL, the console) load scripts only from the gateway itself and run no
inline script; inline styles stay allowed because GraphiQL's editor sets them at run time.
Everything else is data, which may load nothing at all.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PAGE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    b"base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'none'"
)
_API_POLICY = b"default-src 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware: the security headers, with the CSP chosen by the content type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                is_html = any(
                    name == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", _PAGE_POLICY if is_html else _API_POLICY),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
