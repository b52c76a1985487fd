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
        LocalizedText | None, strawberry.field(resolver=access_log.accessor_name)
    ]
    operation: str
    client_address: str


@strawberry.type
class DataAccessEdge:
    cursor: str
    node: DataAccess


@strawberry.type
class DataAccessConnection:
    total_count: int
    edges: list[DataAccessEdge]
    page_info: PageInfo
