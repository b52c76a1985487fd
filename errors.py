"""The gateway's exceptions, as one small tree.

    BawabaError                    every error the gateway raises on purpose
    ├── RegistryError              an agency registry could not answer
    │   ├── RegistryUnavailable    the registry is down or refused the connection
    │   └── RegistryTimeout        the registry did not answer in time
    ├── InputRejected              the client sent something that breaks a rule
    ├── NotAuthenticated           no valid credentials came with the request
    ├── NotAuthorized              the caller may not see or do this
    └── NotFound                   nothing with that identifier exists for the caller

Each error carries a stable ``code`` (what clients match on) and ``params`` (values for the
localized message). Adapters in ``datasources/`` translate driver exceptions into
``RegistryError``; resolvers never see a driver's exception. The HTTP layer turns every
``BawabaError`` into a GraphQL error with ``extensions.code`` and a message in the caller's
language.
"""

from __future__ import annotations

from typing import Any


class BawabaError(Exception):
    """Raised for any failure the gateway anticipates; never for a bug."""

    code: str = "INTERNAL_ERROR"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        super().__init__(self.code)


class RegistryError(BawabaError):
    """Raised when an agency registry fails to answer a read or a write."""

    code = "REGISTRY_UNAVAILABLE"

    def __init__(self, code: str | None = None, *, registry: str, **params: Any) -> None:
        super().__init__(code, registry=registry, **params)
        self.registry = registry


class RegistryUnavailable(RegistryError):
    """Raised when a registry's database cannot be reached or fails a statement."""


class RegistryTimeout(RegistryError):
    """Raised when a registry does not answer within its time limit."""

    code = "REGISTRY_TIMEOUT"


class InputRejected(BawabaError):
    """Raised when client input breaks a rule (malformed ID, bad cursor, out-of-range value)."""

    code = "BAD_USER_INPUT"

    def __init__(self, code: str | None = None, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, **params)
        self.field = field


class NotAuthenticated(BawabaError):
    """Raised when a field needs a signed-in caller and the request has no valid credentials."""

    code = "UNAUTHENTICATED"


class NotAuthorized(BawabaError):
    """Raised when the caller is known but may not see or change the object."""

    code = "FORBIDDEN"


class NotFound(BawabaError):
    """Raised when no object with the given identifier exists (or may be shown to the caller)."""

    code = "NOT_FOUND"
