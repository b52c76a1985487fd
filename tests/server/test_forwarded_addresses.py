"""Whose address a request has: the peer's, or X-Forwarded-For's from a listed proxy only.

Real `gateway serve` processes in production mode, since the header is read by uvicorn
(``BAWABA_FORWARDED_ALLOW_IPS`` → ``forwarded_allow_ips``) before the application sees the
request. The address counts for the sign-in lock per address and the /metrics allowlist."""

from __future__ import annotations

import httpx

from demo.demo_population import GUARDIAN
from tests.support.gateway_processes import (
    GATEWAY_PROCESSES,
    gateway_process,
    production_environment,
)
from tests.support.sign_in_flow import LOGIN

CLIENT = "203.0.113.7"
ANOTHER_CLIENT = "198.51.100.9"
# Three failures lock an address; an ID is never locked here, so each lock is the address's.
LIMITS = {
    "sign_in_failures_per_address": "3",
    "sign_in_failures_per_id": "1000",
    "metrics_allowed_networks": '["203.0.113.0/24"]',
}


def start_login(url: str, password: str, forwarded_for: str | None) -> list[str]:
    """The error codes of a startLogin (for the guardian) sent with ``forwarded_for``."""
    body = {
        "query": LOGIN,
        "operationName": "StartLogin",
        "variables": {"nationalId": GUARDIAN.national_id, "password": password},
    }
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = httpx.post(f"{url}/graphql", json=body, headers=headers, timeout=30)
    return [error["code"] for error in answer.json()["data"]["startLogin"]["errors"]]


def metrics_status(url: str, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.get(f"{url}/metrics", headers=headers, timeout=30).status_code


@GATEWAY_PROCESSES
async def test_without_listed_proxies_a_forged_forwarded_for_is_ignored(tmp_path) -> None:
    environment = await production_environment(tmp_path, **LIMITS)
    with gateway_process(environment) as url:
        # Each wrong password claims another address: all are the peer's (loopback).
        failures = [start_login(url, "wrong", f"192.0.2.{number}") for number in range(1, 4)]
        after = start_login(url, GUARDIAN.password, "192.0.2.200")
        # Claiming an allowed scraper's address does not open /metrics.
        claimed = metrics_status(url, CLIENT)

    assert failures == [["INVALID_CREDENTIALS"]] * 3
    assert after == ["SIGN_IN_LOCKED"]
    assert claimed == 403


@GATEWAY_PROCESSES
async def test_behind_a_listed_proxy_the_forwarded_address_is_the_clients(tmp_path) -> None:
    environment = await production_environment(tmp_path, **LIMITS, forwarded_allow_ips="127.0.0.1")
    with gateway_process(environment) as url:
        failures = [start_login(url, "wrong", CLIENT) for _ in range(3)]
        locked = start_login(url, GUARDIAN.password, CLIENT)
        # One client's failures lock that client, not everyone behind the proxy.
        other = start_login(url, GUARDIAN.password, ANOTHER_CLIENT)
        scraper = metrics_status(url, CLIENT)
        outsider = metrics_status(url, ANOTHER_CLIENT)
        proxy_itself = metrics_status(url, None)
        # A client's own X-Forwarded-For comes first; the proxy appends the real peer, and
        # that is the address used.
        prepended = metrics_status(url, f"{CLIENT}, {ANOTHER_CLIENT}")

    assert failures == [["INVALID_CREDENTIALS"]] * 3
    assert locked == ["SIGN_IN_LOCKED"]
    assert other == []
    assert (scraper, outsider, proxy_itself, prepended) == (200, 403, 403, 403)
