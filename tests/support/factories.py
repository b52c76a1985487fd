"""Factories for people, families and permits, written straight into the registries."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datasources.loaders import Loaders
from datasources.passports.passport_registry import passports, permit_status_changes
from gateway import gateway_of
from resolvers.calendars import gateway_today
from resolvers.national_ids import luhn_check_digit

_sequence = itertools.count(1)


def new_national_id(*, citizen: bool = True) -> str:
    """A valid national ID that no demo person and no earlier factory call has."""
    payload = f"{1 if citizen else 2}9{next(_sequence) % 10**7:07d}"
    return payload + str(luhn_check_digit(payload))


def person_row(
    national_id: str, *, born: date, married: bool = False, **extra: Any
) -> dict[str, Any]:
    return {
        "national_id": national_id,
        "name_ar": extra.get("name_ar", "شخص تجريبي"),
        "name_en": extra.get("name_en", "Test Person"),
        "birth_date": born,
        "gender": extra.get("gender", "MALE"),
        "marital_status": "MARRIED" if married else "SINGLE",
        "nationality": "SA" if national_id.startswith("1") else "EG",
        "mobile_number": "+966500000000",
    }


async def make_family(
    gateway: Any,
    *,
    dependents: int,
    permits_each: int,
    today: date | None = None,
    born: date | None = None,
    child_passports: bool = True,
    passport_days_left: int | None = None,
) -> tuple[str, list[str]]:
    """A guardian with ``dependents`` children, each with ``permits_each`` permits, dated
    from ``today`` (by default the gateway's day) and recorded at the gateway's clock."""
    registries = gateway_of(gateway.app).stores
    now = gateway_of(gateway.app).services.clock()
    today = today or gateway_today(now)
    guardian_id = new_national_id()
    children = [new_national_id() for _ in range(dependents)]
    await registries.civil.add_people(
        [person_row(guardian_id, born=date(1980, 1, 1), married=True)]
        + [person_row(child, born=born or today - timedelta(days=365 * 10)) for child in children]
    )
    await registries.civil.add_family_links(
        [
            {"guardian_id": guardian_id, "dependent_id": child, "relationship": "SON"}
            for child in children
        ]
    )
    holders = [guardian_id] + (children if child_passports else [])
    child_expiry = today + timedelta(days=passport_days_left or 900)
    await registries.passports.add_rows(
        passports,
        [
            {
                "number": f"T{holder[2:]}",
                "holder_id": holder,
                "issuing_country": "SA",
                "issue_date": today - timedelta(days=100),
                "expiry_date": child_expiry
                if holder != guardian_id
                else today + timedelta(days=900),
                "status": "VALID",
                "recorded_at": now,
            }
            for holder in holders
        ],
    )
    permits, changes = [], []
    for child in children:
        for index in range(permits_each):
            permit_id = uuid.uuid4().hex
            created = now - timedelta(days=index, minutes=int(child[-4:]))
            permits.append(
                {
                    "id": permit_id,
                    "number": f"TP-T-{permit_id[:12]}",
                    "traveller_id": child,
                    "guardian_id": guardian_id,
                    "kind": "SINGLE_TRIP",
                    "destinations": "AE",
                    "valid_from": today + timedelta(days=index * 30),
                    "valid_until": today + timedelta(days=index * 30 + 10),
                    "status": "PENDING",
                    "status_reason": None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            changes.append(
                {
                    "permit_id": permit_id,
                    "status": "PENDING",
                    "previous_status": None,
                    "reason": None,
                    "at": created,
                    "actor": guardian_id,
                }
            )
    await registries.passports.add_permits(permits)
    await registries.passports.add_rows(permit_status_changes, changes)
    return guardian_id, children


def dashboard_context(services: Any, **overrides: Any) -> Any:
    """A request context for a dashboard operator (``permits:watch-all``), built directly."""
    from resolvers.context import Context
    from security.viewer import CallerKind, Viewer

    values: dict[str, Any] = {
        "viewer": Viewer(
            kind=CallerKind.PERSON,
            national_id="1048273617",
            scopes=frozenset({"permits:watch-all"}),
        ),
        "locale": "en",
        "today": gateway_today(services.clock()),
        "loaders": Loaders(services.registries.civil, services.registries.passports),
        "services": services,
    }
    values.update(overrides)
    return Context(**values)


def permit_event(sequence: int, permit: Any, status: str = "APPROVED") -> Any:
    """A change-log event about ``permit``, as the relay would deliver it."""
    from datasources.passports.change_log import PermitEvent
    from datasources.records import PermitStatus

    return PermitEvent(
        sequence,
        permit.id,
        permit.traveller_id,
        permit.guardian_id,
        PermitStatus(status),
        PermitStatus.PENDING,
        None,
        datetime.now(UTC),
        permit,
    )
