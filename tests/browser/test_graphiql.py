"""GraphiQL at /graphql, from the gateway's own assets, in a browser that reaches nothing else."""

from __future__ import annotations

import asyncio
import json

import pytest

from demo.demo_population import GUARDIAN, OPERATOR, SARA
from gateway import gateway_of
from tests.support.permit_helpers import issue

pytestmark = [
    pytest.mark.parametrize("fresh_gateway", ["sqlite"], indirect=True),
    # One worker runs the browser tests: one Chromium, not one per worker.
    pytest.mark.xdist_group("browser"),
]
RESULT_TEXT = """() => {
  const editor = document.querySelector(".result-window .CodeMirror");
  const text = editor && editor.CodeMirror.getValue();
  return text && text.includes('"data"') ? text : null;
}"""


async def run_with_headers(page, headers: dict[str, str]) -> None:
    """Put ``headers`` in the Headers editor of the open tab and run its operation."""
    headers_editor = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden)")
    await headers_editor.click()
    await page.keyboard.press("Control+A")
    await page.keyboard.insert_text(json.dumps(headers))
    await page.locator(".graphiql-execute-button").click()


async def open_graphiql(page, url: str) -> None:
    """The GraphiQL page, once it shows the contract's documents as tabs."""
    await page.goto(f"{url}/graphql")
    await page.locator(".graphiql-tab", has_text="MyFamily").wait_for()


async def test_graphiql_runs_my_family_with_a_token_in_the_headers_editor(
    browser_page, served, fresh_gateway
) -> None:
    page = browser_page.page
    await open_graphiql(page, served.url)

    await run_with_headers(
        page, {"Authorization": f"Bearer {fresh_gateway.token(GUARDIAN.national_id)}"}
    )

    # CodeMirror draws only the visible lines: read the whole result from the editor.
    shown = await page.wait_for_function(RESULT_TEXT)
    result = json.loads(await shown.json_value())
    me = result["data"]["me"]
    assert me["name"]["en"] == "Abdullah Saad Al-Harbi"
    assert SARA.national_id in {d["person"]["nationalId"] for d in me["dependents"]}
    assert browser_page.blocked == []
    assert browser_page.errors == []


async def test_graphiql_offers_every_contract_document_as_a_tab(browser_page, served) -> None:
    page = browser_page.page
    await open_graphiql(page, served.url)

    titles = await page.locator(".graphiql-tab").all_inner_texts()
    names = {title.strip() for title in titles}
    for operation in ("MyFamily", "StartLogin", "LivePermits", "PermitBoard", "VerifyTravelPermit"):
        assert operation in names, names
    assert browser_page.blocked == []


async def test_graphiql_runs_a_subscription_over_websocket_with_the_headers_as_credentials(
    browser_page, served, fresh_gateway
) -> None:
    page = browser_page.page
    await open_graphiql(page, served.url)
    await page.locator(".graphiql-tab", has_text="LivePermits").click()
    fan_out = gateway_of(fresh_gateway.app).services.events
    before = fan_out.subscriber_count
    token = fresh_gateway.token(OPERATOR.national_id, ("permits:watch-all",))
    await run_with_headers(page, {"Authorization": f"Bearer {token}"})
    for _ in range(500):  # until the server has registered the subscription
        if fan_out.subscriber_count == before + 1:
            break
        await asyncio.sleep(0.02)

    created = await issue(fresh_gateway, GUARDIAN.national_id, SARA.national_id)
    shown = await page.wait_for_function(RESULT_TEXT)
    event = json.loads(await shown.json_value())["data"]["travelPermitStatusChanged"]
    assert event["permit"]["number"] == created["permit"]["number"]
    assert event["status"] == "PENDING"
    assert browser_page.errors == []
