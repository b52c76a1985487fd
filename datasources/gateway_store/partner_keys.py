"""API keys of partner organisations (border control, airlines), stored as SHA-256 digests.

A key is shown once, when created; the store keeps only its digest, so a copy of the
database does not yield usable keys. Keys are 256-bit random, so a fast digest is enough.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.gateway_store.tables import partner_keys
from datasources.sql_engine import reading, translated_errors
from datasources.sql_reads import Row, open_reads

KEY_PREFIX = "bwb_"


@dataclass(frozen=True, slots=True)
class PartnerKey:
    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SqlPartnerKeyStore:
    name = "gateway"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = reading(engine)
        # Every partner request looks its key up: a read prepared once, run on the driver.
        self._reads = open_reads(engine)
        self._by_digest = self._reads.prepare(
            select(partner_keys).where(partner_keys.c.key_digest == bindparam("digest"))
        )

    async def create(
        self, name: str, scopes: Sequence[str], *, at: datetime
    ) -> tuple[PartnerKey, str]:
        """A new key: its record and the secret, which is never stored or shown again."""
        key_id = secrets.token_hex(8)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        row = {
            "id": key_id,
            "name": name,
            "key_digest": key_digest(secret),
            "scopes": " ".join(sorted(set(scopes))),
            "created_at": at,
            "revoked_at": None,
        }
        async with translated_errors(self.name), self.engine.begin() as connection:
            await connection.execute(insert(partner_keys), [row])
        return PartnerKey(key_id, name, frozenset(scopes), at, None), secret

    async def by_secret(self, secret: str) -> PartnerKey | None:
        """The key a request presents, if it exists (revoked ones included: callers check)."""
        async with translated_errors(self.name):
            rows = await self._reads.fetch(self._by_digest, {"digest": key_digest(secret)})
        return _partner_key(rows[0]) if rows else None

    async def all(self) -> list[PartnerKey]:
        async with translated_errors(self.name), self._reader.connect() as connection:
            rows = (
                (await connection.execute(select(partner_keys).order_by(partner_keys.c.created_at)))
                .mappings()
                .all()
            )
        return [_partner_key(row) for row in rows]

    async def revoke(self, key_id: str, *, at: datetime) -> bool:
        async with translated_errors(self.name), self.engine.begin() as connection:
            result = await connection.execute(
                update(partner_keys)
                .where(partner_keys.c.id == key_id, partner_keys.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        return bool(result.rowcount == 1)


def _partner_key(row: Row) -> PartnerKey:
    return PartnerKey(
        id=row["id"],
        name=row["name"],
        scopes=frozenset(row["scopes"].split()),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
