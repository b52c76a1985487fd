"""``gateway trusted-documents`` and ``gateway export-schema``: what clients build against."""

from __future__ import annotations

import argparse
from typing import TypeAlias

import orjson

from gateway import ROOT, build_gateway_schema
from i18n.catalog import MessageCatalog
from security.trusted_documents import build_manifest
from settings import Settings

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_to(commands: Commands) -> None:
    commands.add_parser("export-schema", help="print the schema as SDL").set_defaults(
        run=run_export_schema
    )
    commands.add_parser(
        "trusted-documents", help="print the manifest of the contract's documents"
    ).set_defaults(run=run_trusted_documents)


def run_trusted_documents(_: argparse.Namespace) -> int:
    """Print the manifest of the contract's documents (commit it as trusted-documents.json)."""
    print(orjson.dumps(build_manifest(ROOT / "contract"), option=orjson.OPT_INDENT_2).decode())
    return 0


def run_export_schema(_: argparse.Namespace) -> int:
    print(build_gateway_schema(Settings(), MessageCatalog.load(), None).as_str())
    return 0
