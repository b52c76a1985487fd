"""Who is asking: the caller of one request, as proven by its credentials."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from errors import NotAuthenticated, NotAuthorized

OPERATOR_SCOPES = frozenset({"permits:watch-all", "stats:read"})


class CallerKind(enum.StrEnum):
    ANONYMOUS = "ANONYMOUS"
    PERSON = "PERSON"
    PARTNER = "PARTNER"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person, a partner organisation's key, or an anonymous caller."""

    kind: CallerKind = CallerKind.ANONYMOUS
    national_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    partner_id: str | None = None
    partner_name: str | None = None
    session_id: str | None = None
    client_address: str = "unknown"
    # When the credentials stop being valid (an access token's expiry); None for API keys.
    expires_at: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not CallerKind.ANONYMOUS

    @property
    def is_operator(self) -> bool:
        return self.kind is CallerKind.PERSON and bool(self.scopes & OPERATOR_SCOPES)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def require_person(self) -> str:
        """The viewer's national ID: UNAUTHENTICATED if anonymous, FORBIDDEN for partners."""
        if self.kind is CallerKind.ANONYMOUS:
            raise NotAuthenticated()
        if self.national_id is None:
            raise NotAuthorized()
        return self.national_id

    def require_scope(self, scope: str) -> None:
        if not self.is_authenticated:
            raise NotAuthenticated()
        if scope not in self.scopes:
            raise NotAuthorized(scope=scope)


ANONYMOUS = Viewer()
