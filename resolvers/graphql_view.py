"""The GraphQL HTTP view: builds each request's context and answers every failure with a code."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from datasources.loaders import Loaders
from errors import NotAuthenticated
from i18n.catalog import Locale, negotiate_locale
from resolvers.access_tokens import read_access_token
from resolvers.context import Context, Policy, Registries
from resolvers.viewer import ANONYMOUS, Viewer

# Strawberry reports HTTP-level failures as plain text; these give each a stable code.
_HTTP_ERROR_CODES = {
    "Unable to parse request body as JSON": "INVALID_JSON_BODY",
    "No GraphQL query found in the request": "MISSING_QUERY",
    "Unsupported content type": "UNSUPPORTED_MEDIA_TYPE",
    "GraphQL only supports GET and POST requests.": "METHOD_NOT_ALLOWED",
}


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Bawaba's context, JSON encoding and coded HTTP errors."""

    def __init__(
        self,
        schema: Any,
        *,
        registries: Registries,
        policy: Policy,
        secret_key: str,
        timezone: ZoneInfo,
        graphiql: bool,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self.registries = registries
        self.policy = policy
        self.secret_key = secret_key
        self.timezone = timezone

    def viewer_of(self, request: Request | WebSocket) -> Viewer:
        authorization = request.headers.get("authorization")
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("INVALID_TOKEN")
        return read_access_token(self.secret_key, token.strip())

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        registries = self.registries
        return Context(
            viewer=self.viewer_of(request),
            locale=negotiate_locale(request.headers.get("accept-language")),
            today=datetime.now(self.timezone).date(),
            loaders=Loaders(registries.civil, registries.passports),
            registries=registries,
            policy=self.policy,
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def run(  # type: ignore[override]
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        try:
            return await super().run(request, context, root_value)
        except NotAuthenticated as error:
            return self.error_response(request, error.code, 401)
        except HTTPException as error:
            code = _HTTP_ERROR_CODES.get(error.reason, "BAD_REQUEST")
            status = 415 if code == "UNSUPPORTED_MEDIA_TYPE" else error.status_code
            return self.error_response(request, code, status)

    def error_response(self, request: Request | WebSocket, code: str, status: int) -> Response:
        locale: Locale = negotiate_locale(request.headers.get("accept-language"))
        message = self.registries.messages.message(code, locale)
        headers = {"WWW-Authenticate": 'Bearer realm="bawaba"'} if status == 401 else None
        return JSONResponse(
            {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
            status_code=status,
            headers=headers,
        )
