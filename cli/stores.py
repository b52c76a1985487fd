"""``gateway migrate``, ``gateway seed`` and ``gateway outbox``: the stores from outside.

``prepare_stores`` is what ``gateway serve`` runs before it starts: every store migrated
to its latest schema, the contract's documents registered as the first client and, in
demo mode, the demo people seeded (``demo/``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import TypeAlias

from datasources.gateway_store.trusted_document_store import SqlTrustedDocumentStore
from datasources.stores import migrate_stores, open_stores
from demo.demo_population import seed_demo_credentials, seed_demo_population
from demo.synthetic_population import seed_synthetic_population
from gateway import TRUSTED_DOCUMENTS, Clock, utc_now
from security.document_manifests import register_manifest
from security.trusted_documents import CONTRACT_CLIENT
from settings import Settings

logger = logging.getLogger("bawaba")
# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


async def prepare_stores(settings: Settings, *, clock: Clock = utc_now) -> None:
    """Migrate every store to its latest schema, register the contract's documents as the
    first client and, in demo mode, seed the demo people as of ``clock``'s day: the
    gateway's clock (``create_app(clock=...)``), so that their ages and permit dates are
    counted from the day the gateway will see."""
    await migrate_stores(settings)
    stores = open_stores(settings)
    try:
        await register_contract(stores.trusted_documents, settings)
        if settings.demo:
            if await seed_demo_population(stores.civil, stores.passports, now=clock()):
                logger.info("seeded the demo population")
            await seed_demo_credentials(stores.credentials)
    finally:
        await stores.close()


async def register_contract(store: SqlTrustedDocumentStore, settings: Settings) -> None:
    """The bundled ``trusted-documents.json`` as client ``contract`` (nothing happens when
    the store has it already; a changed file replaces the client's documents)."""
    data = TRUSTED_DOCUMENTS.read_bytes()
    registration = await register_manifest(
        store,
        CONTRACT_CLIENT,
        data,
        max_tokens=settings.max_tokens,
        max_bytes=len(data),  # the size limit is for files from outside; this one ships
        at=utc_now(),
    )
    if registration.changed:
        logger.info("registered the contract's %d trusted documents", registration.documents)


def add_to(commands: Commands) -> None:
    commands.add_parser("migrate", help="bring every store to its latest schema").set_defaults(
        run=run_migrate
    )
    seed = commands.add_parser("seed", help="add a large synthetic population")
    seed.add_argument("--population", type=int, default=1000)
    seed.set_defaults(run=run_seed)
    outbox = commands.add_parser("outbox", help="show the SMS outbox (embedded default)")
    outbox.add_argument("national_id", nargs="?")
    outbox.add_argument("--limit", type=int, default=20)
    outbox.set_defaults(run=run_outbox)


def run_migrate(_: argparse.Namespace) -> int:
    asyncio.run(prepare_stores(Settings()))
    print("every store is at its latest schema")
    return 0


def run_seed(arguments: argparse.Namespace) -> int:
    settings = Settings()

    async def seed() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await seed_synthetic_population(
                stores.civil, stores.passports, population=arguments.population
            )
        finally:
            await stores.close()

    print(f"seeded {asyncio.run(seed())} people")
    return 0


def run_outbox(arguments: argparse.Namespace) -> int:
    """The SMS messages the embedded default 'sent', newest first."""
    settings = Settings()

    async def read() -> list[str]:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            messages = await stores.sms.messages(arguments.national_id, limit=arguments.limit)
        finally:
            await stores.close()
        return [
            f"{m.created_at:%Y-%m-%d %H:%M:%S} {m.national_id} {m.destination}  {m.body}"
            for m in messages
        ]

    for line in asyncio.run(read()):
        print(line)
    return 0
