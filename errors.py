"""The gateway's exceptions, as one small tree.

    BawabaError                         every error the gateway raises on purpose
    ├── RegistryError                   an agency registry or store could not answer
    │   ├── RegistryUnavailable         it is down or refused the connection
    │   └── RegistryTimeout             it did not answer in time
    ├── InputRejected                   the client sent something that breaks a rule
    │   ├── DocumentRefused             an unknown document, or one the caller may not send
    │   ├── QueryTooCostly              an operation's estimated cost is above the ceiling
    │   ├── BodyTooLarge                a request body passed the size limit
    │   └── ManifestError               a client's manifest of documents cannot be registered
    ├── NotAuthenticated                no valid credentials came with the request
    ├── NotAuthorized                   the caller may not see or do this
    │   ├── MetricsAddressRefused       a scrape from outside the allowed networks
    │   └── MetricsTokenRefused         a scrape without the required token
    ├── NotFound                        nothing with that identifier exists for the caller
    ├── RateLimited                     the caller has spent its budget for the window
    ├── SubscriptionLimitReached        a person holds as many live subscriptions as allowed
    └── SubscriberTooSlow               a subscriber fell a whole buffer behind

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

    @property
    def message_code(self) -> str:
        """The catalog entry of the error's message (its code, unless a subclass is finer)."""
        return self.code


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


class DocumentRefused(InputRejected):
    """Raised when a request names an unknown document, or sends one it may not."""


class QueryTooCostly(InputRejected):
    """Raised when an operation's estimated cost is above the ceiling."""

    code = "QUERY_TOO_COSTLY"


class BodyTooLarge(InputRejected):
    """Raised inside the app's ``receive`` when a request body passes the size limit."""

    code = "REQUEST_TOO_LARGE"


class ManifestError(InputRejected):
    """Raised when a client's manifest of persisted documents cannot be registered (it is
    refused whole); ``reason`` says why, naming the entry, for whoever registers it."""

    code = "MANIFEST_REFUSED"

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class NotAuthenticated(BawabaError):
    """Raised when a field needs a signed-in caller and the request has no valid credentials.

    The code is always ``UNAUTHENTICATED`` (frontends send people to sign-in on it); the
    precise cause, when there is one, is ``reason``: ``TOKEN_EXPIRED``, ``INVALID_TOKEN``,
    ``SESSION_REVOKED``, ``INVALID_API_KEY`` or ``AMBIGUOUS_CREDENTIALS``.
    """

    code = "UNAUTHENTICATED"

    def __init__(self, reason: str | None = None, **params: Any) -> None:
        super().__init__(None, **params)
        self.reason = reason

    @property
    def message_code(self) -> str:
        return self.reason or self.code


class NotAuthorized(BawabaError):
    """Raised when the caller is known but may not see or change the object."""

    code = "FORBIDDEN"


class MetricsAddressRefused(NotAuthorized):
    """Raised when a scrape comes from an address outside the allowed networks."""

    code = "METRICS_ADDRESS_NOT_ALLOWED"


class MetricsTokenRefused(NotAuthorized):
    """Raised when a token is required for scrapes and the request lacks the right one."""

    code = "METRICS_TOKEN_REQUIRED"


class NotFound(BawabaError):
    """Raised when no object with the given identifier exists (or may be shown to the caller)."""

    code = "NOT_FOUND"


class RateLimited(BawabaError):
    """Raised when a caller has spent its budget for the current window; ``retry_after`` is
    the number of seconds until it may call again."""

    code = "RATE_LIMITED"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(seconds=retry_after)
        self.retry_after = retry_after


class SubscriptionLimitReached(BawabaError):
    """Raised when a person already holds as many live subscriptions as allowed."""

    code = "SUBSCRIPTION_LIMIT_REACHED"


class SubscriberTooSlow(BawabaError):
    """Raised in a subscription whose buffer overflowed: it must resume with its cursor.

    Its WebSocket is closed with ``close_code`` and ``close_reason``, which tell the client
    to subscribe again ``after`` its last cursor."""

    code = "SUBSCRIBER_TOO_SLOW"
    close_code = 4499
    close_reason = "Too slow: resubscribe with after: <last cursor>"
