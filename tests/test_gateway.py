"""The wiring: a started gateway reports its stores and Redis in ``/readyz``."""

from __future__ import annotations

from settings import Settings
from tests.support.running_gateway import TEST_SECRET, serving_settings


async def test_readyz_reports_redis_when_configured(tmp_path, redis_url) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET, redis_url=redis_url)
    async with serving_settings(settings) as (_, client):
        ready = await client.get("/readyz")
    assert ready.json() == {
        "ready": True,
        "registries": {"civil": "ready", "passport": "ready", "gateway": "ready", "redis": "ready"},
    }


async def test_readyz_reports_an_unreachable_redis(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, secret_key=TEST_SECRET, redis_url="redis://127.0.0.1:9/0"
    )
    async with serving_settings(settings) as (_, client):
        ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["registries"]["redis"] == "unavailable"
