"""``gateway token``: a demo person's access token, printed; refused outside demo mode."""

from __future__ import annotations

from cli.main import run as gateway_command
from demo.demo_population import GUARDIAN, OPERATOR
from security.access_tokens import read_access_token
from tests.support.running_gateway import TEST_SECRET


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
