"""Expected failures of a mutation: data in the payload's ``errors``, not exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.context import Context


@dataclass(frozen=True, slots=True)
class UserError:
    code: str
    message: str
    field: str | None = None


def user_error(
    context: Context, code: str, *, field: str | None = None, **params: object
) -> UserError:
    """A coded error with its message in the caller's language."""
    return UserError(code=code, message=context.message(code, **params), field=field)
