"""Turning a request's credentials into a ``Viewer``: bearer tokens and partner API keys.

Unknown, expired, revoked or tampered credentials raise ``NotAuthenticated``; the pipeline
answers them with 401. A request without credentials is anonymous.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from datasources.gateway_store.credential_store import SqlCredentialStore
from datasources.gateway_store.partner_keys import SqlPartnerKeyStore
from errors import NotAuthenticated
from security.access_tokens import read_access_token
from security.viewer import CallerKind, Viewer


class RevokedSessions:
    """Whether an access token's session was revoked by logout or token reuse.

    Answers are remembered for a few seconds per session, so that the hot path does not
    pay a store lookup per request; a logout takes effect within that time everywhere.
    """

    def __init__(
        self,
        store: SqlCredentialStore,
        *,
        clock: Callable[[], datetime],
        remember: timedelta,
    ) -> None:
        self.store = store
        self.clock = clock
        self.remember = remember
        self._answers: dict[str, tuple[datetime, bool]] = {}

    async def is_revoked(self, session_id: str) -> bool:
        now = self.clock()
        known = self._answers.get(session_id)
        if known is not None and known[0] > now:
            return known[1]
        revoked = await self.store.is_family_revoked(session_id)
        if len(self._answers) > 100_000:
            self._answers.clear()
        self._answers[session_id] = (now + self.remember, revoked)
        return revoked


class Authenticator:
    def __init__(
        self, *, secret_key: str, sessions: RevokedSessions, partner_keys: SqlPartnerKeyStore
    ) -> None:
        self.secret_key = secret_key
        self.sessions = sessions
        self.partner_keys = partner_keys

    async def viewer(self, headers: Mapping[str, str], client_address: str) -> Viewer:
        authorization = headers.get("authorization")
        api_key = headers.get("x-api-key")
        if authorization and api_key:
            raise NotAuthenticated("AMBIGUOUS_CREDENTIALS")
        if authorization:
            return await self._person(authorization, client_address)
        if api_key:
            return await self._partner(api_key.strip(), client_address)
        return Viewer(client_address=client_address)

    async def _person(self, authorization: str, client_address: str) -> Viewer:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("INVALID_TOKEN")
        viewer = read_access_token(self.secret_key, token.strip())
        if viewer.session_id is not None and await self.sessions.is_revoked(viewer.session_id):
            raise NotAuthenticated("SESSION_REVOKED")
        return dataclasses.replace(viewer, client_address=client_address)

    async def _partner(self, api_key: str, client_address: str) -> Viewer:
        key = await self.partner_keys.by_secret(api_key) if len(api_key) <= 200 else None
        if key is None or key.revoked_at is not None:
            raise NotAuthenticated("INVALID_API_KEY")
        return Viewer(
            kind=CallerKind.PARTNER,
            scopes=key.scopes,
            partner_id=key.id,
            partner_name=key.name,
            client_address=client_address,
        )
