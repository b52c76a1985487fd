"""``gateway export-schema``: the schema as SDL, the same as the committed ``schema.graphql``."""

from __future__ import annotations

from pathlib import Path

from cli.main import run as gateway_command

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_exported_schema_matches_the_committed_sdl(capsys) -> None:
    """Every change to the public surface shows in review as a diff of schema.graphql."""
    assert gateway_command(["export-schema"]) == 0
    exported = capsys.readouterr().out
    assert exported == SCHEMA_FILE.read_text(), (
        "schema.graphql is stale: run `./dev export-schema > schema.graphql` and review the diff"
    )
