"""Dates and instants, with the specifications they follow (``@specifiedBy``), so code
generators (graphql-codegen's ``scalars`` mapping, Apollo Kotlin's adapters) can type them."""

from __future__ import annotations

# Strawberry's scalar definitions, copied: tests/test_library_internals.py
import dataclasses
from datetime import date, datetime

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

# Strawberry's own parsing and printing (ISO 8601), named by the specification they meet.
DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar date, ISO 8601 (2026-11-24).",
    specified_by_url="https://scalars.graphql.org/andimarek/local-date.html",
)
DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description="An instant with its offset, RFC 3339 (2026-11-24T09:30:00+03:00).",
    specified_by_url="https://scalars.graphql.org/andimarek/date-time.html",
)
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {date: DATE, datetime: DATE_TIME}
