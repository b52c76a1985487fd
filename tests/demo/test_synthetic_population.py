"""The benchmark population: valid, new IDs, names in two scripts, families with permits."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select

from datasources.civil_registry import SqlCivilRegistry, family_links, people
from datasources.migrations import upgrade_to_latest
from datasources.passports.passport_registry import (
    SqlPassportRegistry,
    passports,
    permit_status_changes,
    travel_permits,
)
from datasources.sql_engine import create_registry_engine
from demo.demo_population import DEMO_PEOPLE, seed_demo_population
from demo.synthetic_population import (
    MEASURED_AGE_RANGES,
    MEASURED_PERMITS,
    seed_measured_families,
    seed_synthetic_population,
    synthetic_national_id,
)
from resolvers.calendars import gateway_today, gregorian_age
from resolvers.national_ids import is_valid_national_id

# One worker runs this module, so the seeded registries (a module fixture) are built once.
pytestmark = pytest.mark.xdist_group("synthetic_population")
NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
TODAY = gateway_today(NOW)
POPULATION = 500
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
ENGLISH_NAME = re.compile(r"[A-Za-z][A-Za-z' -]*")

Registries = tuple[SqlCivilRegistry, SqlPassportRegistry]
OpenRegistries = Callable[[str], Awaitable[Registries]]


async def _open(directory: Path, name: str) -> Registries:
    civil = SqlCivilRegistry(
        create_registry_engine(f"sqlite+aiosqlite:///{directory}/{name}-c.db", pool_size=5)
    )
    passport = SqlPassportRegistry(
        create_registry_engine(f"sqlite+aiosqlite:///{directory}/{name}-p.db", pool_size=5)
    )
    await upgrade_to_latest(civil.engine, "civil")
    await upgrade_to_latest(passport.engine, "passport")
    return civil, passport


async def _rows(registry: SqlCivilRegistry | SqlPassportRegistry, table: Table) -> list[Any]:
    columns = [column for column in table.c if column.name != "id" or table is travel_permits]
    async with registry.engine.connect() as connection:
        result = await connection.execute(select(*columns).order_by(*columns))
        return list(result.all())


@pytest.fixture
async def open_registries(tmp_path: Path) -> AsyncIterator[OpenRegistries]:
    opened: list[SqlCivilRegistry | SqlPassportRegistry] = []

    async def open_registries(name: str) -> Registries:
        civil, passport = await _open(tmp_path, name)
        opened.extend((civil, passport))
        return civil, passport

    yield open_registries
    for registry in opened:
        await registry.close()


@pytest.fixture(scope="module")
async def seeded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Registries]:
    """The demo population, then the synthetic one, in one pair of SQLite registries."""
    civil, passport = await _open(tmp_path_factory.mktemp("synthetic"), "seeded")
    assert await seed_demo_population(civil, passport, now=NOW)
    added = await seed_synthetic_population(civil, passport, population=POPULATION, today=TODAY)
    assert added == POPULATION
    yield civil, passport
    await civil.close()
    await passport.close()


def test_synthetic_ids_carry_a_valid_check_digit() -> None:
    for serial in (0, 1, 9, 10, 12_345, 99_999, 1_234_567, 9_999_999):
        for citizen in (True, False):
            national_id = synthetic_national_id(serial, citizen=citizen)
            assert is_valid_national_id(national_id)
            assert national_id[0] == ("1" if citizen else "2")


async def test_seeding_adds_the_people_asked_for_beside_the_demo(seeded: Registries) -> None:
    civil, passport = seeded
    ids = [row.national_id for row in await _rows(civil, people)]
    demo_ids = {person.national_id for person in DEMO_PEOPLE}

    assert len(ids) == len(set(ids)) == POPULATION + len(DEMO_PEOPLE)
    assert demo_ids <= set(ids)
    assert all(is_valid_national_id(national_id) for national_id in ids)
    assert await passport.count_permits() > POPULATION


async def test_names_are_written_in_arabic_and_in_english(seeded: Registries) -> None:
    civil, _ = seeded
    for row in await _rows(civil, people):
        assert ARABIC_LETTER.search(row.name_ar), row.name_ar
        assert not re.search("[A-Za-z]", row.name_ar), row.name_ar
        assert ENGLISH_NAME.fullmatch(row.name_en), row.name_en
        assert re.fullmatch(r"\+9665\d{8}", row.mobile_number)


async def test_residents_hold_foreign_nationalities(seeded: Registries) -> None:
    civil, _ = seeded
    rows = await _rows(civil, people)
    nationalities = Counter(row.nationality for row in rows)

    assert all((row.nationality == "SA") == (row.national_id[0] == "1") for row in rows)
    assert nationalities["SA"] > POPULATION // 2
    assert len(nationalities) >= 5


async def test_families_link_married_guardians_to_sons_and_daughters(seeded: Registries) -> None:
    civil, _ = seeded
    by_id = {row.national_id: row for row in await _rows(civil, people)}
    links = [link for link in await _rows(civil, family_links) if link.guardian_id[1] == "9"]
    dependents = Counter(link.guardian_id for link in links)

    assert sum(dependents.values()) > POPULATION // 2
    assert 3.5 <= sum(dependents.values()) / len(dependents) <= 6
    for link in links:
        guardian, dependent = by_id[link.guardian_id], by_id[link.dependent_id]
        assert guardian.marital_status == "MARRIED"
        assert dependent.nationality == guardian.nationality
        assert link.relationship == {"MALE": "SON", "FEMALE": "DAUGHTER"}[dependent.gender]
        # The family name, in both scripts, is the guardian's.
        assert dependent.name_ar.split()[-1] == guardian.name_ar.split()[-1]
        assert dependent.name_en.split()[-1] == guardian.name_en.split()[-1]
        assert guardian.birth_date.year <= dependent.birth_date.year - 18
    married = [by_id[link.dependent_id].marital_status == "MARRIED" for link in links]
    assert any(married)


async def test_everyone_holds_one_valid_passport(seeded: Registries) -> None:
    _, passport = seeded
    rows = [row for row in await _rows(passport, passports) if row.holder_id[1] == "9"]

    assert Counter(row.holder_id for row in rows if row.status == "VALID").most_common(1)[0][1] == 1
    assert len(rows) == POPULATION
    for row in rows:
        pattern = r"[A-Z]\d{8}" if row.issuing_country == "SA" else r"[A-Z]{2}\d{7}"
        assert re.fullmatch(pattern, row.number), row.number
        assert row.issue_date <= TODAY < row.expiry_date
    assert len({(row.issuing_country, row.number) for row in rows}) == len(rows)


async def test_young_dependents_hold_permits_with_their_history(seeded: Registries) -> None:
    civil, passport = seeded
    links = {link.dependent_id: link.guardian_id for link in await _rows(civil, family_links)}
    permits = [row for row in await _rows(passport, travel_permits) if "-S" in row.number]
    histories = await passport.status_histories([permit.id for permit in permits])

    assert len({permit.status for permit in permits}) == 5
    for permit in permits:
        assert re.fullmatch(r"[0-9a-f]{32}", permit.id)
        assert re.fullmatch(r"TP-\d{4}-S\d{9}", permit.number)
        assert links[permit.traveller_id] == permit.guardian_id
        history = histories[permit.id]
        assert history[0].status == "PENDING" and history[0].previous_status is None
        assert history[-1].status == permit.status
        assert [change.previous_status for change in history[1:]] == [
            change.status for change in history[:-1]
        ]
    active = Counter(p.traveller_id for p in permits if p.status in ("PENDING", "APPROVED"))
    assert not active or active.most_common(1)[0][1] == 1


async def test_a_second_run_adds_more_people(open_registries: OpenRegistries) -> None:
    civil, passport = await open_registries("twice")

    await seed_synthetic_population(civil, passport, population=300, today=TODAY)
    added = await seed_synthetic_population(civil, passport, population=200, today=TODAY)

    assert added == 200
    assert await civil.count_people() == 500
    async with civil.engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(family_links))).scalar()


async def test_the_same_seed_gives_the_same_rows(open_registries: OpenRegistries) -> None:
    first, second = await open_registries("first"), await open_registries("second")
    other = await open_registries("other")

    for civil, passport in (first, second):
        await seed_synthetic_population(civil, passport, population=300, seed=7, today=TODAY)
    await seed_synthetic_population(*other, population=300, seed=8, today=TODAY)

    assert await _rows(first[0], people) == await _rows(second[0], people)
    assert await _rows(first[0], people) != await _rows(other[0], people)
    for table in (passports, travel_permits, permit_status_changes):
        assert await _rows(first[1], table) == await _rows(second[1], table)


async def test_measured_families_have_the_benchmark_s_exact_shape(
    open_registries: OpenRegistries,
) -> None:
    civil, passport = await open_registries("measured")
    await seed_synthetic_population(civil, passport, population=100, today=TODAY)

    guardians = await seed_measured_families(civil, passport, count=8, today=TODAY)

    assert len(set(guardians)) == 8
    assert await civil.count_people() == 100 + 8 * (1 + len(MEASURED_AGE_RANGES))
    assert sum(guardian.startswith("1") for guardian in guardians) == 6  # citizens: 3 in 4
    links = await civil.dependents_by_guardians(guardians)
    permits = Counter(row.traveller_id for row in await _rows(passport, travel_permits))
    for guardian in guardians:
        children = [link.person for link in links[guardian]]
        ages = sorted(gregorian_age(child.birth_date, TODAY) for child in children)
        assert len(ages) == len(MEASURED_AGE_RANGES)
        for age, (youngest, eldest) in zip(ages, MEASURED_AGE_RANGES, strict=True):
            assert youngest <= age <= eldest
        assert [permits[child.national_id] for child in children] == [MEASURED_PERMITS] * 5
