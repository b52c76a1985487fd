"""A production-mode gateway with the demo people, served by a real uvicorn in the test's loop.

Production mode seeds nobody, so the stores are prepared once in demo mode (migrated, the
contract registered, the demo people seeded) and then served in production mode: trusted
documents enforced, introspection private, no suggestions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from cli.stores import prepare_stores
from settings import Settings
from tests.support.live_server import uvicorn_server
from tests.support.running_gateway import GENEROUS_LIMITS, TEST_SECRET, serving_settings


@dataclass(frozen=True)
class LiveGateway:
    app: Starlette
    settings: Settings
    url: str  # http://127.0.0.1:<port>

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)


def production_settings(data_dir: Path, **overrides: Any) -> Settings:
    defaults = {"mode": "production", "secret_key": TEST_SECRET, "agency_review": False}
    return Settings(data_dir=data_dir, **{**defaults, **GENEROUS_LIMITS, **overrides})


@asynccontextmanager
async def serving_production(data_dir: Path, **overrides: Any) -> AsyncIterator[LiveGateway]:
    """``overrides`` are settings (e.g. ``rate_limit_per_caller="20/minute"``)."""
    settings = production_settings(data_dir, **overrides)
    await prepare_stores(settings.model_copy(update={"mode": "demo"}))
    async with (
        serving_settings(settings) as (app, _),
        uvicorn_server(app) as (port, _),
    ):
        yield LiveGateway(app, settings, f"http://127.0.0.1:{port}")
