"""Step 1, the envelope: every field of a request checked for its type before anything
reads it; a field of the wrong type is ``BAD_REQUEST`` naming the field, never a crash.

The same checks serve a POST body, the query parameters of a GET (whose ``variables`` and
``extensions`` are JSON text) and the payload of a WebSocket ``subscribe``/``start``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from errors import InputRejected
from pipeline.request import GraphQLRequest

_FIELDS = frozenset({"query", "operationName", "variables", "extensions", "documentId"})


class EnvelopeRejected(InputRejected):
    """Raised when a request's envelope has a field of the wrong type or shape."""

    code = "BAD_REQUEST"


def _optional_string(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None or isinstance(value, str):
        return value
    raise EnvelopeRejected(field=name)


def _optional_object(payload: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = payload.get(name)
    if value is None or isinstance(value, dict):
        return value
    raise EnvelopeRejected(field=name)


def _persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict):
        raise EnvelopeRejected(field="extensions.persistedQuery")
    version = persisted.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise EnvelopeRejected(field="extensions.persistedQuery.version")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not digest:
        raise EnvelopeRejected(field="extensions.persistedQuery.sha256Hash")
    return digest


def read_envelope(payload: object, *, max_variables_bytes: int) -> GraphQLRequest:
    """The request a JSON payload (POST body, WebSocket payload) describes."""
    if not isinstance(payload, dict):
        raise EnvelopeRejected(field="body")
    extensions = _optional_object(payload, "extensions")
    variables = _optional_object(payload, "variables")
    if variables and len(orjson.dumps(variables)) > max_variables_bytes:
        raise InputRejected("VARIABLES_TOO_LARGE", field="variables")
    return GraphQLRequest(
        query=_optional_string(payload, "query"),
        operation_name=_optional_string(payload, "operationName"),
        variables=variables,
        extensions=extensions,
        document_id=_optional_string(payload, "documentId"),
        persisted_hash=_persisted_hash(extensions),
    )


def read_query_parameters(
    parameters: Mapping[str, str], *, max_variables_bytes: int
) -> GraphQLRequest:
    """The request of a GET: ``variables`` and ``extensions`` arrive as JSON text."""
    payload: dict[str, Any] = {name: value for name, value in parameters.items() if name in _FIELDS}
    for name in ("variables", "extensions"):
        if payload.get(name) in (None, ""):
            payload.pop(name, None)
            continue
        try:
            payload[name] = orjson.loads(payload[name])
        except orjson.JSONDecodeError as error:
            raise EnvelopeRejected(field=name) from error
    return read_envelope(payload, max_variables_bytes=max_variables_bytes)
