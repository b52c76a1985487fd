"""The HTML pages (GraphiQL at /graphql, the operations console at /console) and their assets.

Pages carry no inline script: their code is in ``web/static`` and their configuration (the
contract documents, the asset names) travels in a ``<script type="application/json">`` data
block, which the Content-Security-Policy's ``script-src 'self'`` leaves alone.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from web.vendor_assets import VENDOR_DIR, missing_assets, served_names

logger = logging.getLogger("bawaba.web")
WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
VENDOR_PREFIX = "/assets/vendor/"
STATIC_PREFIX = "/assets/"
# The contract's groups, in the order GraphiQL shows them, and the headers each one needs.
_HEADER_HINTS = {
    "frontend": {"Authorization": "Bearer <a person's token: ./dev token 1084592631>"},
    "dashboard": {"Authorization": "Bearer <an operator's token: ./dev token 1048273617>"},
    "partner": {"X-API-Key": "<a partner key: ./dev partner create --name N --scope S>"},
}
_NEEDS_NO_HEADERS = {"frontend/Login.graphql"}


class AssetFiles(StaticFiles):
    """Static files with a cache policy: versioned vendor files never change, so browsers
    keep them a year; the project's own files are revalidated (ETag) on every load."""

    def __init__(self, directory: Path, *, immutable: bool) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.cache_control = "public, max-age=31536000, immutable" if immutable else "no-cache"

    # Starlette's undocumented file_response, overridden: tests/test_library_internals.py
    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        return response


def json_data_block(data: object) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def contract_tabs(contract_dir: Path) -> list[dict[str, str]]:
    """One GraphiQL tab per contract document, with a hint of the headers it needs."""
    tabs = []
    for group in _HEADER_HINTS:
        for path in sorted((contract_dir / group).glob("*.graphql")):
            name = f"{group}/{path.name}"
            headers = {} if name in _NEEDS_NO_HEADERS else _HEADER_HINTS[group]
            tabs.append(
                {
                    "query": f"# contract/{name}\n{path.read_text()}",
                    "headers": json.dumps(headers, indent=2),
                }
            )
    # The family page first: the one most people come to try.
    tabs.sort(key=lambda tab: "MyFamily.graphql" not in tab["query"].split("\n", 1)[0])
    return tabs


def assets_missing_page() -> HTMLResponse:
    missing = ", ".join(missing_assets())
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>Assets not installed</title>"
        "<h1>The browser assets are not installed</h1>"
        f"<p>Missing from <code>web/vendor/</code>: {missing}.</p>"
        "<p>Run <code>./dev serve</code> (it installs them), or "
        "<code>python -m web.vendor_assets</code> on a machine that reaches the npm registry.</p>",
        status_code=503,
    )


@dataclass
class Pages:
    """Renders the pages once per process; answers 503 with the fix while assets are missing."""

    contract_dir: Path
    demo: bool

    def __post_init__(self) -> None:
        names = {key: VENDOR_PREFIX + value for key, value in served_names().items()}
        self.vendor = {
            "react": names["react/umd/react.production.min.js"],
            "react_dom": names["react-dom/umd/react-dom.production.min.js"],
            "graphiql_js": names["graphiql/graphiql.min.js"],
            "graphiql_css": names["graphiql/graphiql.min.css"],
            "graphql_ws": names["graphql-ws/umd/graphql-ws.min.js"],
        }
        self.graphiql_html = self._render(
            "graphiql.html", {"tabs": contract_tabs(self.contract_dir)}
        )
        documents = {
            name: (self.contract_dir / f"{name}.graphql").read_text()
            for name in (
                "frontend/Login",
                "frontend/Session",
                "dashboard/LivePermits",
                "dashboard/PermitBoard",
            )
        }
        self.console_html = self._render(
            "console.html", {"documents": documents, "demo": self.demo}
        )
        if missing_assets():
            logger.warning(
                "browser assets missing from %s: run `python -m web.vendor_assets`", VENDOR_DIR
            )

    def _render(self, template: str, config: dict[str, object]) -> str:
        text = (TEMPLATES_DIR / template).read_text()
        return Template(text).substitute(self.vendor, config=json_data_block(config))

    def graphiql(self) -> Response:
        return assets_missing_page() if missing_assets() else HTMLResponse(self.graphiql_html)

    async def console(self, _: Request) -> Response:
        return assets_missing_page() if missing_assets() else HTMLResponse(self.console_html)

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/console", self.console, methods=["GET"]),
            Mount(VENDOR_PREFIX.rstrip("/"), AssetFiles(VENDOR_DIR, immutable=True)),
            Mount(STATIC_PREFIX.rstrip("/"), AssetFiles(STATIC_DIR, immutable=False)),
        ]
