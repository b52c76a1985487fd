"""The civil affairs registry over SQL: people and the family links between them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from datasources.records import (
    FamilyLink,
    Gender,
    LocalizedText,
    MaritalStatus,
    Person,
    Relationship,
)
from datasources.sql_engine import RegistryGuard, any_of, is_postgresql, reading
from datasources.sql_reads import PreparedRead, Row, open_reads

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("national_id", String(10), primary_key=True),
    Column("name_ar", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("gender", String(8), nullable=False),
    Column("marital_status", String(10), nullable=False),
    Column("nationality", String(2), nullable=False),
    Column("mobile_number", String(16), nullable=False),
)

family_links = Table(
    "family_links",
    metadata,
    Column("guardian_id", String(10), ForeignKey("people.national_id"), nullable=False),
    Column("dependent_id", String(10), ForeignKey("people.national_id"), nullable=False),
    Column("relationship", String(10), nullable=False),
    PrimaryKeyConstraint("guardian_id", "dependent_id"),
    Index("ix_family_links_dependent_id", "dependent_id"),
)

_PERSON_COLUMNS = (
    people.c.national_id,
    people.c.name_ar,
    people.c.name_en,
    people.c.birth_date,
    people.c.gender,
    people.c.marital_status,
    people.c.nationality,
    people.c.mobile_number,
)


def _person(row: Row) -> Person:
    return Person(
        national_id=row["national_id"],
        name=LocalizedText(ar=row["name_ar"], en=row["name_en"]),
        birth_date=row["birth_date"],
        gender=Gender(row["gender"]),
        marital_status=MaritalStatus(row["marital_status"]),
        nationality=row["nationality"],
        mobile_number=row["mobile_number"],
    )


class SqlCivilRegistry:
    """``CivilRegistry`` on a SQL database; statements are built once, here."""

    name = "civil"

    def __init__(self, engine: AsyncEngine, guard: RegistryGuard | None = None) -> None:
        self.engine = engine
        self._reader = reading(engine)
        self.guard = guard or RegistryGuard(self.name)
        self._reads = open_reads(engine)
        postgresql = is_postgresql(engine)
        self._people_by_ids = self._reads.prepare(
            select(*_PERSON_COLUMNS).where(
                any_of(people.c.national_id, "ids", postgresql=postgresql)
            )
        )
        self._dependents_by_guardians = self._reads.prepare(
            select(family_links.c.guardian_id, family_links.c.relationship, *_PERSON_COLUMNS)
            .join(people, people.c.national_id == family_links.c.dependent_id)
            .where(any_of(family_links.c.guardian_id, "ids", postgresql=postgresql))
            .order_by(family_links.c.guardian_id, people.c.birth_date, people.c.national_id)
        )

    async def _fetch(self, read: PreparedRead, ids: Sequence[str]) -> Sequence[Row]:
        async with self.guard.call():
            return await self._reads.fetch(read, {"ids": list(ids)})

    async def ping(self) -> None:
        async with self.guard.call(), self._reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()

    async def people_by_ids(self, national_ids: Sequence[str]) -> Mapping[str, Person]:
        rows = await self._fetch(self._people_by_ids, national_ids)
        return {row["national_id"]: _person(row) for row in rows}

    async def dependents_by_guardians(
        self, guardian_ids: Sequence[str]
    ) -> Mapping[str, Sequence[FamilyLink]]:
        rows = await self._fetch(self._dependents_by_guardians, guardian_ids)
        links: defaultdict[str, list[FamilyLink]] = defaultdict(list)
        for row in rows:
            links[row["guardian_id"]].append(
                FamilyLink(
                    guardian_id=row["guardian_id"],
                    relationship=Relationship(row["relationship"]),
                    person=_person(row),
                )
            )
        return links

    # Writes used by seeding. The civil registry belongs to another agency: the gateway
    # itself never changes it, only the demo and benchmark populations are written here.

    async def add_people(self, rows: Iterable[Mapping[str, Any]]) -> None:
        await self._insert_many(people, rows)

    async def add_family_links(self, rows: Iterable[Mapping[str, Any]]) -> None:
        await self._insert_many(family_links, rows)

    async def count_people(self) -> int:
        async with self.guard.call(), self._reader.connect() as connection:
            result = await connection.execute(text("SELECT count(*) FROM people"))
            return int(result.scalar_one())

    async def _insert_many(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
        batch = list(rows)
        if not batch:
            return
        async with self.guard.call(), self.engine.begin() as connection:
            await connection.execute(insert(table), batch)
