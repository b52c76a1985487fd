"""Password checks with Argon2id, off the event loop (each check costs tens of milliseconds)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Checked when a national ID has no credentials, so that unknown and known IDs take as long
# and a caller cannot tell them apart by timing.
_UNKNOWN_PERSON_HASH = _hasher.hash("no person has this password")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; always does the full work, also without a hash."""
    matched = await asyncio.to_thread(_verify, password_hash or _UNKNOWN_PERSON_HASH, password)
    return matched and password_hash is not None


def hash_password(password: str) -> str:
    return _hasher.hash(password)
