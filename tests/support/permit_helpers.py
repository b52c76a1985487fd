"""Documents and helpers shared by the write-path tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from datasources.passports.tables import change_log, permit_status_changes, travel_permits
from gateway import gateway_of
from tests.support.contract_documents import contract_document

ISSUE = contract_document("frontend/IssueTravelPermit.graphql")
CANCEL = contract_document("frontend/CancelTravelPermit.graphql")
UPDATE_PASSPORT = contract_document("frontend/UpdatePassport.graphql")
PERMIT_DETAILS = contract_document("frontend/PermitDetails.graphql")


def day(today: date, offset: int) -> str:
    """The ISO date ``offset`` days from ``today``: pass the gateway's day (its clock's, in
    Riyadh), never the machine's, or dates shift by one between 21:00 and 24:00 UTC."""
    return (today + timedelta(days=offset)).isoformat()


@dataclass(frozen=True)
class DaysFromToday:
    """A date in a test's input written as days from the gateway's day; it becomes an ISO
    date only when the request is built, against that gateway's clock."""

    days: int


def in_days(days: int) -> DaysFromToday:
    return DaysFromToday(days)


def with_dates(values: dict[str, Any], *, today: date) -> dict[str, Any]:
    """``values`` with every ``in_days(n)`` turned into the ISO date ``n`` days from ``today``."""
    return {
        name: day(today, value.days) if isinstance(value, DaysFromToday) else value
        for name, value in values.items()
    }


def permit_input(traveller: str, *, today: date, **changes: Any) -> dict[str, Any]:
    """IssueTravelPermit's input: a single trip to France from ``today`` + 10 to + 20 days,
    with ``changes`` (dates in them may be ``in_days(n)``)."""
    values: dict[str, Any] = {
        "travellerNationalId": traveller,
        "kind": "SINGLE_TRIP",
        "destinations": ["FR"],
        "validFrom": in_days(10),
        "validUntil": in_days(20),
        "idempotencyKey": None,
    }
    values.update(changes)
    return with_dates(values, today=today)


async def issue(
    gateway: Any, guardian: str, traveller: str, locale: str | None = None, **changes: Any
) -> dict[str, Any]:
    result = await gateway.graphql(
        ISSUE,
        {"input": permit_input(traveller, today=gateway.today(), **changes)},
        token=gateway.token(guardian),
        locale=locale,
    )
    assert "errors" not in result, result
    return result["data"]["issueTravelPermit"]  # type: ignore[no-any-return]


async def cancel(gateway: Any, viewer: str, permit_id: str, reason: str | None = None) -> dict:
    result = await gateway.graphql(
        CANCEL, {"id": permit_id, "reason": reason}, token=gateway.token(viewer)
    )
    assert "errors" not in result, result
    return result["data"]["cancelTravelPermit"]  # type: ignore[no-any-return]


async def count_rows(gateway: Any) -> dict[str, int]:
    """How many permits, history rows and change-log rows the passport registry holds."""
    engine = gateway_of(gateway.app).stores.passports.engine
    async with engine.connect() as connection:
        counts = {}
        for name, table in (
            ("permits", travel_permits),
            ("history", permit_status_changes),
            ("changes", change_log),
        ):
            counts[name] = (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
    return counts
