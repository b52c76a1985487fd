"""A person's view of who accessed their data."""

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers import access_log
from schema.common import LocalizedText, PageInfo
from schema.enums import AccessorKind


@strawberry.type(description="One read or change of your data by someone else.")
class DataAccess:
    at: datetime
    accessor_kind: AccessorKind = strawberry.field(
        description="PERSON (e.g. your guardian), OPERATOR or PARTNER."
    )
    accessor_name: Annotated[
        LocalizedText,
        strawberry.field(
            resolver=access_log.accessor_name,
            description="Who read, as an organisation or a relation: the partner's registered "
            'name, "Passports agency operator", "Your guardian".',
        ),
    ]
    purpose: Annotated[
        LocalizedText | None,
        strawberry.field(
            resolver=access_log.purpose,
            description="What the reader's access is for (a partner's registered scopes, an "
            "operator's); null for family.",
        ),
    ]
    operation: str = strawberry.field(
        description='The registered name of the trusted document that read, or "ad hoc query" '
        "(in the request's language)."
    )
    client_address: Annotated[
        str | None,
        strawberry.field(
            resolver=access_log.withheld_address,
            deprecation_reason="A reader's address is not shown; always null.",
        ),
    ]


@strawberry.type
class DataAccessEdge:
    cursor: str
    node: DataAccess


@strawberry.type
class DataAccessConnection:
    total_count: int
    edges: list[DataAccessEdge]
    page_info: PageInfo
