"""The pages' HTTP side: GraphiQL and the console from local assets, under a strict CSP."""

from __future__ import annotations

import json
import re

import pytest

from web import pages, vendor_assets


async def test_graphiql_loads_every_script_from_the_gateway_itself(gateway) -> None:
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src == "'self'"
    assert "unpkg" not in policy and "unpkg" not in page.text
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
    assert sources and all(source.startswith("/assets/") for source in sources)
    assert "<script>" not in page.text  # no inline script
    for source in sources:
        asset = await gateway.client.get(source)
        assert asset.status_code == 200, source


async def test_graphiql_offers_each_contract_document_with_a_headers_hint(
    gateway, contract_dir
) -> None:
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    block = re.search(r'id="graphiql-config">(.*?)</script>', page.text, re.S).group(1)
    tabs = json.loads(block)["tabs"]

    documents = sorted(
        p.relative_to(contract_dir).as_posix() for p in contract_dir.rglob("*.graphql")
    )
    shown = sorted(tab["query"].split("\n", 1)[0].removeprefix("# contract/") for tab in tabs)
    assert shown == documents
    assert tabs[0]["query"].startswith("# contract/frontend/MyFamily.graphql")
    assert "Authorization" in json.loads(tabs[0]["headers"])


async def test_vendor_files_are_cached_for_a_year_and_own_files_revalidated(gateway) -> None:
    name = vendor_assets.served_names()["graphiql/graphiql.min.js"]
    vendor = await gateway.client.get(f"/assets/vendor/{name}")
    own = await gateway.client.get("/assets/console/console.js")

    assert vendor.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert own.headers["cache-control"] == "no-cache"
    assert own.headers["content-type"].startswith("text/javascript")


async def test_the_console_page_carries_the_contract_documents_it_sends(
    gateway, contract_dir
) -> None:
    page = await gateway.client.get("/console")
    block = re.search(r'id="console-config">(.*?)</script>', page.text, re.S).group(1)
    documents = json.loads(block)["documents"]

    assert page.status_code == 200
    assert (
        documents["dashboard/LivePermits"]
        == (contract_dir / "dashboard/LivePermits.graphql").read_text()
    )
    assert documents["frontend/Login"] == (contract_dir / "frontend/Login.graphql").read_text()


async def test_without_its_assets_a_page_says_how_to_install_them(
    gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "missing_assets", lambda: ["graphiql-3.8.3.min.js"])
    page = await gateway.client.get("/graphql", headers={"Accept": "text/html"})
    console = await gateway.client.get("/console")

    assert page.status_code == console.status_code == 503
    assert "python -m web.vendor_assets" in page.text
    assert "graphiql-3.8.3.min.js" in page.text
