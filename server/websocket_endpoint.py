"""The /graphql WebSocket: the handshake, then the protocol the client asked for.

Offered subprotocols are graphql-transport-ws (preferred) and the legacy graphql-ws; a
handshake naming neither is closed with 4406. A browser on another origin is refused at
the handshake (HTTP 403) unless ``cors_origins`` lists it: a WebSocket carries the page's
cookies, and no CORS preflight protects it.
"""

from __future__ import annotations

# Strawberry's origin comparisons: tests/test_library_internals.py
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http.websocket_origin import is_same_origin, normalize_origin

from i18n.catalog import MessageCatalog
from live.subscriber_groups import SubscriberGroups
from pipeline.admission import AdmissionPipeline
from security.authentication import Authenticator
from server import legacy_ws, transport_ws
from server.socket_protocol import SocketLimits
from server.socket_sessions import OpenSockets, SocketSession

logger = logging.getLogger("bawaba.websocket")
SUBPROTOCOLS = (transport_ws.PROTOCOL, legacy_ws.PROTOCOL)


class GraphQLWebSocket:
    """ASGI endpoint of the GraphQL WebSocket protocols."""

    def __init__(
        self,
        *,
        pipeline: AdmissionPipeline,
        authenticator: Authenticator,
        clock: Callable[[], datetime],
        sockets: OpenSockets,
        groups: SubscriberGroups | None,
        limits: SocketLimits,
        messages: MessageCatalog,
        allowed_origins: Sequence[str],
    ) -> None:
        self.pipeline = pipeline
        self.authenticator = authenticator
        self.clock = clock
        self.sockets = sockets
        self.groups = groups
        self.limits = limits
        self.messages = messages
        self.allowed_origins = {
            normalized for origin in allowed_origins if (normalized := normalize_origin(origin))
        }
        self.any_origin = "*" in allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        if not self.origin_allowed(websocket):
            await websocket.close(code=1008)  # before accept: the handshake gets HTTP 403
            return
        offered = [
            p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",")
        ]
        chosen = next((p for p in SUBPROTOCOLS if p in offered), None)
        await websocket.accept(subprotocol=chosen)
        if chosen is None:
            await websocket.close(code=4406, reason="Subprotocol not acceptable")
            return
        session = SocketSession(
            authenticator=self.authenticator,
            clock=self.clock,
            client_address=websocket.client.host if websocket.client else "unknown",
            close=lambda code, reason: websocket.close(code=code, reason=reason),
        )
        if chosen == transport_ws.PROTOCOL:
            await transport_ws.TransportWSProtocol(
                websocket,
                pipeline=self.pipeline,
                session=session,
                sockets=self.sockets,
                limits=self.limits,
                messages=self.messages,
                groups=self.groups,
            ).serve()
        else:
            await legacy_ws.LegacyWSProtocol(
                websocket,
                pipeline=self.pipeline,
                session=session,
                sockets=self.sockets,
                limits=self.limits,
                messages=self.messages,
            ).serve()

    def origin_allowed(self, websocket: WebSocket) -> bool:
        headers = websocket.headers
        origin = headers.get("origin")
        if origin is None or self.any_origin:
            return True  # not a browser: no ambient credentials to abuse
        if headers.get("sec-fetch-site") == "same-origin" or is_same_origin(
            origin, headers.get("host")
        ):
            return True
        if normalize_origin(origin) in self.allowed_origins:
            return True
        logger.warning("refused a WebSocket from origin %r", origin)
        return False
