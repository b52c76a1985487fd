"""A WebSocket's session: who it speaks for, until when, and the sockets of this process.

A socket authenticates once, in ``connection_init`` (browsers cannot set a WebSocket's
headers), with the same bearer tokens as HTTP. Its credentials are then checked again
before every operation (``SocketSession.current_viewer``) and, without waiting for one:

- when the access token expires, the socket is closed with 4403 ``Token expired``; the
  client reconnects with a fresh token (graphql-ws retries 4403, and re-reads its
  ``connectionParams`` on each connect). There is no refresh inside a connection: the
  protocol has none, and a new connection is what every client library does already.
- when its session is revoked (logout, or a refresh token replayed), the socket is closed
  with 4401 ``Session revoked``, which graphql-ws does not retry: the person must sign in.

Revocation is found by a sweep of this process's sockets, one query for all their sessions
every ``revocation_cache_seconds`` (the same window as the HTTP path's revocation cache), so
a logout reaches every socket of every process within that window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from datasources.gateway_store.credential_store import SqlCredentialStore
from errors import NotAuthenticated, RegistryError
from i18n.catalog import Locale, negotiate_locale
from security.authentication import Authenticator
from security.viewer import Viewer
from telemetry.metrics import record_errors

logger = logging.getLogger("bawaba.websocket")

EXPIRED_CLOSE = (4403, "Token expired")
REVOKED_CLOSE = (4401, "Session revoked")
CloseSocket = Callable[[int, str], Awaitable[None]]


def close_for(error: NotAuthenticated) -> tuple[int, str]:
    """How a socket whose credentials failed mid-connection is closed."""
    return EXPIRED_CLOSE if error.reason == "TOKEN_EXPIRED" else REVOKED_CLOSE


class SocketSession:
    """One socket's credentials; ``current_viewer`` is what the pipeline asks per operation."""

    def __init__(
        self,
        *,
        authenticator: Authenticator,
        clock: Callable[[], datetime],
        client_address: str,
        close: CloseSocket,
    ) -> None:
        self.authenticator = authenticator
        self.clock = clock
        self.client_address = client_address
        self.locale: Locale = "en"
        self.viewer: Viewer | None = None
        self._close = close
        self._expiry: asyncio.TimerHandle | None = None

    async def authenticate(self, params: Mapping[str, object]) -> Viewer:
        """Read ``connection_init``'s payload: a bearer token (``Authorization`` or
        ``token``) and a language; ``NotAuthenticated`` without valid credentials."""
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is None and isinstance(params.get("token"), str):
            authorization = f"Bearer {params['token']}"
        if not isinstance(authorization, str):
            raise NotAuthenticated()
        viewer = await self.authenticator.viewer(
            {"authorization": authorization}, self.client_address
        )
        language = params.get("Accept-Language") or params.get("locale")
        if isinstance(language, str):
            self.locale = negotiate_locale(language)
        self.viewer = viewer
        self._close_at_expiry(viewer)
        return viewer

    async def current_viewer(self) -> Viewer:
        viewer = self.viewer
        if viewer is None:
            raise NotAuthenticated()
        if viewer.expires_at is not None and viewer.expires_at <= self.clock():
            await self.close_for(NotAuthenticated("TOKEN_EXPIRED"))
            raise NotAuthenticated("TOKEN_EXPIRED")
        if viewer.session_id is not None and await self.authenticator.sessions.is_revoked(
            viewer.session_id
        ):
            await self.close_for(NotAuthenticated("SESSION_REVOKED"))
            raise NotAuthenticated("SESSION_REVOKED")
        return viewer

    async def close_for(self, error: NotAuthenticated) -> None:
        code, reason = close_for(error)
        record_errors([error.code])
        self.forget()
        with contextlib.suppress(Exception):
            await self._close(code, reason)

    def _close_at_expiry(self, viewer: Viewer) -> None:
        if viewer.expires_at is None:
            return
        delay = max(0.0, (viewer.expires_at - self.clock()).total_seconds())
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(
            delay,
            lambda: loop.create_task(self.close_for(NotAuthenticated("TOKEN_EXPIRED"))),
        )

    def forget(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None


class OpenSockets:
    """This process's authenticated sockets, swept for revoked sessions."""

    def __init__(self, store: SqlCredentialStore, *, interval: timedelta) -> None:
        self.store = store
        self.interval = interval
        self._sockets: set[SocketSession] = set()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._sockets)

    def add(self, session: SocketSession) -> None:
        self._sockets.add(session)

    def discard(self, session: SocketSession) -> None:
        session.forget()
        self._sockets.discard(session)

    def start(self) -> None:
        self._task = asyncio.create_task(self._sweep_forever())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sweep(self) -> int:
        """Close every socket whose session was revoked; how many were closed."""
        by_session: dict[str, list[SocketSession]] = {}
        for session in tuple(self._sockets):
            if session.viewer is not None and session.viewer.session_id is not None:
                by_session.setdefault(session.viewer.session_id, []).append(session)
        revoked = await self.store.revoked_among(by_session)
        closing = [session for family in revoked for session in by_session[family]]
        for session in closing:
            self.discard(session)
            await session.close_for(NotAuthenticated("SESSION_REVOKED"))
        return len(closing)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval.total_seconds())
            try:
                await self.sweep()
            except RegistryError:
                logger.warning("revoked sessions could not be swept; trying again")
