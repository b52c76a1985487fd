"""``gateway partner create|list|revoke``: partner organisations' API keys."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TypeAlias

from cli.stores import prepare_stores
from datasources.gateway_store.partner_keys import SqlPartnerKeyStore
from datasources.stores import open_stores
from gateway import utc_now
from settings import Settings

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_to(commands: Commands) -> None:
    partner = commands.add_parser("partner", help="manage partner API keys")
    actions = partner.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, help="e.g. permits:verify")
    actions.add_parser("list", help="list keys (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a key by its ID")
    revoke.add_argument("key_id")
    partner.set_defaults(run=run_partner)


def run_partner(arguments: argparse.Namespace) -> int:
    settings = Settings()

    async def run() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await act(stores.partner_keys, arguments)
        finally:
            await stores.close()

    return asyncio.run(run())


async def act(keys: SqlPartnerKeyStore, arguments: argparse.Namespace) -> int:
    if arguments.action == "create":
        key, secret = await keys.create(arguments.name, arguments.scope, at=utc_now())
        print(f"created partner key {key.id} for {key.name} with {' '.join(sorted(key.scopes))}")
        print(f"X-API-Key: {secret}")
        print("the key is shown once; store it now", file=sys.stderr)
        return 0
    if arguments.action == "list":
        for key in await keys.all():
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            print(f"{key.id}  {key.name}  {' '.join(sorted(key.scopes))}  {state}")
        return 0
    if await keys.revoke(arguments.key_id, at=utc_now()):
        print(f"revoked {arguments.key_id}")
        return 0
    print(f"no active partner key {arguments.key_id}", file=sys.stderr)
    return 1
