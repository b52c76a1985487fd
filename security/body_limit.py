"""Request bodies larger than the limit are refused with 413 before anything reads them."""

from __future__ import annotations

import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from errors import BodyTooLarge
from i18n.catalog import MessageCatalog, negotiate_locale
from telemetry.request_ids import request_id_of
from telemetry.request_log import log_request


class BodySizeLimit:
    """ASGI middleware: at most ``max_bytes`` of request body, else HTTP 413 with a code."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, messages: MessageCatalog) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.messages = messages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_bytes:
            started_at = time.perf_counter()
            await self._refuse(headers, request_id_of(scope), send)
            # Refused before any endpoint saw it: its log line is written here.
            log_request(
                request_id=request_id_of(scope),
                door=str(scope.get("method", "POST")),
                operation="none",
                viewer=None,
                status=413,
                started=started_at,
                error_codes=["REQUEST_TOO_LARGE"],
            )
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(headers, request_id_of(scope), send)

    async def _refuse(self, headers: dict[bytes, bytes], request_id: str, send: Send) -> None:
        language = headers.get(b"accept-language", b"").decode("latin-1")
        locale = negotiate_locale(language)
        message = self.messages.message("REQUEST_TOO_LARGE", locale)
        body = orjson.dumps({"errors": [
            {"message": message,
             "extensions": {"code": "REQUEST_TOO_LARGE", "requestId": request_id}}]})  # fmt: skip
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    # Like every answer of the gateway's (``server.http_endpoint``).
                    (b"content-language", locale.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
