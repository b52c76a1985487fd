"""The operations console at /console: real sign-in, the live board, Arabic, reconnecting."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest

from demo.demo_population import GUARDIAN, KHALID, OPERATOR, SARA
from gateway import gateway_of
from tests.support.permit_helpers import cancel, issue
from tests.support.sign_in_flow import latest_code

pytestmark = [
    pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True),
    # One worker runs the browser tests: one Chromium, not one per worker.
    pytest.mark.xdist_group("browser"),
]
PASSWORD = "Bawaba-Demo-2026"
ARABIC = re.compile(r"[\u0600-\u06FF]")


async def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


async def sign_in_as_operator(page, served, gateway) -> None:
    """The two-step flow in the page, with the code read from the SMS outbox; returns once
    the live board's subscription is registered on the server."""
    fan_out = gateway_of(gateway.app).services.events
    before = fan_out.subscriber_count
    await page.goto(f"{served.url}/console")
    await page.fill("#password-step [name=nationalId]", OPERATOR.national_id)
    await page.fill("#password-step [name=password]", PASSWORD)
    await page.click("#password-step button[type=submit]")
    await page.locator("#code-step").wait_for()
    await page.fill("#code-step [name=code]", await latest_code(gateway, OPERATOR.national_id))
    await page.click("#code-step button[type=submit]")
    await page.locator('#connection[data-state="live"]').wait_for()
    await wait_until(lambda: fan_out.subscriber_count == before + 1)


def row(page, number: str, status: str):
    return page.locator(f'#board-rows tr[data-permit="{number}"][data-status="{status}"]')


async def pending_permit_on_the_board(page, served, gateway) -> dict[str, str]:
    """Sign in as the operator, issue Sara a permit, and wait for its PENDING row."""
    await sign_in_as_operator(page, served, gateway)
    permit: dict[str, str] = (await issue(gateway, GUARDIAN.national_id, SARA.national_id))[
        "permit"
    ]
    await row(page, permit["number"], "PENDING").wait_for()
    return permit


async def test_the_console_shows_pending_then_approved_within_two_seconds_of_the_review(
    browser_page, served, fresh_gateway
) -> None:
    page = browser_page.page
    number = (await pending_permit_on_the_board(page, served, fresh_gateway))["number"]
    await gateway_of(fresh_gateway.app).agency_review.review_due()
    await row(page, number, "APPROVED").wait_for(timeout=2000)

    assert await row(page, number, "APPROVED").locator(".status").inner_text() == (
        "Pending → Approved"
    )
    await page.locator('#counters [data-counter="total"]').wait_for()
    assert await page.locator("#chart svg rect.approved").count() > 0
    assert browser_page.blocked == []
    assert browser_page.errors == []


async def test_after_a_network_drop_the_board_resumes_without_losing_or_repeating_a_row(
    browser_page, served, fresh_gateway
) -> None:
    page = browser_page.page
    permit = await pending_permit_on_the_board(page, served, fresh_gateway)
    number = permit["number"]

    # The network goes: the socket dies without a close frame and no new one can open.
    await browser_page.context.set_offline(True)
    assert served.drop_websockets() == 1
    await page.locator('#connection[data-state="reconnecting"]').wait_for()
    await gateway_of(fresh_gateway.app).agency_review.review_due()  # happens while disconnected
    await browser_page.context.set_offline(False)

    await row(page, number, "APPROVED").wait_for()
    await page.locator('#connection[data-state="live"]').wait_for()
    await cancel(fresh_gateway, GUARDIAN.national_id, permit["id"])
    await row(page, number, "CANCELLED").wait_for()  # live events come after the replay

    statuses = await page.locator(f'#board-rows tr[data-permit="{number}"]').evaluate_all(
        "rows => rows.map(row => row.dataset.status)"
    )
    assert sorted(statuses) == ["APPROVED", "CANCELLED", "PENDING"]
    cursors = await page.locator("#board-rows tr").evaluate_all(
        "rows => rows.map(row => row.dataset.cursor)"
    )
    assert len(cursors) == len(set(cursors))  # the review also decided a demo permit
    assert browser_page.blocked == []


async def test_the_console_in_arabic_reads_right_to_left_with_arabic_reasons(
    browser_page, served, fresh_gateway
) -> None:
    page = browser_page.page
    await page.goto(f"{served.url}/console")
    await page.click("#language")
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    assert await page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert await page.locator("h1").inner_text() == "لوحة العمليات"

    await sign_in_as_operator(page, served, fresh_gateway)
    created = await issue(fresh_gateway, GUARDIAN.national_id, KHALID.national_id)
    number = created["permit"]["number"]
    await row(page, number, "PENDING").wait_for()
    await gateway_of(fresh_gateway.app).agency_review.review_due()  # Khalid has a travel ban
    rejected = row(page, number, "REJECTED")
    await rejected.wait_for()

    cells = await rejected.locator("td").all_inner_texts()
    assert "مرفوض" in cells[2]
    assert ARABIC.search(cells[3]), cells  # the reason, from the server, in Arabic
    assert await page.locator("#board th").first.inner_text() == "التصريح"
    assert browser_page.errors == []
