"""Prepared reads: one statement text for any batch size, right rows on both backends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from datasources.sql_reads import AsyncpgReads, CoreReads, open_reads
from demo.demo_population import DEMO_PEOPLE, GUARDIAN, SARA
from gateway import gateway_of

UNKNOWN_ID = "1000000001"


async def test_a_batch_of_any_size_is_one_statement_of_one_text(gateway) -> None:
    civil = gateway_of(gateway.app).stores.civil
    everyone = [person.national_id for person in DEMO_PEOPLE]
    await civil.people_by_ids([GUARDIAN.national_id])  # a new connection's own queries first

    gateway.statements.clear()
    one = await civil.people_by_ids([SARA.national_id])
    many = await civil.people_by_ids([*everyone, UNKNOWN_ID])
    none = await civil.people_by_ids([])
    sent = gateway.request_statements()

    assert set(one) == {SARA.national_id}
    assert set(many) == set(everyone)
    assert many[GUARDIAN.national_id].name.en == GUARDIAN.name_en
    assert none == {}
    # The list's length never changes the SQL. (Background work of the shared gateway, such
    # as the notifier naming people, may send the same statement meanwhile: hence ">=".)
    assert len(sent) >= 3
    assert len(set(sent)) == 1


async def test_rows_keep_their_types_on_the_driver_path(gateway) -> None:
    passports = gateway_of(gateway.app).stores.passports
    found = await passports.current_passports_by_holders([GUARDIAN.national_id])
    passport = found[GUARDIAN.national_id]
    pages = await passports.permits_by_ids(["no-such-permit"])

    assert passport.expiry_date > passport.issue_date  # dates, not text
    assert pages == {}


def test_each_engine_gets_the_reads_its_driver_runs_best(gateway) -> None:
    registries = gateway_of(gateway.app).stores
    expected = AsyncpgReads if gateway.backend == "postgres" else CoreReads
    assert isinstance(open_reads(registries.civil.engine), expected)


async def test_a_cancelled_read_leaves_the_pool_usable(gateway) -> None:
    if gateway.backend != "postgres":
        pytest.skip("SQLite reads run through SQLAlchemy Core")
    engine = gateway_of(gateway.app).stores.civil.engine
    reads = open_reads(engine)
    slow = reads.prepare(select(func.pg_sleep(5)))
    quick = reads.prepare(select(func.count()).select_from(select(func.now()).subquery()))

    for _ in range(engine.pool.size() + 1):  # more than every pooled connection
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await reads.fetch(slow, {})

    rows = await reads.fetch(quick, {})
    assert list(rows[0].values()) == [1]
