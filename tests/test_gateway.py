"""The wiring and the command line: readiness, Redis, tokens, schema export, settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cli.main import main as gateway_command
from demo.demo_population import GUARDIAN, OPERATOR
from security.access_tokens import read_access_token
from settings import PLACEHOLDER_SECRET, Settings
from tests.conftest import TEST_SECRET, serving_settings

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


async def test_readyz_reports_redis_when_configured(tmp_path, redis_url) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET, redis_url=redis_url)
    async with serving_settings(settings) as (_, client):
        ready = await client.get("/readyz")
    assert ready.json() == {
        "ready": True,
        "registries": {"civil": "ready", "passport": "ready", "gateway": "ready", "redis": "ready"},
    }


async def test_readyz_reports_an_unreachable_redis(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=TEST_SECRET, redis_url="redis://127.0.0.1:9/0"
    )
    async with serving_settings(settings) as (_, client):
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["registries"]["redis"] == "unavailable"


def test_token_command_prints_a_token_with_the_demo_scopes(capsys, monkeypatch) -> None:
    monkeypatch.setenv("BAWABA_SECRET_KEY", TEST_SECRET)
    assert gateway_command(["token", OPERATOR.national_id]) == 0
    viewer = read_access_token(TEST_SECRET, capsys.readouterr().out.strip())
    assert viewer.national_id == OPERATOR.national_id
    assert viewer.scopes == {"permits:watch-all", "stats:read"}


def test_token_command_refuses_outside_demo_mode(capsys, monkeypatch) -> None:
    monkeypatch.setenv("BAWABA_MODE", "production")
    monkeypatch.setenv("BAWABA_SECRET_KEY", "a-real-production-secret-of-enough-length")
    assert gateway_command(["token", GUARDIAN.national_id]) == 2
    assert "demo mode only" in capsys.readouterr().err


def test_token_command_refuses_malformed_ids(capsys) -> None:
    assert gateway_command(["token", "1234567890"]) == 2


def test_production_mode_refuses_the_placeholder_secret(monkeypatch) -> None:
    monkeypatch.setenv("BAWABA_MODE", "production")
    with pytest.raises(ValidationError, match="BAWABA_SECRET_KEY"):
        Settings(secret_key=PLACEHOLDER_SECRET)


def test_exported_schema_matches_the_committed_sdl(capsys) -> None:
    """Every change to the public surface shows in review as a diff of schema.graphql."""
    assert gateway_command(["export-schema"]) == 0
    exported = capsys.readouterr().out
    assert exported == SCHEMA_FILE.read_text(), (
        "schema.graphql is stale: run `./dev export-schema > schema.graphql` and review the diff"
    )


def test_embedded_default_uses_sqlite_files_in_the_data_folder(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.registry_url("civil") == f"sqlite+aiosqlite:///{tmp_path / 'civil.sqlite3'}"
    assert settings.demo
