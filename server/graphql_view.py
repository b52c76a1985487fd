"""The GraphQL HTTP view: builds each request's context and answers every failure with a code."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import overload

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import OperationType as GraphQLOperationType
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from datasources.loaders import Loaders
from errors import DocumentRefused, NotAuthenticated, RateLimited, RegistryError
from execution.compiled.operations import CompiledOperations
from execution.schema import GatewaySchema
from i18n.catalog import Locale, negotiate_locale
from live.shared_documents import SharedDocuments
from live.subscriber_groups import SubscriberGroups
from resolvers.calendars import gateway_today
from resolvers.context import Context, Services
from security.authentication import Authenticator
from security.rate_limits import caller_key, spend
from security.trusted_documents import TrustedDocuments
from security.viewer import Viewer
from server.transport_ws import FanOutTransportWSHandler, TextFrameWebSocketAdapter
from telemetry.metrics import record_errors
from telemetry.request_ids import request_id_of
from telemetry.request_log import log_request, operation_name_of
from telemetry.request_metrics import RequestMetrics, operation_names_in

# Strawberry reports HTTP-level failures as plain text; these give each a stable code.
_HTTP_ERROR_CODES = {
    "Unable to parse request body as JSON": "INVALID_JSON_BODY",
    "No GraphQL query found in the request": "MISSING_QUERY",
    "Unsupported content type": "UNSUPPORTED_MEDIA_TYPE",
    "GraphQL only supports GET and POST requests.": "METHOD_NOT_ALLOWED",
    "Batching is not enabled": "BATCH_NOT_ALLOWED",
}
_HTTP_STATUSES = {"UNSUPPORTED_MEDIA_TYPE": 415, "METHOD_NOT_ALLOWED": 405}


def http_error_code(reason: str) -> str:
    if reason in _HTTP_ERROR_CODES:
        return _HTTP_ERROR_CODES[reason]
    if "not allowed when using" in reason:  # e.g. a mutation sent with GET
        return "METHOD_NOT_ALLOWED"
    if reason.startswith(("Unknown operation named", "Can't get GraphQL operation type")):
        return "UNKNOWN_OPERATION"
    return "BAD_REQUEST"


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# Failures before execution: the GraphQL-over-HTTP spec answers them with 400 and no data.
_REQUEST_ERRORS = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "MAX_DEPTH_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_TOKENS_EXCEEDED",
    "MAX_DIRECTIVES_EXCEEDED",
    "MAX_ROOT_FIELDS_EXCEEDED",
    "INTROSPECTION_DISABLED",
    "QUERY_TOO_COSTLY",
}


def retry_after_of(response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> list[int]:
    """The ``retryAfter`` of each RATE_LIMITED error of a single response."""
    if not isinstance(response_data, dict):
        return []
    found = []
    for error in response_data.get("errors") or ():
        extensions = (error.get("extensions") if isinstance(error, dict) else None) or {}
        if extensions.get("code") == "RATE_LIMITED":
            found.append(extensions["retryAfter"])
    return found


def wants_graphql_response_json(request: Request | WebSocket) -> bool:
    return GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")


def as_graphql_response_json(response: Response) -> Response:
    """The same answer as application/graphql-response+json, with the spec's status codes."""
    if not response.media_type or "json" not in response.media_type:
        return response
    body = orjson.loads(response.body)
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    codes = {(error.get("extensions") or {}).get("code") for error in errors}
    status = response.status_code
    if status == 200 and body.get("data") is None and codes and codes <= _REQUEST_ERRORS:
        status = 400
        body.pop("data", None)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-type")
    }
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type=GRAPHQL_RESPONSE_JSON
    )


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with Bawaba's context, JSON encoding and coded HTTP errors."""

    graphql_transport_ws_handler_class = FanOutTransportWSHandler
    websocket_adapter_class = TextFrameWebSocketAdapter

    def __init__(
        self,
        schema: GatewaySchema,
        *,
        services: Services,
        authenticator: Authenticator,
        graphiql: bool,
        allowed_origins: Sequence[str],
        connection_init_timeout: timedelta,
        max_subscriptions_per_connection: int,
        max_variables_bytes: int,
        trusted: TrustedDocuments | None,
        production: bool,
        graphiql_page: Callable[[], Response] | None,
        compiled: CompiledOperations | None,
        shared_subscriptions: bool,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=connection_init_timeout,
            max_subscriptions_per_connection=max_subscriptions_per_connection,
            allowed_origins=allowed_origins,
        )
        self.services = services
        self.max_variables_bytes = max_variables_bytes
        self.authenticator = authenticator
        self.trusted = trusted
        self.production = production
        self.metrics = RequestMetrics(
            operation_names_in(trusted.by_hash.values()) if trusted else ()
        )
        self.graphiql_page = graphiql_page
        self.compiled = compiled

        # Subscriptions that can be executed once per group of subscribers (see
        # live/subscriber_groups.py); the others run one per subscriber.
        bodies = trusted.by_hash.values() if trusted is not None and shared_subscriptions else ()
        self.shared_documents = SharedDocuments(schema.graphql_schema, bodies)
        self.subscriber_groups = SubscriberGroups(schema, services)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Bawaba's own GraphiQL page (local assets) instead of Strawberry's CDN one."""
        if self.graphiql_page is not None:
            return self.graphiql_page()
        return await super().render_graphql_ide(request)

    async def _build_context(self, request: Request | WebSocket) -> Context:
        registries = self.services.registries
        client_address = request.client.host if request.client else "unknown"
        websocket = request if isinstance(request, WebSocket) else None
        # A WebSocket authenticates in connection_init (browsers cannot set its headers).
        viewer = (
            Viewer(client_address=client_address)
            if websocket is not None
            else await self.authenticator.viewer(request.headers, client_address)
        )
        if websocket is None:
            limits = self.services.rate_limits
            await spend(limits, limits.per_caller, "request", caller_key(viewer))
        return Context(
            viewer=viewer,
            locale=negotiate_locale(request.headers.get("accept-language")),
            today=gateway_today(self.services.clock()),
            loaders=Loaders(
                registries.civil, registries.passports, tracer=self.services.loader_tracer
            ),
            services=self.services,
            websocket=websocket,
            request_id=request_id_of(request.scope),
        )

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Check the request's size, name its operation, resolve trusted documents."""
        if isinstance(request_data, GraphQLRequestData):
            await self._admit(request_data, request_adapter, context)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Trusted documents run their compiled plan; everything else, Strawberry's execute."""
        plan = (
            self.compiled.find(request_data.query, request_data.operation_name)
            if (self.compiled is not None)
            else None
        )
        if plan is not None and self._allows(plan.operation_type, request_adapter.method):
            assert self.compiled is not None
            result = await self.compiled.execute(
                plan,
                variables=request_data.variables,
                context=context,
                root_value=root_value,
                operation_extensions=request_data.extensions,
            )
            if result is not None:
                return result
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    def _allows(self, operation_type: GraphQLOperationType, method: HTTPMethod) -> bool:
        # The same rule as Strawberry's execute_single; refusals stay on its path.
        allowed = OperationType.from_http(method)
        if not self.allow_queries_via_get and method == "GET":
            allowed = allowed - {OperationType.QUERY}
        return OperationType(operation_type.value) in allowed

    async def _admit(
        self,
        request_data: GraphQLRequestData,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
    ) -> None:
        if request_data.variables and len(orjson.dumps(request_data.variables)) > (
            self.max_variables_bytes
        ):
            raise DocumentRefused("VARIABLES_TOO_LARGE", 400)
        if self.trusted is not None:
            await self._resolve_trusted(request_data, request_adapter, context)
        # Named after resolving: a document sent by hash is logged under its own name.
        context.operation_name = operation_name_of(request_data.query, request_data.operation_name)

    async def _resolve_trusted(
        self,
        request_data: GraphQLRequestData,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
    ) -> None:
        assert self.trusted is not None
        document_id = None
        if request_data.query is None and request_adapter.method == "POST":
            body = self.parse_json(await request_adapter.get_body())
            document_id = body.get("documentId") if isinstance(body, dict) else None
        request_data.query = self.trusted.resolve(
            request_data.query, request_data.extensions, document_id
        )
        self.trusted.check_caller(request_data.query, context.viewer, production=self.production)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        """Authenticate ``connection_init``: the same bearer tokens as over HTTP."""
        params = context.connection_params or {}
        authorization = params.get("Authorization") or params.get("authorization")
        if authorization is None and isinstance(params.get("token"), str):
            authorization = f"Bearer {params['token']}"
        if not isinstance(authorization, str):
            record_errors(["UNAUTHENTICATED"])
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        try:
            context.viewer = await self.authenticator.viewer(
                {"authorization": authorization}, context.viewer.client_address
            )
        except NotAuthenticated as error:
            record_errors([error.code])
            raise ConnectionRejectionError({"code": error.code}) from error
        language = params.get("Accept-Language") or params.get("locale")
        if isinstance(language, str):
            context.locale = negotiate_locale(language)
        return None

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        retry_after = retry_after_of(response_data)
        if retry_after:
            response.status_code = 429
            response.headers["Retry-After"] = str(max(retry_after))
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = await self._build_context(request)
        request.state.context = context  # for the request's log line
        return context

    @overload
    async def run(
        self, request: Request, context: Context = UNSET, root_value: None = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> WebSocket: ...

    async def run(
        self, request: Request | WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> Response | WebSocket:
        started = time.perf_counter()
        response = await self._run(request, context, root_value)
        if not isinstance(response, Response) or response.media_type == "text/html":
            return response  # a WebSocket, or the GraphiQL page
        built: Context | None = getattr(request.state, "context", None)
        operation = built.operation_name if built else "none"
        codes = list(built.error_codes) if built else []
        refused: str | None = getattr(request.state, "refused_with", None)
        if refused:
            codes.append(refused)
        self.metrics.record(
            operation=operation, status=response.status_code, started=started, error_codes=codes
        )
        if not isinstance(request, WebSocket) and request.method != "GET":
            log_request(
                request_id=request_id_of(request.scope),
                operation=operation,
                viewer=built.viewer if built else None,
                status=response.status_code,
                started=started,
                error_codes=codes,
            )
        return response

    async def _run(
        self, request: Request | WebSocket, context: Context, root_value: None
    ) -> Response | WebSocket:
        try:
            response = await super().run(request, context, root_value)
            if isinstance(response, Response) and wants_graphql_response_json(request):
                return as_graphql_response_json(response)
            return response
        except NotAuthenticated as error:
            return self.error_response(request, error.code, 401)
        except DocumentRefused as error:
            return self.error_response(request, error.code, error.status)
        except RateLimited as error:
            response = self.error_response(request, error.code, 429, seconds=str(error.retry_after))
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        except RegistryError as error:
            # Checking credentials needs the gateway's store; without it nobody is let in.
            return self.error_response(request, error.code, 503, registry=error.registry)
        except HTTPException as error:
            code = http_error_code(error.reason)
            return self.error_response(request, code, _HTTP_STATUSES.get(code, error.status_code))

    def error_response(
        self, request: Request | WebSocket, code: str, status: int, **params: str
    ) -> Response:
        request.state.refused_with = code  # for the request's log line and metrics
        locale: Locale = negotiate_locale(request.headers.get("accept-language"))
        message = self.services.registries.messages.message(code, locale, **params)
        headers = {"WWW-Authenticate": 'Bearer realm="bawaba"'} if status == 401 else None
        extensions = {"code": code, **params, "requestId": request_id_of(request.scope)}
        return JSONResponse(
            {"data": None, "errors": [{"message": message, "extensions": extensions}]},
            status_code=status,
            headers=headers,
        )
