"""``gateway trusted-documents`` and ``gateway export-schema``: what clients build against."""

from __future__ import annotations

import argparse

import orjson

from gateway import ROOT, build_gateway_schema
from i18n.catalog import MessageCatalog
from security.trusted_documents import build_manifest
from settings import Settings

Commands = argparse._SubParsersAction  # no public type for it: tests/test_library_internals.py


def add_to(commands: Commands) -> None:  # type: ignore[type-arg]
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
