"""Who is asking: the caller of one request, as proven by its credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

from errors import NotAuthenticated, NotAuthorized


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person (``national_id``) or an anonymous caller, with granted scopes."""

    national_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.national_id is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def require_person(self) -> str:
        """The viewer's national ID; UNAUTHENTICATED for anonymous callers."""
        if self.national_id is None:
            raise NotAuthenticated()
        return self.national_id

    def require_scope(self, scope: str) -> None:
        if not self.is_authenticated:
            raise NotAuthenticated()
        if scope not in self.scopes:
            raise NotAuthorized(scope=scope)


ANONYMOUS = Viewer()
