"""Signed access tokens (JWT, HS256): who the bearer is and which scopes they hold."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import jwt

from errors import NotAuthenticated
from security.viewer import CallerKind, Viewer

_ISSUER = "bawaba"
_AUDIENCE = "bawaba-api"
_ALGORITHM = "HS256"


def issue_access_token(
    secret_key: str,
    national_id: str,
    *,
    scopes: Iterable[str] = (),
    lifetime: timedelta,
    now: datetime | None = None,
    session_id: str | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": _ISSUER,
        "aud": _AUDIENCE,
        "sub": national_id,
        "scope": " ".join(sorted(set(scopes))),
        "iat": issued,
        "exp": issued + lifetime,
        "jti": uuid.uuid4().hex,
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, secret_key, algorithm=_ALGORITHM)


def read_access_token(secret_key: str, token: str) -> Viewer:
    """The viewer a token names; UNAUTHENTICATED if it is expired, tampered with or foreign."""
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=[_ALGORITHM],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise NotAuthenticated("TOKEN_EXPIRED") from error
    except jwt.InvalidTokenError as error:
        raise NotAuthenticated("INVALID_TOKEN") from error
    subject, scope, session = claims["sub"], claims.get("scope", ""), claims.get("sid")
    expires = claims["exp"]
    if not isinstance(subject, str) or not isinstance(scope, str):
        raise NotAuthenticated("INVALID_TOKEN")
    if session is not None and not isinstance(session, str):
        raise NotAuthenticated("INVALID_TOKEN")
    return Viewer(
        kind=CallerKind.PERSON,
        national_id=subject,
        scopes=frozenset(scope.split()),
        session_id=session,
        expires_at=datetime.fromtimestamp(expires, UTC) if isinstance(expires, int) else None,
    )
