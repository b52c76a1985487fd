"""(c) Bawaba's own schema served by Strawberry's standard ASGI view.

    uvicorn standard_strawberry:create_app --factory --app-dir bench   (settings from BAWABA_*)

The application is Bawaba's (``gateway.create_app``: the same stores, loaders, resolvers,
middleware and lifespan, and the same schema object from ``build_schema`` with its parser
and validation caches, operation limits and cost guard), with one change: ``/graphql`` is
served by stock ``strawberry.asgi.GraphQL`` instead of Bawaba's ``GatewayGraphQL``. The
context comes from the same context getter (``GatewayGraphQL.get_context``: token and
session check, rate limit, per-request loaders); everything after it is Strawberry's
standard execution: its request parsing, ``schema.execute``, stdlib ``json`` encoding.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway import create_app as create_gateway_app
from gateway import gateway_of
from resolvers.context import Context
from server.graphql_view import GatewayGraphQL
from settings import Settings


class StandardGraphQL(GraphQL[Context, None]):
    """Strawberry's view, borrowing only Bawaba's context getter."""

    def __init__(self, schema: Any, *, context_source: GatewayGraphQL) -> None:
        super().__init__(schema, graphql_ide=None)
        self.context_source = context_source

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return await self.context_source.get_context(request, response)


def create_app() -> Starlette:
    app = create_gateway_app(Settings())
    gateway = gateway_of(app)
    view = StandardGraphQL(gateway.schema, context_source=gateway.view)
    app.router.routes = [
        Route("/graphql", view, methods=["GET", "POST"])
        if getattr(route, "path", None) == "/graphql" and isinstance(route, Route)
        else route
        for route in app.router.routes
    ]
    return app
