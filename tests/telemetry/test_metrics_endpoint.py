"""/metrics is only for the scrapers configuration lets in: loopback by default, else the
configured networks, with the bearer token when one is set."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from ipaddress import ip_network

import httpx
import pytest

from errors import MetricsAddressRefused, MetricsTokenRefused
from settings import Settings
from telemetry.metrics_endpoint import MetricsAccess
from tests.support.running_gateway import make_settings, serving_settings


@asynccontextmanager
async def scraper_at(app: object, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def get_metrics(
    app: object, address: str, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    async with scraper_at(app, address) as client:
        return await client.get("/metrics", headers=dict(headers or {}))


async def test_only_loopback_may_scrape_by_default(tmp_path) -> None:
    settings = await make_settings("sqlite", tmp_path)
    async with serving_settings(settings) as (app, _):
        assert (await get_metrics(app, "127.0.0.1")).status_code == 200
        assert (await get_metrics(app, "::1")).status_code == 200
        refused = await get_metrics(app, "203.0.113.9", {"Accept-Language": "ar"})
        # A forwarded header is a client's claim, not its address.
        forwarded = await get_metrics(app, "203.0.113.9", {"X-Forwarded-For": "127.0.0.1"})
    assert refused.status_code == 403 == forwarded.status_code
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "METRICS_ADDRESS_NOT_ALLOWED"
    assert any("\u0600" <= character <= "\u06ff" for character in error["message"])
    assert "bawaba_requests" not in refused.text + forwarded.text


async def test_configured_networks_and_token_decide_together(tmp_path) -> None:
    token = secrets.token_urlsafe(24)
    settings = (await make_settings("sqlite", tmp_path)).model_copy(
        update={
            "metrics_allowed_networks": [ip_network("203.0.113.0/24")],
            "metrics_token": token,
        }
    )
    async with serving_settings(settings) as (app, _):
        allowed = await get_metrics(app, "203.0.113.9", {"Authorization": f"Bearer {token}"})
        no_token = await get_metrics(app, "203.0.113.9")
        wrong = await get_metrics(app, "203.0.113.9", {"Authorization": "Bearer wrong"})
        loopback = await get_metrics(app, "127.0.0.1", {"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200 and "bawaba_requests_total" in allowed.text
    assert no_token.status_code == 401 == wrong.status_code
    assert no_token.json()["errors"][0]["extensions"]["code"] == "METRICS_TOKEN_REQUIRED"
    assert no_token.headers["www-authenticate"].startswith("Bearer")
    assert loopback.status_code == 403  # loopback is no longer in the configured networks


@pytest.mark.parametrize(
    ("peer", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.1", False),
        ("::2", False),
        ("testclient", False),
        (None, False),
    ],
)
def test_addresses_of_the_default_networks(peer, allowed) -> None:
    access = MetricsAccess(Settings().metrics_allowed_networks)
    if allowed:
        access.check(peer, None)
    else:
        with pytest.raises(MetricsAddressRefused):
            access.check(peer, None)


def test_a_token_must_be_sent_as_a_bearer_token() -> None:
    access = MetricsAccess(Settings().metrics_allowed_networks, token="t" * 20)
    access.check("127.0.0.1", "Bearer " + "t" * 20)
    access.check("127.0.0.1", "bearer " + "t" * 20)
    for header in (None, "t" * 20, "Basic " + "t" * 20, "Bearer " + "t" * 19):
        with pytest.raises(MetricsTokenRefused):
            access.check("127.0.0.1", header)
