"""What a mutation reports when it refuses: a list of coded, localized user errors."""

import strawberry


@strawberry.type(description="Why a mutation did not do what was asked; nothing was changed.")
class UserError:
    code: str = strawberry.field(description="A stable constant, e.g. INVALID_CREDENTIALS.")
    message: str = strawberry.field(description="In the language the request asked for.")
    field: str | None = strawberry.field(description="The input field concerned, if one is.")
