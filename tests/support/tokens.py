"""Access tokens for tests, with the lifetime the gateway gives them unless a test says."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from security import access_tokens
from settings import Settings

ACCESS_TOKEN_LIFETIME = timedelta(minutes=Settings.model_fields["access_token_minutes"].default)


def issue_access_token(
    secret_key: str,
    national_id: str,
    *,
    scopes: Iterable[str] = (),
    lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
    now: datetime | None = None,
    session_id: str | None = None,
) -> str:
    return access_tokens.issue_access_token(
        secret_key, national_id, scopes=scopes, lifetime=lifetime, now=now, session_id=session_id
    )
