"""The last line: an unexpected exception anywhere on the request path is a coded answer.

Whatever escapes the app (a bug, a library's exception nobody translated) becomes a JSON
``INTERNAL_ERROR`` in the caller's language, carrying the request ID; the request-ID and
security-header middlewares sit outside this one, so the answer has their headers too.
The full error is logged once per kind of failure, repeats summarised
(``telemetry.repeated_failures``). An operation's own failures are answered by the admission
pipeline (``pipeline.admission``), whatever door it came through; this catches the rest.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from i18n.catalog import MessageCatalog, negotiate_locale
from telemetry.repeated_failures import RepeatedFailures
from telemetry.request_ids import request_id_of


class ErrorBoundary:
    """ASGI middleware: no exception leaves as a bare 500."""

    def __init__(self, app: ASGIApp, *, messages: MessageCatalog) -> None:
        self.app = app
        self.messages = messages
        self.failures = RepeatedFailures()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            request_id = request_id_of(scope)
            self.failures.log(error, request_id)
            if not started:
                await self._answer(scope, send, request_id)

    async def _answer(self, scope: Scope, send: Send, request_id: str) -> None:
        language = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        locale = negotiate_locale(language)
        body = orjson.dumps({"errors": [{
            "message": self.messages.message("INTERNAL_ERROR", locale),
            "extensions": {"code": "INTERNAL_ERROR", "requestId": request_id},
        }]})  # fmt: skip
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"content-language", locale.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
