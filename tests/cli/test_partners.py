"""``gateway partner``: create, list and revoke partner keys; a secret is shown once only."""

from __future__ import annotations

from cli.main import run as gateway_command


def test_partner_keys_from_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("BAWABA_DATA_DIR", str(tmp_path))
    assert (
        gateway_command(["partner", "create", "--name", "Riyadh Air", "--scope", "permits:verify"])
        == 0
    )
    created = capsys.readouterr().out
    key_id = created.split()[3]
    assert "X-API-Key: bwb_" in created
    assert gateway_command(["partner", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{key_id}  Riyadh Air  permits:verify  active" in listing
    assert "bwb_" not in listing
    assert gateway_command(["partner", "revoke", key_id]) == 0
    assert gateway_command(["partner", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert gateway_command(["partner", "revoke", key_id]) == 1
