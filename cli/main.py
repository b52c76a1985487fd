"""The ``gateway`` command: its parser, and the entry point of ``pyproject.toml``."""

from __future__ import annotations

import argparse
import sys

from cli import documents, partners, serve, stores, tokens
from telemetry.request_log import use_json_logs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway", description="Bawaba: one GraphQL API in front of the registries."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve.add_to(commands)
    stores.add_to(commands)
    tokens.add_to(commands)
    documents.add_to(commands)
    partners.add_to(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    use_json_logs()
    arguments = build_parser().parse_args(argv)
    return int(arguments.run(arguments))


if __name__ == "__main__":
    sys.exit(main())
