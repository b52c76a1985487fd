"""What the pipeline takes: a checked request, and how and from whom it arrived."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from i18n.catalog import Locale


class Door(enum.Enum):
    """How an operation reached the gateway."""

    HTTP_POST = "POST"
    HTTP_GET = "GET"
    TRANSPORT_WS = "graphql-transport-ws"
    LEGACY_WS = "graphql-ws"

    @property
    def is_http(self) -> bool:
        return self in (Door.HTTP_POST, Door.HTTP_GET)


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    """One operation request, its envelope checked (``pipeline.envelope``)."""

    query: str | None = None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None
    # GraphQL over HTTP's persisted documents: ``documentId`` (with or without "sha256:").
    document_id: str | None = None
    # Apollo's automatic persisted queries: ``extensions.persistedQuery.sha256Hash``.
    persisted_hash: str | None = None


@dataclass(frozen=True, slots=True)
class Arrival:
    """Who sent an operation, and through which door.

    ``headers`` carry the credentials of an HTTP request; a WebSocket's operations carry
    none, the socket's session (``SocketCredentials``) speaks for them.
    """

    door: Door
    request_id: str
    client_address: str
    locale: Locale
    headers: Mapping[str, str] = field(default_factory=dict)
    # Whether the answer goes out as application/graphql-response+json (its statuses differ).
    graphql_response_json: bool = False
