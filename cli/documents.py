"""``gateway documents add|list|remove``: the trusted documents of each client application;
``gateway trusted-documents`` and ``gateway export-schema``: what clients build against."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TypeAlias

import orjson

from cli.stores import prepare_stores
from datasources.gateway_store.trusted_document_store import SqlTrustedDocumentStore
from datasources.stores import open_stores
from errors import ManifestError
from gateway import ROOT, build_gateway_schema, utc_now
from i18n.catalog import MessageCatalog
from security.document_manifests import register_manifest
from security.trusted_documents import CONTRACT_CLIENT, build_manifest
from settings import Settings

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
REFUSED = 2  # the exit code of a refused manifest (as argparse's for bad arguments)


def add_to(commands: Commands) -> None:
    commands.add_parser("export-schema", help="print the schema as SDL").set_defaults(
        run=run_export_schema
    )
    commands.add_parser(
        "trusted-documents", help="print the manifest of the contract's documents"
    ).set_defaults(run=run_trusted_documents)
    documents = commands.add_parser(
        "documents", help="register the trusted documents of client applications"
    )
    actions = documents.add_subparsers(dest="action", required=True)
    add = actions.add_parser(
        "add",
        help="register a client's manifest (Apollo's, graphql-codegen's persisted-documents"
        ".json or Relay's), replacing the client's previous documents",
    )
    add.add_argument("--client", required=True, help="the client application's name")
    add.add_argument("file", type=Path)
    actions.add_parser("list", help="list the clients and how many documents each has")
    remove = actions.add_parser("remove", help="remove a client and its documents")
    remove.add_argument("--client", required=True)
    documents.set_defaults(run=run_documents)


def run_documents(arguments: argparse.Namespace) -> int:
    settings = Settings()

    async def run() -> int:
        await prepare_stores(settings)
        stores = open_stores(settings)
        try:
            return await act(stores.trusted_documents, arguments, settings)
        finally:
            await stores.close()

    return asyncio.run(run())


async def act(
    store: SqlTrustedDocumentStore, arguments: argparse.Namespace, settings: Settings
) -> int:
    if arguments.action == "add":
        return await add(store, arguments.client, arguments.file, settings)
    if arguments.action == "list":
        for client in await store.clients():
            added = f"{client.added_at:%Y-%m-%d %H:%M:%S}"
            print(f"{client.name}  {_counted(client.documents)}  added {added}")
        return 0
    if arguments.client == CONTRACT_CLIENT:
        # It ships with the gateway and is registered again by every command that opens the
        # stores: removing it would only look as if it had worked.
        print("the contract's documents ship with the gateway and stay registered", file=sys.stderr)
        return REFUSED
    removed = await store.remove(arguments.client)
    if not removed:
        print(f"no client {arguments.client}", file=sys.stderr)
        return 1
    print(f"removed client {arguments.client} and its {_counted(removed)}")
    return 0


async def add(store: SqlTrustedDocumentStore, client: str, file: Path, settings: Settings) -> int:
    try:
        with file.open("rb") as manifest:
            # One byte more than allowed: enough to tell a file that is too large.
            data = manifest.read(settings.max_manifest_bytes + 1)
    except OSError as error:
        print(f"cannot read {file}: {error.strerror}", file=sys.stderr)
        return REFUSED
    try:
        registration = await register_manifest(
            store,
            client,
            data,
            max_tokens=settings.max_tokens,
            max_bytes=settings.max_manifest_bytes,
            at=utc_now(),
        )
    except ManifestError as error:
        print(f"{file} refused: {error}", file=sys.stderr)
        return REFUSED
    documents = _counted(registration.documents)
    if not registration.changed:
        print(f"client {client} has {documents} already: nothing changed")
    elif registration.replaced:
        print(f"added {documents} for client {client} (replacing its {registration.replaced})")
    else:
        print(f"added {documents} for client {client}")
    return 0


def _counted(documents: int) -> str:
    return f"{documents} document" if documents == 1 else f"{documents} documents"


def run_trusted_documents(_: argparse.Namespace) -> int:
    """Print the manifest of the contract's documents (commit it as trusted-documents.json)."""
    print(orjson.dumps(build_manifest(ROOT / "contract"), option=orjson.OPT_INDENT_2).decode())
    return 0


def run_export_schema(_: argparse.Namespace) -> int:
    print(build_gateway_schema(Settings(), MessageCatalog.load(), None).as_str())
    return 0
