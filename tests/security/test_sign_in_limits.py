"""Two gateway processes share sign-in lockout counters through Redis.

Each process has its own gateway store (its own SQLite files), so the only thing they
share is Redis: a lock that one process honours after failures counted by the other can
only have come through it.
"""

from __future__ import annotations

import secrets

import httpx

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN
from settings import Settings
from tests.gateway_processes import gateway_process
from tests.sign_in_flow import LOGIN


def start_login(url: str, password: str) -> dict:
    body = {
        "query": LOGIN,
        "operationName": "StartLogin",
        "variables": {"nationalId": GUARDIAN.national_id, "password": password},
    }
    return httpx.post(f"{url}/graphql", json=body, timeout=10).json()["data"]["startLogin"]


async def test_failures_on_one_process_lock_sign_in_on_the_other(tmp_path, redis_url) -> None:
    secret = secrets.token_urlsafe(40)  # fresh counter keys for this test
    environments = []
    for name in ("a", "b"):
        data_dir = tmp_path / name
        await prepare_stores(Settings(data_dir=data_dir, secret_key=secret))
        environments.append(
            {
                "BAWABA_DATA_DIR": str(data_dir),
                "BAWABA_SECRET_KEY": secret,
                "BAWABA_REDIS_URL": redis_url,
            }
        )

    with gateway_process(environments[0]) as a, gateway_process(environments[1]) as b:
        for url in (a, b, a, b, a):
            assert start_login(url, "wrong")["errors"][0]["code"] == "INVALID_CREDENTIALS"
        on_b = start_login(b, "Bawaba-Demo-2026")
        on_a = start_login(a, "Bawaba-Demo-2026")

    assert on_b["errors"][0]["code"] == "SIGN_IN_LOCKED"
    assert on_a["errors"][0]["code"] == "SIGN_IN_LOCKED"
