"""Sign-in state in the gateway's store: password hashes, one-time-code challenges, sessions.

Every change that must happen once (consuming a challenge, using a refresh token) is one
conditional UPDATE, so two racing requests cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from datasources.gateway_store.tables import credentials, refresh_tokens, sign_in_challenges
from datasources.sql_engine import reading, translated_errors
from datasources.sql_reads import open_reads


@dataclass(frozen=True, slots=True)
class Credential:
    national_id: str
    password_hash: str
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Challenge:
    id: str
    national_id: str
    code_digest: str
    expires_at: datetime
    failed_attempts: int
    consumed_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    token_digest: str
    family_id: str
    national_id: str
    scopes: frozenset[str]
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class SqlCredentialStore:
    """Credentials, challenges and refresh tokens on the gateway store's database."""

    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = reading(engine)
        # Checked on the request path (every few seconds per session): prepared once.
        self._reads = open_reads(engine)
        self._revoked_in_family = self._reads.prepare(
            select(refresh_tokens.c.token_digest)
            .where(
                refresh_tokens.c.family_id == bindparam("family"),
                refresh_tokens.c.revoked_at.is_not(None),
            )
            .limit(1)
        )

    async def _read(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[*tuple[Any, ...]]]:
        async with translated_errors(self.name), self._reader.connect() as connection:
            return (await connection.execute(statement, dict(parameters or {}))).all()

    async def _write(
        self, statement: Executable, parameters: Sequence[Mapping[str, Any]] | None = None
    ) -> CursorResult[*tuple[Any, ...]]:
        async with translated_errors(self.name), self.engine.begin() as connection:
            return await connection.execute(statement, parameters)

    async def ping(self) -> None:
        await self._read(select(credentials.c.national_id).limit(1))

    async def close(self) -> None:
        await self.engine.dispose()

    async def credential(self, national_id: str) -> Credential | None:
        rows = await self._read(select(credentials).where(credentials.c.national_id == national_id))
        if not rows:
            return None
        row = rows[0]
        return Credential(row.national_id, row.password_hash, frozenset(row.scopes.split()))

    async def add_credentials(self, rows: Iterable[Mapping[str, Any]]) -> None:
        batch = list(rows)
        if batch:
            await self._write(insert(credentials), batch)

    async def count_credentials(self) -> int:
        rows = await self._read(select(func.count()).select_from(credentials))
        return int(rows[0][0])

    async def add_challenge(self, row: Mapping[str, Any]) -> None:
        await self._write(insert(sign_in_challenges), [dict(row)])

    async def challenge(self, challenge_id: str) -> Challenge | None:
        rows = await self._read(
            select(sign_in_challenges).where(sign_in_challenges.c.id == challenge_id)
        )
        if not rows:
            return None
        row = rows[0]
        return Challenge(
            id=row.id,
            national_id=row.national_id,
            code_digest=row.code_digest,
            expires_at=row.expires_at,
            failed_attempts=row.failed_attempts,
            consumed_at=row.consumed_at,
        )

    async def record_wrong_code(self, challenge_id: str) -> int:
        """Count one more wrong code; the new count."""
        result = await self._write(
            update(sign_in_challenges)
            .where(sign_in_challenges.c.id == challenge_id)
            .values(failed_attempts=sign_in_challenges.c.failed_attempts + 1)
            .returning(sign_in_challenges.c.failed_attempts)
        )
        return int(result.scalar_one())

    async def consume_challenge(
        self, challenge_id: str, *, at: datetime, max_failures: int
    ) -> bool:
        """Mark the challenge used; False if it was used already or has died meanwhile."""
        result = await self._write(
            update(sign_in_challenges)
            .where(
                sign_in_challenges.c.id == challenge_id,
                sign_in_challenges.c.consumed_at.is_(None),
                sign_in_challenges.c.failed_attempts < max_failures,
                sign_in_challenges.c.expires_at > at,
            )
            .values(consumed_at=at)
        )
        return bool(result.rowcount == 1)

    async def add_refresh_token(self, row: Mapping[str, Any]) -> None:
        await self._write(insert(refresh_tokens), [dict(row)])

    async def refresh_token(self, token_digest: str) -> RefreshToken | None:
        rows = await self._read(
            select(refresh_tokens).where(refresh_tokens.c.token_digest == token_digest)
        )
        if not rows:
            return None
        row = rows[0]
        return RefreshToken(
            token_digest=row.token_digest,
            family_id=row.family_id,
            national_id=row.national_id,
            scopes=frozenset(row.scopes.split()),
            expires_at=row.expires_at,
            used_at=row.used_at,
            revoked_at=row.revoked_at,
        )

    async def use_refresh_token(self, token_digest: str, *, at: datetime) -> bool:
        """Spend the token: True only for the one request that spends it first."""
        result = await self._write(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_digest == token_digest,
                refresh_tokens.c.used_at.is_(None),
                refresh_tokens.c.revoked_at.is_(None),
                refresh_tokens.c.expires_at > at,
            )
            .values(used_at=at)
        )
        return bool(result.rowcount == 1)

    async def revoke_family(self, family_id: str, *, at: datetime) -> None:
        await self._write(
            update(refresh_tokens)
            .where(
                and_(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
            )
            .values(revoked_at=at)
        )

    async def revoked_among(self, family_ids: Collection[str]) -> set[str]:
        """Which of these sessions (refresh-token families) are revoked: one query for all."""
        if not family_ids:
            return set()
        statement = (
            select(refresh_tokens.c.family_id)
            .where(
                refresh_tokens.c.family_id.in_(list(family_ids)),
                refresh_tokens.c.revoked_at.is_not(None),
            )
            .distinct()
        )
        return {row.family_id for row in await self._read(statement)}

    async def is_family_revoked(self, family_id: str) -> bool:
        async with translated_errors(self.name):
            rows = await self._reads.fetch(self._revoked_in_family, {"family": family_id})
        return bool(rows)
