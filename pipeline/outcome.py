"""What the pipeline answers for one operation: a refusal, a result, or a stream of them.

Payloads are already in the GraphQL response shape (``data``, ``errors``, ``extensions``),
every error coded and in the caller's language; the transports frame them (an HTTP status,
a WebSocket message) and nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from live.shared_documents import SharedDocument
from resolvers.context import Context

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Refused:
    """The operation did not run.

    ``code`` is the refusal's (the first error's) code; ``request_error`` says the document
    itself could not run (parse, validation, limits, variables, cost), which GraphQL over
    HTTP answers with 400 for ``application/graphql-response+json``.
    """

    payload: Payload
    code: str
    request_error: bool = False
    retry_after: int | None = None
    reason: str | None = None  # UNAUTHENTICATED's cause


@dataclass(frozen=True, slots=True)
class Answered:
    """A query's or mutation's result.

    ``retry_after`` is set when a field was refused for a rate limit (sign-in, issuing
    permits): the answer is then a 429 with ``Retry-After``, as for a refused request."""

    payload: Payload
    retry_after: int | None = None


@dataclass(frozen=True, slots=True)
class SharedStart:
    """A subscription a group of subscribers can serve (``live.shared_subscriptions``)."""

    document: SharedDocument
    resume_after: int | None  # the change-log position of the ``after`` cursor
    context: Context


@dataclass(slots=True)
class Streaming:
    """A subscription: ``results`` yields each event's payload.

    ``finish`` must be awaited once the stream ends, however it ends, with the codes sent:
    it gives back the subscription slot and writes the log line. ``shared`` is set when a
    group of subscribers may serve it instead (``results`` is then never started).
    """

    results: AsyncGenerator[Payload]
    finish: Callable[[list[str]], Awaitable[None]]
    shared: SharedStart | None = None


Outcome = Refused | Answered | Streaming


def codes_of(payload: Payload) -> list[str]:
    """The codes of a payload's errors, in order."""
    return [
        str((error.get("extensions") or {}).get("code", "INTERNAL_ERROR"))
        for error in payload.get("errors") or ()
    ]
