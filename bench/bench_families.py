"""The benchmark's guardians: each with exactly 5 dependents, each dependent with 3 permits.

The synthetic population (``gateway seed``) gives families of 3 to 7 children and 2 to 4
permits to eligible children only, so the families measured are added here, deliberately,
on top of it: the same national ID scheme (``synthetic_national_id``, counted on from the
people already in the registry), a valid passport each, dependents of every condition
(eligible, over the Hijri age limit, married) and permits in every status with their history.
One ``random.Random(seed)`` makes the same rows for the same seed, day and registry.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from datasources.synthetic_population import synthetic_national_id

DEPENDENTS_PER_GUARDIAN = 5
PERMITS_PER_DEPENDENT = 3

Row = dict[str, Any]
Pair = tuple[str, str]  # (Arabic, English)

_MALE = (("محمد", "Mohammed"), ("عبدالله", "Abdullah"), ("فهد", "Fahad"), ("خالد", "Khalid"),
         ("سلطان", "Sultan"), ("يوسف", "Yousef"), ("عمر", "Omar"), ("ريان", "Rayan"))  # fmt: skip
_FEMALE = (("نورة", "Noura"), ("سارة", "Sara"), ("ريم", "Reem"), ("لمى", "Lama"),
           ("شهد", "Shahad"), ("جود", "Joud"), ("هيا", "Haya"), ("رغد", "Raghad"))  # fmt: skip
_FAMILIES = (("الحربي", "Al-Harbi"), ("العتيبي", "Al-Otaibi"), ("القحطاني", "Al-Qahtani"),
             ("الغامدي", "Al-Ghamdi"), ("الدوسري", "Al-Dosari"),
             ("المطيري", "Al-Mutairi"))  # fmt: skip
_RESIDENT_COUNTRIES = ("EG", "JO", "YE", "SD")
_DESTINATIONS = ("AE", "BH", "KW", "OM", "QA", "EG", "JO", "TR", "GB", "FR", "DE", "MY")
# Ages of the five children: the youngest three are eligible; the fourth is 17-20 (eligible,
# or married); the eldest is 21-24, over the Hijri limit.
_AGE_RANGES = ((1, 6), (7, 11), (12, 16), (17, 20), (21, 24))
_NEWEST_STATUSES = ("PENDING", "APPROVED", "REJECTED", "CANCELLED", "EXPIRED")
_OLDER_STATUSES = ("REJECTED", "CANCELLED", "EXPIRED")


@dataclass(slots=True)
class FamilyRows:
    """Rows for the registries, in their column names."""

    guardian_ids: list[str] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)
    passports: list[Row] = field(default_factory=list)
    permits: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)


class FamilyBuilder:
    def __init__(self, rng: random.Random, *, first_serial: int, today: date) -> None:
        self.rng = rng
        self.serial = first_serial
        self.today = today
        self.rows = FamilyRows()

    def add_family(self, *, citizen: bool) -> None:
        nationality = "SA" if citizen else self.rng.choice(_RESIDENT_COUNTRIES)
        first, father, family = (
            self.rng.choice(_MALE), self.rng.choice(_MALE), self.rng.choice(_FAMILIES)
        )  # fmt: skip
        birth = date(1965, 1, 1) + timedelta(days=self.rng.randint(0, 25 * 365))
        guardian_id = self._add_person(
            (first, father, family), birth, "MALE", "MARRIED", nationality
        )
        self.rows.guardian_ids.append(guardian_id)
        for lowest, highest in _AGE_RANGES:
            gender = self.rng.choice(("MALE", "FEMALE"))
            own = self.rng.choice(_MALE if gender == "MALE" else _FEMALE)
            born = self.today - timedelta(days=self.rng.randint(lowest * 365 + 20, highest * 365))
            married = lowest >= 17 and self.rng.random() < 0.3
            dependent_id = self._add_person(
                (own, first, family), born, gender, "MARRIED" if married else "SINGLE", nationality
            )
            relationship = "SON" if gender == "MALE" else "DAUGHTER"
            self.rows.links.append(
                {"guardian_id": guardian_id, "dependent_id": dependent_id,
                 "relationship": relationship}
            )  # fmt: skip
            for position in range(PERMITS_PER_DEPENDENT):
                self._add_permit(dependent_id, guardian_id, newest=position == 0)

    def _add_person(
        self, name: tuple[Pair, ...], birth: date, gender: str, marital: str, country: str
    ) -> str:
        serial, self.serial = self.serial, self.serial + 1
        national_id = synthetic_national_id(serial, citizen=country == "SA")
        self.rows.people.append(
            {
                "national_id": national_id,
                "name_ar": " ".join(part[0] for part in name),
                "name_en": " ".join(part[1] for part in name),
                "birth_date": birth,
                "gender": gender,
                "marital_status": marital,
                "nationality": country,
                "mobile_number": f"+9665{self.rng.randrange(10**8):08d}",
            }
        )
        issued = self.today - timedelta(days=self.rng.randint(30, 1500))
        letters = "".join(self.rng.choices("BCDFHJKLMNPRSTUVWXYZ", k=2))
        self.rows.passports.append(
            {
                "number": f"{letters}{serial:07d}",
                "holder_id": national_id,
                "issuing_country": country,
                "issue_date": issued,
                "expiry_date": issued + timedelta(days=5 * 365),
                "status": "VALID",
                "recorded_at": datetime.combine(issued, time(), tzinfo=UTC),
            }
        )
        return national_id

    def _add_permit(self, traveller_id: str, guardian_id: str, *, newest: bool) -> None:
        status = self.rng.choice(_NEWEST_STATUSES if newest else _OLDER_STATUSES)
        days_ago = self.rng.randint(0, 5) if status == "PENDING" else self.rng.randint(40, 700)
        midnight = datetime.combine(self.today, time(), tzinfo=UTC)
        created = midnight - timedelta(days=days_ago, seconds=self.rng.randrange(1, 86_400))
        if status == "PENDING":
            valid_from = self.today + timedelta(days=self.rng.randint(3, 40))
        elif status == "APPROVED":
            valid_from = self.today - timedelta(days=self.rng.randint(0, 20))
            created = midnight - timedelta(days=21, seconds=self.rng.randrange(1, 86_400))
        else:
            valid_from = created.date() + timedelta(days=self.rng.randint(1, 10))
        valid_until = valid_from + timedelta(days=self.rng.randint(30, 60))
        permit_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        history = [("PENDING", None, created)]
        if status != "PENDING":
            reason = {"REJECTED": "DESTINATION_UNDER_ADVISORY", "EXPIRED": "VALIDITY_ENDED",
                      "CANCELLED": "CANCELLED_BY_GUARDIAN"}.get(status)  # fmt: skip
            history.append((status, reason, created + timedelta(hours=1)))
        for (state, reason, at), previous in zip(history, (None, "PENDING"), strict=False):
            self.rows.changes.append(
                {"permit_id": permit_id, "status": state, "previous_status": previous,
                 "reason": reason, "at": at,
                 "actor": guardian_id if state in ("PENDING", "CANCELLED") else "agency-review"}
            )  # fmt: skip
        count = 0 if self.rng.random() < 0.15 else self.rng.randint(1, 3)
        self.rows.permits.append(
            {
                "id": permit_id,
                "number": f"TP-{created.year}-B{uuid.UUID(int=self.rng.getrandbits(128)).hex[:12]}",
                "traveller_id": traveller_id,
                "guardian_id": guardian_id,
                "kind": "MULTIPLE_TRIPS" if self.rng.random() < 0.3 else "SINGLE_TRIP",
                "destinations": " ".join(sorted(self.rng.sample(_DESTINATIONS, count))),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "status": status,
                "status_reason": history[-1][1],
                "created_at": created,
                "updated_at": history[-1][2],
            }
        )


def build_families(count: int, *, first_serial: int, today: date, seed: int = 9) -> FamilyRows:
    """``count`` guardians (three citizens in four), each with 5 dependents and 15 permits."""
    builder = FamilyBuilder(random.Random(seed), first_serial=first_serial, today=today)
    for index in range(count):
        builder.add_family(citizen=index % 4 != 3)
    return builder.rows
