"""The last line: an unexpected exception anywhere on the request path is a coded answer.

Whatever escapes the app (a bug, a library's exception nobody translated) becomes a JSON
``INTERNAL_ERROR`` in the caller's language, carrying the request ID; the request-ID and
security-header middlewares sit outside this one, so the answer has their headers too.
The full error is logged once per kind of failure (its type and where it was raised);
repeats are counted and summarised in one line at most once a minute, so a failure that
every request meets cannot flood the log.
"""

from __future__ import annotations

import logging
import time
import traceback

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from i18n.catalog import MessageCatalog, negotiate_locale
from telemetry.request_ids import request_id_of

logger = logging.getLogger("bawaba.errors")
SUMMARY_INTERVAL = 60.0


class RepeatedFailures:
    """Which failures were logged in full, and how often each came back since."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def log(self, error: BaseException, request_id: str) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        key = (type(error).__name__, where)
        now = time.monotonic()
        known = self._seen.get(key)
        if known is None:
            self._seen[key] = (now, 0)
            logger.error("unexpected error (request %s)", request_id, exc_info=error)
            return
        last_summary, repeats = known
        if now - last_summary >= SUMMARY_INTERVAL:
            logger.error(
                "unexpected %s at %s again (request %s; %d more since the last line)",
                key[0], where, request_id, repeats + 1,
            )  # fmt: skip
            self._seen[key] = (now, 0)
        else:
            self._seen[key] = (last_summary, repeats + 1)


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
