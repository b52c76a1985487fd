"""(c) Bawaba's own schema served by Strawberry's standard ASGI view.

    uvicorn standard_strawberry:create_app --factory --app-dir bench   (settings from BAWABA_*)

The application is Bawaba's (``gateway.create_app``: the same stores, loaders, resolvers,
middleware and lifespan, and the same schema object from ``build_schema`` with its parser
and validation caches), with one change: ``/graphql`` is served by stock
``strawberry.asgi.GraphQL`` instead of Bawaba's admission pipeline. The context is built as
the pipeline builds it (token and session check, rate limit, per-request loaders);
everything after it is Strawberry's standard execution: its request parsing,
``schema.execute``, stdlib ``json`` encoding.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from datasources.loaders import Loaders
from gateway import Gateway, gateway_of
from gateway import create_app as create_gateway_app
from i18n.catalog import negotiate_locale
from resolvers.calendars import gateway_today
from resolvers.context import Context
from security.rate_limits import caller_key, spend
from settings import Settings
from telemetry.request_ids import request_id_of


class StandardGraphQL(GraphQL[Context, None]):
    """Strawberry's view, with a context like the pipeline's."""

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway.schema, graphql_ide=None)
        self.gateway = gateway

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        gateway, services = self.gateway, self.gateway.services
        address = request.client.host if request.client else "unknown"
        viewer = await gateway.authenticator.viewer(request.headers, address)
        limits = services.rate_limits
        await spend(limits, limits.per_caller, "request", caller_key(viewer))
        registries = services.registries
        return Context(
            viewer=viewer,
            locale=negotiate_locale(request.headers.get("accept-language")),
            today=gateway_today(services.clock()),
            loaders=Loaders(registries.civil, registries.passports),
            services=services,
            request_id=request_id_of(request.scope),
        )


def create_app() -> Starlette:
    app = create_gateway_app(Settings())
    view = StandardGraphQL(gateway_of(app))
    app.router.routes = [
        Route("/graphql", view, methods=["GET", "POST"])
        if getattr(route, "path", None) == "/graphql" and isinstance(route, Route)
        else route
        for route in app.router.routes
    ]
    return app
