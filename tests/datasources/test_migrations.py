"""The registries' schemas come from Alembic migrations and match the tables the code reads."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from datasources import civil_registry
from datasources.gateway_store import tables as gateway_tables
from datasources.migrations import current_revision, latest_revision
from datasources.passports import passport_registry
from gateway import gateway_of


@pytest.mark.parametrize(
    ("store", "metadata"),
    [
        ("civil", civil_registry.metadata),
        ("passport", passport_registry.metadata),
        ("gateway", gateway_tables.metadata),
    ],
)
async def test_migrated_schema_matches_the_code(gateway, store, metadata) -> None:
    registries = gateway_of(gateway.app).stores
    engine = {
        "civil": registries.civil.engine,
        "passport": registries.passports.engine,
        "gateway": registries.credentials.engine,
    }[store]

    def differences(connection):
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, metadata)

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == []
    assert await current_revision(engine, store) == latest_revision(store)
