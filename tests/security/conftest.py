"""The schema the security rules are measured against: the committed SDL, and the one
Strawberry builds (they differ in how an argument keeps its default value)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_schema

from gateway import build_gateway_schema
from i18n.catalog import MessageCatalog
from settings import Settings
from tests.support.running_gateway import TEST_SECRET

SDL = Path(__file__).resolve().parents[2] / "schema.graphql"


@pytest.fixture(scope="session")
def sdl_schema() -> GraphQLSchema:
    return build_schema(SDL.read_text())


@pytest.fixture(scope="session")
def strawberry_schema() -> GraphQLSchema:
    settings = Settings(secret_key=TEST_SECRET)
    return build_gateway_schema(settings, MessageCatalog.load(), None).graphql_schema


@pytest.fixture(scope="session", params=["sdl", "strawberry"])
def schema(request: pytest.FixtureRequest) -> GraphQLSchema:
    return request.getfixturevalue(f"{request.param}_schema")
