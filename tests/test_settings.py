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
