"""Versioned schemas of the registries, with Alembic: one script folder per database.

``gateway migrate`` (and ``gateway serve`` unless ``BAWABA_AUTO_MIGRATE=false``) brings each
database to its latest revision. Tables are never created ad hoc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.sql_engine import translated_errors

StoreName = Literal["civil", "passport", "gateway"]
_SCRIPTS = Path(__file__).parent


def _config(store: StoreName, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS / store))
    config.attributes["connection"] = connection
    return config


def latest_revision(store: StoreName) -> str | None:
    return ScriptDirectory.from_config(_config(store)).get_current_head()


async def upgrade_to_latest(engine: AsyncEngine, store: StoreName) -> None:
    def upgrade(connection: Connection) -> None:
        command.upgrade(_config(store, connection), "head")

    async with translated_errors(store), engine.begin() as connection:
        await connection.run_sync(upgrade)


async def current_revision(engine: AsyncEngine, store: StoreName) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with translated_errors(store), engine.connect() as connection:
        return await connection.run_sync(read)
