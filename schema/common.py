"""Small shared types: texts in two languages, countries, coded reasons, the Node interface."""

import strawberry


@strawberry.type(description="A text in Arabic and in English.")
class LocalizedText:
    ar: str
    en: str


@strawberry.type(description="A country, by its ISO 3166-1 alpha-2 code.")
class Country:
    code: str
    name: LocalizedText


@strawberry.type(
    description="A machine-readable code with a message in the language the request asked for."
)
class Reason:
    code: str = strawberry.field(description="A stable constant, e.g. TRAVELLER_OVER_AGE_LIMIT.")
    message: str


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID


@strawberry.type(description="Where a page of a connection starts and ends.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None
