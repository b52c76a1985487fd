"""Documents and helpers shared by the write-path tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from datasources.passports.tables import change_log, permit_status_changes, travel_permits
from gateway import gateway_of
from tests.contract_documents import contract_document

ISSUE = contract_document("frontend/IssueTravelPermit.graphql")
CANCEL = contract_document("frontend/CancelTravelPermit.graphql")
UPDATE_PASSPORT = contract_document("frontend/UpdatePassport.graphql")
PERMIT_DETAILS = contract_document("frontend/PermitDetails.graphql")


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


def permit_input(traveller: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "travellerNationalId": traveller,
        "kind": "SINGLE_TRIP",
        "destinations": ["FR"],
        "validFrom": day(10),
        "validUntil": day(20),
        "idempotencyKey": None,
    }
    values.update(changes)
    return values


async def issue(
    gateway: Any, guardian: str, traveller: str, locale: str | None = None, **changes: Any
) -> dict[str, Any]:
    result = await gateway.graphql(
        ISSUE,
        {"input": permit_input(traveller, **changes)},
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
