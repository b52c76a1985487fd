"""Sign-in lockout: it engages after failed passwords or codes, grows, expires, and is the
same for unknown IDs; two gateway processes share its counters through Redis.

In the shared case each process has its own gateway store (its own SQLite files), so the only
thing they share is Redis: a lock that one process honours after failures counted by the other
can only have come through it.
"""

from __future__ import annotations

import secrets

import httpx

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN, SARA
from settings import Settings
from tests.support.gateway_processes import GATEWAY_PROCESSES, gateway_process
from tests.support.running_gateway import GENEROUS_LIMITS
from tests.support.sign_in_flow import LOGIN, complete_login, start_login

PASSWORD = "Bawaba-Demo-2026"


def start_login_at(url: str, password: str) -> dict:
    body = {
        "query": LOGIN,
        "operationName": "StartLogin",
        "variables": {"nationalId": GUARDIAN.national_id, "password": password},
    }
    return httpx.post(f"{url}/graphql", json=body, timeout=10).json()["data"]["startLogin"]


@GATEWAY_PROCESSES
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
                # Sign-in's budget per address is shared through Redis with every other test
                # (all from 127.0.0.1): this test is about the lockout, not that budget.
                "BAWABA_RATE_LIMIT_SIGN_IN": GENEROUS_LIMITS["rate_limit_sign_in"],
            }
        )

    with gateway_process(environments[0]) as a, gateway_process(environments[1]) as b:
        for url in (a, b, a, b, a):
            assert start_login_at(url, "wrong")["errors"][0]["code"] == "INVALID_CREDENTIALS"
        on_b = start_login_at(b, PASSWORD)
        on_a = start_login_at(a, PASSWORD)

    assert on_b["errors"][0]["code"] == "SIGN_IN_LOCKED"
    assert on_a["errors"][0]["code"] == "SIGN_IN_LOCKED"


async def test_lockout_engages_grows_and_expires(fresh_gateway) -> None:
    for _ in range(5):
        await start_login(fresh_gateway, GUARDIAN.national_id, "wrong password")
    locked = await start_login(fresh_gateway, GUARDIAN.national_id, PASSWORD)
    assert locked["errors"][0]["code"] == "SIGN_IN_LOCKED"

    fresh_gateway.clock.advance(seconds=61)
    assert (await start_login(fresh_gateway, GUARDIAN.national_id, PASSWORD))["errors"] == []

    for _ in range(5):
        await start_login(fresh_gateway, GUARDIAN.national_id, "wrong password")
    fresh_gateway.clock.advance(seconds=61)
    still_locked = await start_login(fresh_gateway, GUARDIAN.national_id, PASSWORD)
    assert still_locked["errors"][0]["code"] == "SIGN_IN_LOCKED"  # the second lock is 5 min
    fresh_gateway.clock.advance(minutes=4)
    assert (await start_login(fresh_gateway, GUARDIAN.national_id, PASSWORD))["errors"] == []


async def test_unknown_ids_lock_like_known_ones(fresh_gateway) -> None:
    for _ in range(5):
        await start_login(fresh_gateway, "1000000016", "anything")
    locked = await start_login(fresh_gateway, "1000000016", "anything")
    assert locked["errors"][0]["code"] == "SIGN_IN_LOCKED"


async def test_wrong_codes_count_towards_the_lockout(fresh_gateway) -> None:
    for _ in range(2):
        started = await start_login(fresh_gateway, SARA.national_id, PASSWORD)
        for _ in range(3):
            await complete_login(fresh_gateway, started["challenge"]["id"], "000000")
    # 6 wrong codes (one of them maybe right by chance is vanishingly unlikely): locked now.
    assert (await start_login(fresh_gateway, SARA.national_id, PASSWORD))["errors"][0][
        "code"
    ] == "SIGN_IN_LOCKED"
