"""Sessions after sign-in: a short-lived access token and a rotating refresh token.

Refresh tokens are random, stored as SHA-256 digests, and single-use: each refresh spends
the old one and issues a new one in the same family. Presenting a spent token again means
it was copied, so the whole family is revoked (OWASP ASVS 5). Logout revokes the family;
access tokens carry the family as ``sid`` and stop working once it is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from resolvers.context import Context
from resolvers.user_errors import UserError, user_error
from security.access_tokens import issue_access_token


@dataclass(frozen=True, slots=True)
class Session:
    access_token: str
    refresh_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SessionResult:
    session: Session | None
    errors: list[UserError]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(
    context: Context, national_id: str, scopes: frozenset[str], *, family_id: str | None = None
) -> Session:
    now, policy = context.now(), context.policy
    family_id = family_id or secrets.token_hex(16)
    refresh_token = secrets.token_urlsafe(32)
    await context.store.credentials.add_refresh_token(
        {
            "token_digest": token_digest(refresh_token),
            "family_id": family_id,
            "national_id": national_id,
            "scopes": " ".join(sorted(scopes)),
            "issued_at": now,
            "expires_at": now + policy.refresh_token_lifetime,
            "used_at": None,
            "revoked_at": None,
        }
    )
    access_token = issue_access_token(
        context.services.secret_key,
        national_id,
        scopes=scopes,
        lifetime=policy.access_token_lifetime,
        now=now,
        session_id=family_id,
    )
    return Session(access_token, refresh_token, now + policy.access_token_lifetime)


async def refresh_session(context: Context, refresh_token: str) -> SessionResult:
    store, now = context.store.credentials, context.now()
    digest = token_digest(refresh_token)
    token = await store.refresh_token(digest)
    if token is None or token.revoked_at is not None:
        return SessionResult(None, [user_error(context, "INVALID_REFRESH_TOKEN")])
    if token.expires_at <= now:
        return SessionResult(None, [user_error(context, "REFRESH_TOKEN_EXPIRED")])
    if token.used_at is not None or not await store.use_refresh_token(digest, at=now):
        await store.revoke_family(token.family_id, at=now)
        return SessionResult(None, [user_error(context, "REFRESH_TOKEN_REUSED")])
    session = await open_session(
        context, token.national_id, token.scopes, family_id=token.family_id
    )
    return SessionResult(session, [])


async def end_session(context: Context, refresh_token: str) -> list[UserError]:
    store = context.store.credentials
    token = await store.refresh_token(token_digest(refresh_token))
    if token is None:
        return [user_error(context, "INVALID_REFRESH_TOKEN")]
    await store.revoke_family(token.family_id, at=context.now())
    return []
