"""Step 6, caller: who sends the operation, and whether they may send this document.

Over HTTP the request's own credentials are read (``security.authentication``); over a
WebSocket the socket's session speaks for every operation and is checked again before each
one (``SocketCredentials``: an expired token or a revoked session refuses the operation, and
the socket is closed). Every credential failure is ``UNAUTHENTICATED`` with its precise
cause in ``extensions.reason``.

Then two policies that need the caller, in this order: in production, only operators and
partners may look at the schema (``security.introspection_policy``), and anonymous callers
and person tokens run trusted documents only (``security.trusted_documents``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from graphql import GraphQLError

from errors import DocumentRefused
from pipeline.documents import DocumentErrors, ParsedDocument
from pipeline.request import Arrival
from security.authentication import Authenticator
from security.introspection_policy import may_introspect, selects_the_schema
from security.trusted_documents import TrustedDocument
from security.viewer import CallerKind, Viewer
from settings import TrustedDocumentsMode

logger = logging.getLogger("bawaba.trusted_documents")


class SocketCredentials(Protocol):
    """A WebSocket's session, as the pipeline asks it for each operation."""

    async def current_viewer(self) -> Viewer:
        """The socket's caller now; ``NotAuthenticated`` once expired or revoked."""
        ...


class CallerStep:
    def __init__(
        self, authenticator: Authenticator, *, production: bool, trusted: TrustedDocumentsMode
    ) -> None:
        self.authenticator = authenticator
        self.production = production
        self.trusted_mode = trusted

    async def identify(self, arrival: Arrival, socket: SocketCredentials | None) -> Viewer:
        if socket is not None:
            return await socket.current_viewer()
        return await self.authenticator.viewer(arrival.headers, arrival.client_address)

    def admit(
        self, viewer: Viewer, parsed: ParsedDocument, trusted: TrustedDocument | None
    ) -> None:
        """Refuse what this caller may not run; ``DocumentRefused``/``DocumentErrors``."""
        if not self.production:
            return
        # The schema's privacy first: introspection is refused as such whatever the trusted
        # documents mode, not as one more untrusted document.
        if not may_introspect(viewer) and self._selects_the_schema(parsed):
            raise DocumentErrors(
                [
                    GraphQLError(
                        "Introspection is disabled.",
                        extensions={"code": "INTROSPECTION_DISABLED"},
                    )
                ]
            )
        privileged = viewer.kind is CallerKind.PARTNER or viewer.is_operator
        if trusted is None and not privileged and self.trusted_mode != "off":
            if self.trusted_mode == "enforce":
                raise DocumentRefused("TRUSTED_DOCUMENTS_ONLY")
            logger.warning(
                "untrusted document %s… run by a %s caller",
                parsed.hash[:12],
                viewer.kind.value.lower(),
            )

    def may_register(self, viewer: Viewer) -> bool:
        """Whether this caller's APQ hashes may be remembered: it may send any document."""
        return (
            not self.production
            or self.trusted_mode != "enforce"
            or viewer.kind is CallerKind.PARTNER
            or viewer.is_operator
        )

    @staticmethod
    def _selects_the_schema(parsed: ParsedDocument) -> bool:
        found = parsed.analysis.get("introspection")
        if found is None:
            found = parsed.analysis["introspection"] = selects_the_schema(parsed.node)
        return bool(found)
