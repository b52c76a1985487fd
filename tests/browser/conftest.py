"""Browser tests in Debian's headless Chromium, driven by Playwright's async API.

Chromium comes from Debian (``chromium``, installed by ``./dev test`` when missing), never
from ``playwright install``. Without it these tests skip with the reason, except under
``CI=true``, where they fail. Every request a page makes to anywhere but the gateway is
blocked and recorded, so a test that passes proves the page needs no internet. Each test
leaves a screenshot in ``artifacts/`` (or ``BAWABA_ARTIFACTS_DIR``).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

from tests.support.live_server import LiveServer, live_server
from tests.support.servers import skip_or_fail
from web.vendor_assets import missing_assets

CHROMIUM = Path(os.environ.get("BAWABA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(
    os.environ.get("BAWABA_ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "artifacts")
)
# The flags a closed network needs: no background calls home, no QUIC, no first-run work.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)"
    if missing_assets():
        return f"browser assets missing ({', '.join(missing_assets())}): ./dev installs them"
    return None


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    problem = browser_problem()
    if problem:
        skip_or_fail(problem)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def served(fresh_gateway) -> AsyncIterator[LiveServer]:
    async with live_server(fresh_gateway.app) as server:
        yield server


@dataclass
class BrowserPage:
    """A page in a fresh browser context, with what it tried to reach outside the gateway
    and what it reported as errors (CSP violations included)."""

    page: Page
    context: BrowserContext
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def artifact_name(node_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node_name).strip("-") + ".png"


@pytest.fixture
async def browser_page(
    browser: Browser, served: LiveServer, artifacts: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BrowserPage]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    opened = BrowserPage(page, context)

    async def only_the_gateway(route: Route) -> None:
        if route.request.url.startswith(served.url + "/"):
            await route.continue_()
        else:
            opened.blocked.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", only_the_gateway)
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    try:
        yield opened
    finally:
        await page.screenshot(path=artifacts / artifact_name(request.node.name), full_page=True)
        await context.close()
