"""``gateway audit NATIONAL_ID``: the operators' view of who read a person's data.

Each entry in full: when, the kind and ID of the reader (a national ID or a partner key's
ID), the partner's name, the operation, the purpose (scopes) and the client address. The
person's own log (``myDataAccessLog``) shows neither IDs nor addresses, and no API token
reaches this view: it reads the gateway store directly, on a machine that holds its
credentials.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TypeAlias

from cli.stores import prepare_stores
from datasources.gateway_store.access_audit import SqlAccessAuditLog
from datasources.stores import open_stores
from resolvers.access_log import AD_HOC_OPERATION
from settings import Settings

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

AD_HOC_LABEL = "(ad hoc)"


def add_to(commands: Commands) -> None:
    audit = commands.add_parser(
        "audit", help="who read a person's data, with addresses (operators only)"
    )
    audit.add_argument("national_id")
    audit.add_argument("--limit", type=int, default=50, help="newest entries first")
    audit.set_defaults(run=run_audit)


def run_audit(arguments: argparse.Namespace) -> int:
    settings = Settings()

    async def run() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await show(stores.audit, arguments.national_id, limit=arguments.limit)
        finally:
            await stores.close()

    return asyncio.run(run())


async def show(audit: SqlAccessAuditLog, national_id: str, *, limit: int) -> int:
    entries, total, _ = await audit.entries_for(national_id, first=max(limit, 1), before_id=None)
    print(f"{total} entries for {national_id}; newest {len(entries)}:")
    for entry in entries:
        record = entry.record
        fields = (
            record.at.isoformat(timespec="seconds"),
            record.accessor_kind,
            record.accessor_id,
            record.accessor_name or "-",
            AD_HOC_LABEL if record.operation == AD_HOC_OPERATION else record.operation,
            record.purpose or "-",
            record.client_address,
        )
        print("  ".join(fields))
    return 0
