"""The fixed demo population, seeded on the first start of the embedded default.

National IDs never change; dates are relative to the day of seeding, so that every demo
child keeps the condition it demonstrates (eligible, over age, married, banned) whenever the
demo is started. The README lists these people.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from datasources.civil_registry import SqlCivilRegistry
from datasources.gateway_store.credential_store import SqlCredentialStore
from datasources.passports.passport_registry import (
    SqlPassportRegistry,
    passports,
    permit_status_changes,
    travel_bans,
)
from datasources.passports.tables import travel_advisories
from resolvers.calendars import gateway_today
from security.passwords import hash_password

_DEMO_PERMIT_NAMESPACE = uuid.UUID("6f1c5a52-3f4e-4d0a-9a57-6b0f2d6c9a10")


@dataclass(frozen=True)
class DemoPerson:
    national_id: str
    name_ar: str
    name_en: str
    shows: str
    password: str = "Bawaba-Demo-2026"
    scopes: tuple[str, ...] = field(default=())


GUARDIAN = DemoPerson(
    "1084592631",
    "عبدالله بن سعد الحربي",
    "Abdullah Saad Al-Harbi",
    "Citizen guardian with five children in every condition",
)
SARA = DemoPerson(
    "1112045875",
    "سارة عبدالله الحربي",
    "Sara Abdullah Al-Harbi",
    "Eligible daughter (12); permits in every status",
)
FAISAL = DemoPerson(
    "1098361528",
    "فيصل عبدالله الحربي",
    "Faisal Abdullah Al-Harbi",
    "Son aged 22: over the age limit",
)
NOURA = DemoPerson(
    "1104729387",
    "نورة عبدالله الحربي",
    "Noura Abdullah Al-Harbi",
    "Daughter aged 19, married: not eligible",
)
KHALID = DemoPerson(
    "1120937469",
    "خالد عبدالله الحربي",
    "Khalid Abdullah Al-Harbi",
    "Son aged 15 under a travel ban: eligible to request, the agency rejects",
)
YOUSEF = DemoPerson(
    "1109573848",
    "يوسف عبدالله الحربي",
    "Yousef Abdullah Al-Harbi",
    "Son aged 20 in Gregorian years but 21 in Hijri years: over the age limit",
)
RESIDENT_GUARDIAN = DemoPerson(
    "2340918578",
    "أحمد منصور عبد الرحمن",
    "Ahmed Mansour Abdelrahman",
    "Resident guardian (Egypt) with one son",
)
OMAR = DemoPerson(
    "2451082636", "عمر أحمد منصور", "Omar Ahmed Mansour", "Resident son (8) with an approved permit"
)
EXPIRING_RESIDENT = DemoPerson(
    "2386174029",
    "راهول شارما",
    "Rahul Sharma",
    "Resident (India) whose passport expires within 30 days",
)
OPERATOR = DemoPerson(
    "1048273617",
    "منى علي القحطاني",
    "Mona Ali Al-Qahtani",
    "Dashboard operator",
    scopes=("permits:watch-all", "stats:read"),
)

DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    GUARDIAN,
    SARA,
    FAISAL,
    NOURA,
    KHALID,
    YOUSEF,
    RESIDENT_GUARDIAN,
    OMAR,
    EXPIRING_RESIDENT,
    OPERATOR,
)


def demo_person(national_id: str) -> DemoPerson | None:
    return next((person for person in DEMO_PEOPLE if person.national_id == national_id), None)


def _years_ago(today: date, years: int, extra_days: int = 0) -> date:
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - years, day=28)
    return anniversary - timedelta(days=extra_days)


def _person_row(
    person: DemoPerson, birth_date: date, gender: str, marital: str, nationality: str, mobile: str
) -> dict[str, Any]:
    return {
        "national_id": person.national_id,
        "name_ar": person.name_ar,
        "name_en": person.name_en,
        "birth_date": birth_date,
        "gender": gender,
        "marital_status": marital,
        "nationality": nationality,
        "mobile_number": mobile,
    }


def civil_rows(today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """People and family links of the demo population, as of ``today``."""
    people = [
        _person_row(GUARDIAN, date(1978, 3, 14), "MALE", "MARRIED", "SA", "+966501234567"),
        _person_row(SARA, _years_ago(today, 12, 40), "FEMALE", "SINGLE", "SA", "+966501234568"),
        _person_row(FAISAL, _years_ago(today, 22, 60), "MALE", "SINGLE", "SA", "+966501234569"),
        _person_row(NOURA, _years_ago(today, 19, 90), "FEMALE", "MARRIED", "SA", "+966501234570"),
        _person_row(KHALID, _years_ago(today, 15, 20), "MALE", "SINGLE", "SA", "+966501234571"),
        # 20 Gregorian years and 180 days is more than 21 Hijri years (354-355 days each).
        _person_row(YOUSEF, _years_ago(today, 20, 180), "MALE", "SINGLE", "SA", "+966501234572"),
        _person_row(RESIDENT_GUARDIAN, date(1985, 7, 2), "MALE", "MARRIED", "EG", "+966551234567"),
        _person_row(OMAR, _years_ago(today, 8, 100), "MALE", "SINGLE", "EG", "+966551234568"),
        _person_row(EXPIRING_RESIDENT, date(1990, 1, 22), "MALE", "SINGLE", "IN", "+966561234567"),
        _person_row(OPERATOR, date(1988, 11, 5), "FEMALE", "MARRIED", "SA", "+966541234567"),
    ]
    children = {SARA: "DAUGHTER", FAISAL: "SON", NOURA: "DAUGHTER", KHALID: "SON", YOUSEF: "SON"}
    links = [
        {
            "guardian_id": GUARDIAN.national_id,
            "dependent_id": child.national_id,
            "relationship": relationship,
        }
        for child, relationship in children.items()
    ] + [
        {
            "guardian_id": RESIDENT_GUARDIAN.national_id,
            "dependent_id": OMAR.national_id,
            "relationship": "SON",
        }
    ]
    return people, links


def _passport(
    holder: DemoPerson,
    number: str,
    country: str,
    issued: date,
    expires: date,
    status: str,
    now: datetime,
) -> dict[str, Any]:
    return {
        "number": number,
        "holder_id": holder.national_id,
        "issuing_country": country,
        "issue_date": issued,
        "expiry_date": expires,
        "status": status,
        "recorded_at": now,
    }


def passport_rows(today: date, now: datetime) -> list[dict[str, Any]]:
    def in_years(years: int) -> date:
        return _years_ago(today, -years)

    return [
        _passport(GUARDIAN, "A12345678", "SA", _years_ago(today, 2), in_years(3), "VALID", now),
        _passport(SARA, "B23456789", "SA", _years_ago(today, 1), in_years(4), "VALID", now),
        _passport(FAISAL, "C34567890", "SA", _years_ago(today, 3), in_years(2), "VALID", now),
        _passport(NOURA, "D45678901", "SA", _years_ago(today, 1), in_years(4), "VALID", now),
        _passport(KHALID, "E56789012", "SA", _years_ago(today, 1), in_years(4), "VALID", now),
        _passport(YOUSEF, "F67890123", "SA", _years_ago(today, 2), in_years(3), "VALID", now),
        _passport(
            RESIDENT_GUARDIAN,
            "EG1234567",
            "EG",
            _years_ago(today, 8),
            _years_ago(today, 1),
            "SUPERSEDED",
            now,
        ),
        _passport(
            RESIDENT_GUARDIAN, "EG7654321", "EG", _years_ago(today, 1), in_years(6), "VALID", now
        ),
        _passport(OMAR, "EG2345678", "EG", _years_ago(today, 1), in_years(4), "VALID", now),
        _passport(
            EXPIRING_RESIDENT,
            "Z1234567",
            "IN",
            _years_ago(today, 10, -20),
            today + timedelta(days=20),
            "VALID",
            now,
        ),
        _passport(OPERATOR, "G78901234", "SA", _years_ago(today, 2), in_years(3), "VALID", now),
    ]


@dataclass(frozen=True)
class _DemoPermit:
    sequence: int
    traveller: DemoPerson
    guardian: DemoPerson
    kind: str
    destinations: str
    starts_in_days: int
    lasts_days: int
    created_days_ago: int
    path: tuple[tuple[str, str | None], ...]  # statuses after PENDING, with their reasons


_DEMO_PERMITS = (
    _DemoPermit(1, SARA, GUARDIAN, "MULTIPLE_TRIPS", "AE BH", -5, 60, 8, (("APPROVED", None),)),
    _DemoPermit(2, SARA, GUARDIAN, "SINGLE_TRIP", "GB", 70, 20, 1, ()),
    _DemoPermit(
        3,
        SARA,
        GUARDIAN,
        "SINGLE_TRIP",
        "EG",
        10,
        14,
        20,
        (("APPROVED", None), ("CANCELLED", "CANCELLED_BY_GUARDIAN")),
    ),
    _DemoPermit(
        4,
        SARA,
        GUARDIAN,
        "SINGLE_TRIP",
        "TR",
        -120,
        30,
        130,
        (("APPROVED", None), ("EXPIRED", "VALIDITY_ENDED")),
    ),
    _DemoPermit(
        5,
        SARA,
        GUARDIAN,
        "SINGLE_TRIP",
        "SD",
        30,
        10,
        15,
        (("REJECTED", "DESTINATION_UNDER_ADVISORY"),),
    ),
    _DemoPermit(
        6,
        SARA,
        GUARDIAN,
        "MULTIPLE_TRIPS",
        "",
        -300,
        60,
        310,
        (("APPROVED", None), ("EXPIRED", "VALIDITY_ENDED")),
    ),
    _DemoPermit(
        7,
        KHALID,
        GUARDIAN,
        "SINGLE_TRIP",
        "JO",
        14,
        10,
        3,
        (("REJECTED", "TRAVELLER_HAS_TRAVEL_BAN"),),
    ),
    _DemoPermit(8, OMAR, RESIDENT_GUARDIAN, "SINGLE_TRIP", "EG", 3, 30, 5, (("APPROVED", None),)),
)


def demo_permit_id(sequence: int) -> str:
    return uuid.uuid5(_DEMO_PERMIT_NAMESPACE, f"demo-permit-{sequence}").hex


def permit_rows(today: date, now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Demo permits with their full status history, as of ``today``."""
    permits: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for permit in _DEMO_PERMITS:
        permit_id = demo_permit_id(permit.sequence)
        created = now - timedelta(days=permit.created_days_ago)
        valid_from = today + timedelta(days=permit.starts_in_days)
        status, reason, previous = "PENDING", None, None
        changes.append(
            {
                "permit_id": permit_id,
                "status": status,
                "previous_status": None,
                "reason": None,
                "at": created,
                "actor": permit.guardian.national_id,
            }
        )
        for step, (next_status, next_reason) in enumerate(permit.path, start=1):
            previous, status, reason = status, next_status, next_reason
            actor = permit.guardian.national_id if status == "CANCELLED" else "agency-review"
            changes.append(
                {
                    "permit_id": permit_id,
                    "status": status,
                    "previous_status": previous,
                    "reason": reason,
                    "at": created + timedelta(hours=step),
                    "actor": actor,
                }
            )
        permits.append(
            {
                "id": permit_id,
                "number": f"TP-{created.year}-{permit.sequence:06d}",
                "traveller_id": permit.traveller.national_id,
                "guardian_id": permit.guardian.national_id,
                "kind": permit.kind,
                "destinations": permit.destinations,
                "valid_from": valid_from,
                "valid_until": valid_from + timedelta(days=permit.lasts_days),
                "status": status,
                "status_reason": reason,
                "created_at": created,
                "updated_at": created + timedelta(hours=len(permit.path)),
            }
        )
    return permits, changes


async def seed_demo_population(
    civil: SqlCivilRegistry, passport_registry: SqlPassportRegistry, *, now: datetime
) -> bool:
    """Write the demo population as of ``now`` (ages and dates count from the gateway's day
    at that instant) unless the civil registry already holds people."""
    if await civil.count_people() > 0:
        return False
    today = gateway_today(now)
    people, links = civil_rows(today)
    await civil.add_people(people)
    await civil.add_family_links(links)
    await passport_registry.add_rows(passports, passport_rows(today, now))
    permits, changes = permit_rows(today, now)
    await passport_registry.add_permits(permits)
    await passport_registry.add_rows(permit_status_changes, changes)
    await passport_registry.add_rows(
        travel_advisories,
        [{"country_code": code, "since": today - timedelta(days=400)} for code in ("SD", "YE")],
    )
    await passport_registry.add_rows(
        travel_bans,
        [
            {
                "national_id": KHALID.national_id,
                "reason": "COURT_ORDER",
                "since": today - timedelta(days=200),
                "until": None,
            }
        ],
    )
    return True


async def seed_demo_credentials(store: SqlCredentialStore) -> bool:
    """Passwords (and the operator's scopes) of the demo people, unless some are there."""
    if await store.count_credentials() > 0:
        return False
    now = datetime.now(UTC)
    # One hash serves every demo person: they share the documented demo password.
    hashes = {password: hash_password(password) for password in {p.password for p in DEMO_PEOPLE}}
    await store.add_credentials(
        {
            "national_id": person.national_id,
            "password_hash": hashes[person.password],
            "scopes": " ".join(person.scopes),
            "updated_at": now,
        }
        for person in DEMO_PEOPLE
    )
    return True
