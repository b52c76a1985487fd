"""The API's shape: Strawberry types, enums and the schema object."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from i18n.catalog import MessageCatalog
from resolvers.error_reporting import CodedErrors, is_unexpected
from schema.family import Dependent
from schema.people import Citizen, Resident
from schema.query import Query

logger = logging.getLogger("bawaba.errors")


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Coded errors are answers, not incidents: only bugs reach the log, in full.
        for error in errors:
            if is_unexpected(error):
                logger.error("unexpected error in %s", error.path, exc_info=error.original_error)


def build_schema(
    messages: MessageCatalog, *, parse_cache_size: int = 1024, validation_cache_size: int = 1024
) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        types=[Citizen, Resident, Dependent],
        extensions=[
            lambda: ParserCache(maxsize=parse_cache_size),
            lambda: ValidationCache(maxsize=validation_cache_size),
            lambda: CodedErrors(messages),
        ],
    )
