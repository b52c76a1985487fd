"""The one Settings: the embedded default out of the box, and no placeholder in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings import PLACEHOLDER_SECRET, Settings


def test_production_mode_refuses_the_placeholder_secret(monkeypatch) -> None:
    monkeypatch.setenv("BAWABA_MODE", "production")
    with pytest.raises(ValidationError, match="BAWABA_SECRET_KEY"):
        Settings(secret_key=PLACEHOLDER_SECRET)


def test_embedded_default_uses_sqlite_files_in_the_data_folder(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.registry_url("civil") == f"sqlite+aiosqlite:///{tmp_path / 'civil.sqlite3'}"
    assert settings.demo


def test_no_proxy_is_trusted_unless_listed(monkeypatch) -> None:
    assert Settings().forwarded_allow_ips == []
    monkeypatch.setenv("BAWABA_FORWARDED_ALLOW_IPS", "127.0.0.1, 10.0.0.0/8")
    assert [str(n) for n in Settings().forwarded_allow_ips] == ["127.0.0.1/32", "10.0.0.0/8"]
    monkeypatch.setenv("BAWABA_FORWARDED_ALLOW_IPS", '["::1"]')
    assert [str(n) for n in Settings().forwarded_allow_ips] == ["::1/128"]


def test_trusting_every_proxy_is_refused(monkeypatch) -> None:
    # uvicorn's "*" would let any client name its own address.
    monkeypatch.setenv("BAWABA_FORWARDED_ALLOW_IPS", "*")
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        Settings()
