"""The passports agency's registry over SQL: passports, travel permits, their history, bans."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import groupby
from typing import Any, TypeVarTuple

from sqlalchemy import Date, Integer, String, Table, bindparam, func, insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Select

from datasources.passports.permit_transitions import destination_rows
from datasources.passports.tables import (
    metadata,
    passports,
    permit_destinations,
    permit_status_changes,
    travel_bans,
    travel_permits,
)
from datasources.records import (
    Passport,
    PassportStatus,
    PermitKind,
    PermitPage,
    PermitPageRequest,
    PermitStatus,
    PermitStatusChange,
    TravelPermit,
)
from datasources.sql_engine import (
    RegistryGuard,
    UTCDateTime,
    any_of,
    is_postgresql,
    reading,
)
from datasources.sql_reads import PreparedRead, Row, open_reads

Columns = TypeVarTuple("Columns")

__all__ = [
    "SqlPassportRegistry",
    "metadata",
    "passports",
    "permit_status_changes",
    "travel_bans",
    "travel_permits",
]

_PERMIT_COLUMNS = tuple(
    travel_permits.c[name]
    for name in (
        "id",
        "number",
        "traveller_id",
        "guardian_id",
        "kind",
        "destinations",
        "valid_from",
        "valid_until",
        "status",
        "status_reason",
        "created_at",
    )
)


def _passport(row: Row) -> Passport:
    return Passport(
        number=row["number"],
        holder_id=row["holder_id"],
        issuing_country=row["issuing_country"],
        issue_date=row["issue_date"],
        expiry_date=row["expiry_date"],
        status=PassportStatus(row["status"]),
    )


def _permit(row: Row) -> TravelPermit:
    return TravelPermit(
        id=row["id"],
        number=row["number"],
        traveller_id=row["traveller_id"],
        guardian_id=row["guardian_id"],
        kind=PermitKind(row["kind"]),
        destinations=tuple(row["destinations"].split()),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        status=PermitStatus(row["status"]),
        status_reason=row["status_reason"],
        created_at=row["created_at"],
    )


def _status_change(row: Row) -> PermitStatusChange:
    previous = row["previous_status"]
    return PermitStatusChange(
        permit_id=row["permit_id"],
        status=PermitStatus(row["status"]),
        previous_status=PermitStatus(previous) if previous else None,
        reason=row["reason"],
        at=row["at"],
        actor=row["actor"],
        note=row["note"],
    )


class SqlPassportRegistry:
    """``PassportRegistry`` on a SQL database; statements are built once, here."""

    name = "passport"

    def __init__(self, engine: AsyncEngine, guard: RegistryGuard | None = None) -> None:
        self.engine = engine
        self._reader = reading(engine)
        self.guard = guard or RegistryGuard(self.name)
        self._reads = reads = open_reads(engine)
        pg = is_postgresql(engine)
        passport_columns = (
            passports.c.number,
            passports.c.holder_id,
            passports.c.issuing_country,
            passports.c.issue_date,
            passports.c.expiry_date,
            passports.c.status,
        )
        self._current_passports = reads.prepare(
            select(*passport_columns).where(
                any_of(passports.c.holder_id, "ids", postgresql=pg),
                passports.c.status == PassportStatus.VALID.value,
            )
        )
        self._all_passports = reads.prepare(
            select(*passport_columns)
            .where(any_of(passports.c.holder_id, "ids", postgresql=pg))
            .order_by(passports.c.holder_id, passports.c.issue_date.desc(), passports.c.id.desc())
        )
        self._permits_by_ids = reads.prepare(
            select(*_PERMIT_COLUMNS).where(any_of(travel_permits.c.id, "ids", postgresql=pg))
        )
        self._approved_on = reads.prepare(
            select(*_PERMIT_COLUMNS).where(
                travel_permits.c.traveller_id == bindparam("traveller", type_=String),
                travel_permits.c.status == PermitStatus.APPROVED.value,
                travel_permits.c.valid_from <= bindparam("day", type_=Date),
                travel_permits.c.valid_until >= bindparam("day", type_=Date),
            )
        )
        self._histories = reads.prepare(
            select(permit_status_changes)
            .where(any_of(permit_status_changes.c.permit_id, "ids", postgresql=pg))
            .order_by(permit_status_changes.c.permit_id, permit_status_changes.c.id)
        )
        self._page_statements = {
            (by_guardian, after): reads.prepare(
                self._build_page_statement(postgresql=pg, by_guardian=by_guardian, after=after)
            )
            for by_guardian in (False, True)
            for after in (False, True)
        }
        self._totals_statements = {
            by_guardian: reads.prepare(
                self._filtered_permits(
                    select(travel_permits.c.traveller_id, func.count().label("total_count")),
                    postgresql=pg,
                    by_guardian=by_guardian,
                ).group_by(travel_permits.c.traveller_id)
            )
            for by_guardian in (False, True)
        }

    @staticmethod
    def _filtered_permits(
        statement: Select[*Columns], *, postgresql: bool, by_guardian: bool
    ) -> Select[*Columns]:
        statement = statement.where(
            any_of(travel_permits.c.traveller_id, "ids", postgresql=postgresql)
        )
        if by_guardian:
            statement = statement.where(
                travel_permits.c.guardian_id == bindparam("guardian", type_=String)
            )
        return statement

    def _build_page_statement(
        self, *, postgresql: bool, by_guardian: bool, after: bool
    ) -> Select[*tuple[Any, ...]]:
        """Pages of several travellers' permits, newest first, in one statement.

        Windows number each traveller's rows and count them all, so the page and its total
        come back together; ``limit`` is the page size plus one, to tell if more follow.
        """
        inner = select(
            *_PERMIT_COLUMNS,
            func.count().over(partition_by=travel_permits.c.traveller_id).label("total_count"),
        )
        counted = self._filtered_permits(inner, postgresql=postgresql, by_guardian=by_guardian)
        counted_cte = counted.cte("counted")
        ranked_inner = select(
            counted_cte,
            func.row_number()
            .over(
                partition_by=counted_cte.c.traveller_id,
                order_by=(counted_cte.c.created_at.desc(), counted_cte.c.id.desc()),
            )
            .label("position"),
        )
        if after:
            ranked_inner = ranked_inner.where(
                tuple_(counted_cte.c.created_at, counted_cte.c.id)
                < tuple_(
                    bindparam("after_at", type_=UTCDateTime), bindparam("after_id", type_=String)
                )
            )
        ranked = ranked_inner.cte("ranked")
        return (
            select(ranked)
            .where(ranked.c.position <= bindparam("limit", type_=Integer))
            .order_by(ranked.c.traveller_id, ranked.c.position)
        )

    async def _fetch(self, read: PreparedRead, parameters: Mapping[str, Any]) -> Sequence[Row]:
        async with self.guard.call():
            return await self._reads.fetch(read, parameters)

    async def _scalar(self, sql: str) -> Any:
        async with self.guard.call(), self._reader.connect() as connection:
            return (await connection.execute(text(sql))).scalar_one()

    async def ping(self) -> None:
        await self._scalar("SELECT 1")

    async def close(self) -> None:
        await self.engine.dispose()

    async def current_passports_by_holders(
        self, holder_ids: Sequence[str]
    ) -> Mapping[str, Passport]:
        rows = await self._fetch(self._current_passports, {"ids": list(holder_ids)})
        return {row["holder_id"]: _passport(row) for row in rows}

    async def passports_by_holders(
        self, holder_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Passport]]:
        rows = await self._fetch(self._all_passports, {"ids": list(holder_ids)})
        found: defaultdict[str, list[Passport]] = defaultdict(list)
        for row in rows:
            found[row["holder_id"]].append(_passport(row))
        return found

    async def permits_by_ids(self, permit_ids: Sequence[str]) -> Mapping[str, TravelPermit]:
        rows = await self._fetch(self._permits_by_ids, {"ids": list(permit_ids)})
        return {row["id"]: _permit(row) for row in rows}

    async def permits_in(
        self, connection: AsyncConnection, permit_ids: Sequence[str]
    ) -> Mapping[str, TravelPermit]:
        """Like ``permits_by_ids``, inside a writer's transaction (it sees its own writes)."""
        statement = self._permits_by_ids.statement
        result = await connection.execute(statement, {"ids": list(permit_ids)})
        return {row["id"]: _permit(row) for row in result.mappings().all()}

    async def approved_permits_on(self, traveller_id: str, day: date) -> Sequence[TravelPermit]:
        rows = await self._fetch(self._approved_on, {"traveller": traveller_id, "day": day})
        return [_permit(row) for row in rows]

    async def status_histories(
        self, permit_ids: Sequence[str]
    ) -> Mapping[str, Sequence[PermitStatusChange]]:
        rows = await self._fetch(self._histories, {"ids": list(permit_ids)})
        histories: defaultdict[str, list[PermitStatusChange]] = defaultdict(list)
        for row in rows:
            histories[row["permit_id"]].append(_status_change(row))
        return histories

    async def permit_pages(
        self, requests: Sequence[PermitPageRequest]
    ) -> Mapping[PermitPageRequest, PermitPage]:
        """Answer every request; requests that share guardian, size and cursor share a query."""
        pages: dict[PermitPageRequest, PermitPage] = {}

        def shape(request: PermitPageRequest) -> tuple[str, int, str, str]:
            after_at, after_id = request.after or (None, "")
            return (request.guardian_id or "", request.first, str(after_at or ""), after_id)

        for _, group_iter in groupby(sorted(requests, key=shape), key=shape):
            group = list(group_iter)
            pages.update(await self._permit_pages_of_group(group))
        return pages

    async def _permit_pages_of_group(
        self, group: Sequence[PermitPageRequest]
    ) -> Mapping[PermitPageRequest, PermitPage]:
        sample = group[0]
        parameters: dict[str, Any] = {
            "ids": [request.traveller_id for request in group],
            "limit": sample.first + 1,
        }
        if sample.guardian_id is not None:
            parameters["guardian"] = sample.guardian_id
        if sample.after is not None:
            parameters["after_at"], parameters["after_id"] = sample.after
        by_guardian = sample.guardian_id is not None
        rows = await self._fetch(
            self._page_statements[(by_guardian, sample.after is not None)], parameters
        )
        by_traveller: defaultdict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_traveller[row["traveller_id"]].append(row)
        if sample.after is None:
            totals = {
                traveller: found[0]["total_count"] for traveller, found in by_traveller.items()
            }
        else:
            # Past a cursor a traveller may have no rows left, so count separately.
            total_rows = await self._fetch(
                self._totals_statements[by_guardian],
                {key: value for key, value in parameters.items() if key in ("ids", "guardian")},
            )
            totals = {row["traveller_id"]: row["total_count"] for row in total_rows}
        pages: dict[PermitPageRequest, PermitPage] = {}
        for request in group:
            found = by_traveller.get(request.traveller_id, [])
            pages[request] = PermitPage(
                permits=tuple(_permit(row) for row in found[: request.first]),
                total_count=int(totals.get(request.traveller_id, 0)),
                has_next_page=len(found) > request.first,
            )
        return pages

    # Writes used by seeding; the write path of permits arrives with issuing and review.

    async def add_rows(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
        batch = list(rows)
        if not batch:
            return
        async with self.guard.call(), self.engine.begin() as connection:
            await connection.execute(insert(table), batch)

    async def add_permits(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Seed permits, with the destination rows that keep active ones from overlapping."""
        batch = [dict(row) for row in rows]
        if not batch:
            return
        active = [row for row in batch if row["status"] in ("PENDING", "APPROVED")]
        async with self.guard.call(), self.engine.begin() as connection:
            await connection.execute(insert(travel_permits), batch)
            destinations = [d for row in active for d in destination_rows(row)]
            if destinations:
                await connection.execute(insert(permit_destinations), destinations)

    async def count_permits(self) -> int:
        return int(await self._scalar("SELECT count(*) FROM travel_permits"))
