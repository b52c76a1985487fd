"""Real `gateway serve` processes on free local ports, for tests that need several."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from cli.stores import prepare_stores
from datasources.stores import open_stores
from demo.demo_population import seed_demo_credentials, seed_demo_population
from gateway import utc_now
from settings import Settings
from tests.support.running_gateway import GENEROUS_LIMITS

ROOT = Path(__file__).resolve().parents[2]

# Tests that start `gateway serve` processes run on one xdist worker, one after another: a
# starting process takes a core for a second or two, and a free port is only free until
# someone binds it.
GATEWAY_PROCESSES = pytest.mark.xdist_group("gateway_processes")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def production_environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of a production `gateway serve` on fresh stores in ``data_dir`` (a
    real secret, generous limits unless ``settings`` say otherwise), with the demo people
    written into them: production mode seeds nobody itself."""
    environment = {
        "BAWABA_MODE": "production",
        "BAWABA_SECRET_KEY": secrets.token_urlsafe(48),
        "BAWABA_DATA_DIR": str(data_dir),
        **{f"BAWABA_{name.upper()}": value for name, value in GENEROUS_LIMITS.items()},
        **{f"BAWABA_{name.upper()}": value for name, value in settings.items()},
    }
    stored = Settings(
        mode="production", data_dir=data_dir, secret_key=environment["BAWABA_SECRET_KEY"]
    )
    await prepare_stores(stored)
    stores = open_stores(stored)
    try:
        await seed_demo_population(stores.civil, stores.passports, now=utc_now())
        await seed_demo_credentials(stores.credentials)
    finally:
        await stores.close()
    return environment


@contextmanager
def gateway_process(
    environment: Mapping[str, str], *, workers: int = 1, log_path: Path | None = None
) -> Iterator[str]:
    """Start `gateway serve`; yield its base URL once /readyz answers; stop it afterwards.
    Its log is kept at ``log_path`` when one is given."""
    port = free_port()
    env = {**os.environ, "BAWABA_AUTO_MIGRATE": "false", **environment}
    # The log goes to a file: a pipe nobody reads fills up and stalls the server.
    log = (
        log_path.open("wb")
        if log_path is not None
        else tempfile.NamedTemporaryFile(prefix="gateway-", suffix=".log", delete=False)  # noqa: SIM115
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gateway exited: {Path(log.name).read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gateway did not become ready in 30 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if log_path is None:
            Path(log.name).unlink(missing_ok=True)
