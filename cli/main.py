"""The ``gateway`` command: its parser, and the entry point of ``pyproject.toml``."""

from __future__ import annotations

import argparse
import sys

from cli import audit, documents, partners, serve, stores, tokens
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
    audit.add_to(commands)
    return parser


def run(argv: list[str] | None = None) -> int:
    """Run one ``gateway`` command, logging through whatever handlers the process has."""
    arguments = build_parser().parse_args(argv)
    return int(arguments.run(arguments))


def main(argv: list[str] | None = None) -> int:
    """The entry point: the process's log lines become JSON on stderr, then the command runs.
    Setting up logging is the process's business, so code that runs a command inside a
    process of its own (the tests) calls ``run``."""
    use_json_logs()
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
