"""Fresh PostgreSQL databases for the benchmark, seeded, with a signed-in session per guardian.

Three databases (civil registry, passport registry, gateway store) named ``bawaba_bench_*``
are dropped and created anew on every run, migrated with the gateway's own migrations,
seeded with the synthetic population (``gateway seed``) and then with the measured
families (``seed_measured_families``: five children and fifteen permits each). Each
measured guardian gets a session as sign-in would open it: a refresh-token row in the
gateway store and an access token carrying it as ``sid``, so that every server checks the
session on the hot path, as in production.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from cli.stores import prepare_stores
from datasources.stores import open_stores
from demo.synthetic_population import seed_measured_families, seed_synthetic_population
from security.access_tokens import issue_access_token
from settings import Settings

STORES = ("civil", "passport", "gateway")
RIYADH = ZoneInfo("Asia/Riyadh")


@dataclass(frozen=True)
class BenchDatabases:
    urls: dict[str, str]  # SQLAlchemy URLs, by store

    def environment(self) -> dict[str, str]:
        return {
            "BAWABA_CIVIL_REGISTRY_URL": self.urls["civil"],
            "BAWABA_PASSPORT_REGISTRY_URL": self.urls["passport"],
            "BAWABA_GATEWAY_STORE_URL": self.urls["gateway"],
        }


async def create_fresh_databases(admin_url: str, prefix: str) -> BenchDatabases:
    """Drop and create ``<prefix>_civil``, ``_passport`` and ``_gateway`` on the server."""
    connection = await asyncpg.connect(admin_url)
    try:
        for store in STORES:
            await connection.execute(f'DROP DATABASE IF EXISTS "{prefix}_{store}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{prefix}_{store}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return BenchDatabases({store: f"{base}/{prefix}_{store}" for store in STORES})


async def seed(settings: Settings, *, population: int, guardians: int) -> list[str]:
    """Migrate, seed ``population`` synthetic people plus the measured families.

    Returns the measured guardians' national IDs.
    """
    await prepare_stores(settings)
    stores = open_stores(settings)
    try:
        await seed_synthetic_population(stores.civil, stores.passports, population=population)
        today = datetime.now(UTC).astimezone(RIYADH).date()
        return await seed_measured_families(
            stores.civil, stores.passports, count=guardians, today=today
        )
    finally:
        await stores.close()


async def open_sessions(
    settings: Settings, guardian_ids: list[str], *, lifetime: timedelta
) -> list[str]:
    """One signed-in session per guardian; returns their access tokens, in the same order."""
    stores = open_stores(settings)
    now = datetime.now(UTC)
    tokens = []
    try:
        for national_id in guardian_ids:
            family_id = secrets.token_hex(16)
            refresh_token = secrets.token_urlsafe(32)
            await stores.credentials.add_refresh_token(
                {
                    "token_digest": hashlib.sha256(refresh_token.encode()).hexdigest(),
                    "family_id": family_id,
                    "national_id": national_id,
                    "scopes": "",
                    "issued_at": now,
                    "expires_at": now + timedelta(days=30),
                    "used_at": None,
                    "revoked_at": None,
                }
            )
            tokens.append(
                issue_access_token(
                    settings.secret_key, national_id, lifetime=lifetime, session_id=family_id
                )
            )
    finally:
        await stores.close()
    return tokens


async def drop_databases(admin_url: str, prefix: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        for store in STORES:
            await connection.execute(f'DROP DATABASE IF EXISTS "{prefix}_{store}" WITH (FORCE)')
    finally:
        await connection.close()


async def count_population(civil_url: str) -> int:
    connection = await asyncpg.connect(civil_url.replace("+asyncpg", "", 1))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM people"))
    finally:
        await connection.close()
