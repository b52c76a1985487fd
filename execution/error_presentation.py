"""Every GraphQL error leaves with a stable ``extensions.code``, a localized message and the
request's ``extensions.requestId`` (the one echoed in ``X-Request-ID`` and written in the log).

Errors the gateway raised on purpose (``errors.BawabaError``) keep their code and get the
catalog's message. Anything else is a bug: the client sees ``INTERNAL_ERROR`` and nothing of
the exception, while the server log keeps the whole of it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from errors import BawabaError, InputRejected, NotAuthenticated, RateLimited, RegistryError
from i18n.catalog import DEFAULT_LOCALE, Locale, MessageCatalog
from resolvers.context import Context
from security.operation_limits import limit_error_code

logger = logging.getLogger("bawaba.errors")
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def error_extensions(error: BawabaError) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": error.code}
    if isinstance(error, InputRejected) and error.field:
        extensions["field"] = error.field
    if isinstance(error, RegistryError):
        extensions["registry"] = error.registry
    if isinstance(error, RateLimited):
        extensions["retryAfter"] = error.retry_after
    if isinstance(error, NotAuthenticated) and error.reason:
        extensions["reason"] = error.reason
    return extensions


def _request_error_code(error: GraphQLError) -> str:
    if limit := limit_error_code(error.message):
        return limit
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def _cause(error: GraphQLError) -> Exception | None:
    """What made graphql-core report ``error``: a resolver's exception, or None for its own."""
    original = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original


def present_error(
    error: GraphQLError,
    messages: MessageCatalog,
    locale: Locale,
    request_id: str | None = None,
    *,
    hide_suggestions: bool = False,
) -> GraphQLError:
    """The error as the client sees it: coded, localized, with nothing internal in it, and
    naming its request (when there is one) so a report and the log line can be matched.
    With ``hide_suggestions`` (production), graphql-core's "Did you mean" hints are gone."""
    if hide_suggestions:
        error.message = without_suggestions(error.message)
    original = _cause(error)
    if isinstance(original, BawabaError):
        message = messages.message(original.message_code, locale, **original.params)
        extensions = error_extensions(original)
    elif original is not None:
        message = messages.message("INTERNAL_ERROR", locale)
        extensions = {"code": "INTERNAL_ERROR"}
    else:
        code = (error.extensions or {}).get("code") or _request_error_code(error)
        extensions = {**(error.extensions or {}), "code": code}
        if locale == DEFAULT_LOCALE:
            message = error.message
        else:
            # graphql-core speaks English only: a localized summary, the detail beside it.
            message = messages.message(code, locale)
            extensions["detail"] = error.message
    if request_id is not None:
        extensions["requestId"] = request_id
    return GraphQLError(
        message, nodes=error.nodes, path=error.path, extensions=extensions, original_error=None
    )


def is_unexpected(error: GraphQLError) -> bool:
    original = _cause(error)
    return original is not None and not isinstance(original, BawabaError)


def without_suggestions(text: str) -> str:
    """graphql-core's "Did you mean …?" hints describe the schema: dropped in production."""
    return _SUGGESTION.sub("", text).strip()


def present_errors(
    errors: list[GraphQLError],
    messages: MessageCatalog,
    context: object,
    *,
    hide_suggestions: bool = False,
) -> list[GraphQLError]:
    """Every error of a result, as ``present_error`` shows it to the caller of ``context``."""
    if hide_suggestions:
        for error in errors:
            error.message = without_suggestions(error.message)
    if not isinstance(context, Context):
        return [present_error(error, messages, DEFAULT_LOCALE) for error in errors]
    return [present_error(e, messages, context.locale, context.request_id) for e in errors]
