"""The asset fetcher: pinned tarballs, checked by sha512, only the listed files kept."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from web.vendor_assets import (
    AssetError,
    PinnedPackage,
    install_assets,
    missing_assets,
    served_names,
)


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """Tarballs laid out as npm's registry does (name/-/name-version.tgz)."""
    return tmp_path / "registry"


def from_folder(registry: Path) -> Callable[[PinnedPackage], bytes]:
    def fetch(package: PinnedPackage) -> bytes:
        return (registry / package.name / "-" / package.tarball_name).read_bytes()

    return fetch


def publish(registry: Path, data: bytes, *, recorded: str | None = None) -> Path:
    (registry / "widget" / "-").mkdir(parents=True, exist_ok=True)
    (registry / "widget" / "-" / "widget-1.2.3.tgz").write_bytes(data)
    lock = registry.parent / "assets.lock.json"
    lock.write_text(
        json.dumps(
            {
                "packages": [
                    {
                        "name": "widget",
                        "version": "1.2.3",
                        "integrity": recorded or integrity(data),
                        "files": {"dist/widget.min.js": "widget-1.2.3.min.js"},
                    }
                ]
            }
        )
    )
    return lock


def test_a_pinned_package_is_fetched_and_only_its_listed_file_kept(registry, tmp_path) -> None:
    data = tarball({"dist/widget.min.js": b"widget()", "src/secret.js": b"unused"})
    lock = publish(registry, data)
    vendor = tmp_path / "vendor"

    assert missing_assets(vendor, lock) == ["widget-1.2.3.min.js"]
    assert install_assets(vendor_dir=vendor, lock_file=lock, fetch=from_folder(registry)) == [
        "widget@1.2.3"
    ]

    assert [p.name for p in vendor.iterdir()] == ["widget-1.2.3.min.js"]
    assert (vendor / "widget-1.2.3.min.js").read_bytes() == b"widget()"
    assert missing_assets(vendor, lock) == []
    assert (
        install_assets(vendor_dir=vendor, lock_file=lock, fetch=from_folder(registry)) == []
    )  # nothing left to fetch


def test_a_tarball_that_differs_from_its_recorded_integrity_is_refused(registry, tmp_path) -> None:
    genuine = tarball({"dist/widget.min.js": b"widget()"})
    tampered = tarball({"dist/widget.min.js": b"steal()"})
    lock = publish(registry, tampered, recorded=integrity(genuine))
    vendor = tmp_path / "vendor"

    with pytest.raises(AssetError, match="integrity mismatch"):
        install_assets(vendor_dir=vendor, lock_file=lock, fetch=from_folder(registry))
    assert not (vendor / "widget-1.2.3.min.js").exists()


def test_the_committed_lock_pins_versioned_names_for_every_page_asset() -> None:
    names = served_names()
    for wanted in (
        "graphiql/graphiql.min.js",
        "graphiql/graphiql.min.css",
        "react/umd/react.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
        "graphql-ws/umd/graphql-ws.min.js",
    ):
        package = wanted.split("/")[0]
        assert names[wanted].startswith(f"{package}-"), names[wanted]
        assert any(ch.isdigit() for ch in names[wanted])
