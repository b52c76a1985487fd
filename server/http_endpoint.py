"""GraphQL over HTTP at /graphql: POST with a JSON body, GET with query parameters.

The endpoint reads what HTTP carries (method, media type, body, ``Accept`` and
``Accept-Language``) and hands the decoded request to the admission pipeline, which does
everything else; then it frames the outcome: GraphQL over HTTP's status codes
(``pipeline.admission.status_of``), ``Retry-After`` on 429, ``WWW-Authenticate`` on 401,
``Allow`` on 405, and the language of the answer in ``Content-Language`` (``Vary`` says
that ``Accept`` and ``Accept-Language`` choose it, so a shared cache keeps GET answers
apart). A browser asking for HTML gets GraphiQL.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response

from errors import BawabaError
from i18n.catalog import negotiate_locale
from pipeline.admission import AdmissionPipeline, MethodNotAllowed, status_of
from pipeline.outcome import Answered, Outcome, Refused, Streaming
from pipeline.request import Arrival, Door
from telemetry.request_ids import request_id_of

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON_MEDIA_TYPES = frozenset({"application/json", GRAPHQL_RESPONSE_JSON})


class UnsupportedMediaType(BawabaError):
    """Raised when a POST's body is not JSON, or arrives compressed."""

    code = "UNSUPPORTED_MEDIA_TYPE"


class InvalidJsonBody(BawabaError):
    """Raised when a POST's body does not decode as JSON (UTF-8, at most 1024 levels deep)."""

    code = "INVALID_JSON_BODY"


class BatchNotAllowed(BawabaError):
    """Raised when a POST's body is a list of operations."""

    code = "BATCH_NOT_ALLOWED"


class GraphQLHttp:
    """The /graphql HTTP endpoint."""

    def __init__(
        self, pipeline: AdmissionPipeline, *, graphiql: Callable[[], Response] | None
    ) -> None:
        self.pipeline = pipeline
        self.graphiql = graphiql

    async def handle(self, request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if (
            request.method == "GET"
            and self.graphiql is not None
            and "text/html" in accept
            and not request.query_params
        ):
            return self.graphiql()
        door = Door.HTTP_GET if request.method == "GET" else Door.HTTP_POST
        arrival = Arrival(
            door=door,
            request_id=request_id_of(request.scope),
            client_address=request.client.host if request.client else "unknown",
            locale=negotiate_locale(request.headers.get("accept-language")),
            headers=request.headers,
            graphql_response_json=GRAPHQL_RESPONSE_JSON in accept,
        )
        try:
            payload = await self._payload(request)
        except BawabaError as error:
            return self.respond(self.pipeline.refuse(error, arrival), arrival, request)
        return self.respond(await self.pipeline.run(payload, arrival), arrival, request)

    async def _payload(self, request: Request) -> object:
        if request.method == "GET":
            return dict(request.query_params)
        if request.method != "POST":
            raise MethodNotAllowed()
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if media_type not in JSON_MEDIA_TYPES or encoding not in ("", "identity"):
            raise UnsupportedMediaType()
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError as error:
            raise InvalidJsonBody() from error
        if isinstance(payload, list):
            raise BatchNotAllowed()
        return payload

    def respond(self, outcome: Outcome, arrival: Arrival, request: Request) -> Response:
        status = status_of(outcome, graphql_response_json=arrival.graphql_response_json)
        media_type = GRAPHQL_RESPONSE_JSON if arrival.graphql_response_json else "application/json"
        headers = {"Content-Language": arrival.locale, "Vary": "Accept, Accept-Language"}
        if isinstance(outcome, Refused | Answered) and outcome.retry_after is not None:
            headers["Retry-After"] = str(outcome.retry_after)
        if isinstance(outcome, Refused):
            if status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="bawaba"'
            if status == 405:
                headers["Allow"] = "POST" if request.method == "GET" else "GET, POST"
        assert not isinstance(outcome, Streaming)  # subscriptions need a WebSocket
        return Response(
            orjson.dumps(outcome.payload),
            status_code=status,
            headers=headers,
            media_type=f"{media_type}; charset=utf-8",
        )
