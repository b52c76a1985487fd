"""``gateway token``: an access token for a demo person, in demo mode only."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TypeAlias

from demo.demo_population import demo_person
from resolvers.national_ids import is_valid_national_id
from security.access_tokens import issue_access_token
from settings import Settings

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_to(commands: Commands) -> None:
    token = commands.add_parser("token", help="print an access token for a demo person")
    token.add_argument("national_id")
    token.add_argument("--minutes", type=int, default=60)
    token.set_defaults(run=run_token)


def run_token(arguments: argparse.Namespace) -> int:
    settings = Settings()
    if not settings.demo:
        print("gateway token works in demo mode only (BAWABA_MODE=demo)", file=sys.stderr)
        return 2
    if not is_valid_national_id(arguments.national_id):
        print(f"{arguments.national_id} is not a valid national ID", file=sys.stderr)
        return 2
    person = demo_person(arguments.national_id)
    scopes = person.scopes if person else ()
    lifetime = timedelta(minutes=arguments.minutes)
    print(
        issue_access_token(
            settings.secret_key, arguments.national_id, scopes=scopes, lifetime=lifetime
        )
    )
    return 0
