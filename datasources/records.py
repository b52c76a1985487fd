"""Plain, immutable records returned by the registries: no behaviour, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Gender(enum.StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class MaritalStatus(enum.StrEnum):
    SINGLE = "SINGLE"
    MARRIED = "MARRIED"
    DIVORCED = "DIVORCED"
    WIDOWED = "WIDOWED"


class Relationship(enum.StrEnum):
    SON = "SON"
    DAUGHTER = "DAUGHTER"


class PassportStatus(enum.StrEnum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"
    SUPERSEDED = "SUPERSEDED"


class PermitKind(enum.StrEnum):
    SINGLE_TRIP = "SINGLE_TRIP"
    MULTIPLE_TRIPS = "MULTIPLE_TRIPS"


class PermitStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    ar: str
    en: str


@dataclass(frozen=True, slots=True)
class Person:
    national_id: str
    name: LocalizedText
    birth_date: date
    gender: Gender
    marital_status: MaritalStatus
    nationality: str
    mobile_number: str


@dataclass(frozen=True, slots=True)
class FamilyLink:
    """A guardian's responsibility for a dependent, with the dependent's civil record."""

    guardian_id: str
    relationship: Relationship
    person: Person


@dataclass(frozen=True, slots=True)
class Passport:
    number: str
    holder_id: str
    issuing_country: str
    issue_date: date
    expiry_date: date
    status: PassportStatus


@dataclass(frozen=True, slots=True)
class TravelPermit:
    id: str
    number: str
    traveller_id: str
    guardian_id: str
    kind: PermitKind
    destinations: tuple[str, ...]
    valid_from: date
    valid_until: date
    status: PermitStatus
    status_reason: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PermitPage:
    """One page of a traveller's permits, newest first, with the total before paging."""

    permits: tuple[TravelPermit, ...]
    total_count: int
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class PermitPageRequest:
    """Which page of which traveller's permits; hashable so it can key a DataLoader."""

    traveller_id: str
    guardian_id: str | None
    first: int
    after: tuple[datetime, str] | None = None


@dataclass(frozen=True, slots=True)
class PermitStatusChange:
    permit_id: str
    status: PermitStatus
    previous_status: PermitStatus | None
    reason: str | None
    at: datetime
    actor: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: LocalizedText


@dataclass(frozen=True, slots=True)
class PermitApplication:
    """A guardian's request for a permit, as the passports agency receives it."""

    traveller_id: str
    guardian_id: str
    kind: PermitKind
    destinations: tuple[str, ...]
    valid_from: date
    valid_until: date
    idempotency_key: str | None
    fingerprint: str


class SubmissionOutcome(enum.StrEnum):
    CREATED = "CREATED"
    REPLAYED = "REPLAYED"  # the same idempotency key and request: the permit made before
    KEY_REUSED = "KEY_REUSED"  # the same idempotency key with a different request
    OVERLAPS = "OVERLAPS"  # an active permit covers a destination on one of these days


@dataclass(frozen=True, slots=True)
class Submission:
    outcome: SubmissionOutcome
    permit: TravelPermit | None


class TransitionOutcome(enum.StrEnum):
    APPLIED = "APPLIED"
    NOT_FOUND = "NOT_FOUND"
    NOT_ALLOWED = "NOT_ALLOWED"  # the permit's status does not allow this change


@dataclass(frozen=True, slots=True)
class Transition:
    outcome: TransitionOutcome
    permit: TravelPermit | None


@dataclass(frozen=True, slots=True)
class PassportRenewal:
    holder_id: str
    number: str
    issuing_country: str
    issue_date: date
    expiry_date: date


class RenewalOutcome(enum.StrEnum):
    RECORDED = "RECORDED"
    ALREADY_RECORDED = "ALREADY_RECORDED"  # one of this person's own passports
    HELD_BY_ANOTHER = "HELD_BY_ANOTHER"  # someone else's: refused, the conflict noted


@dataclass(frozen=True, slots=True)
class RenewalResult:
    outcome: RenewalOutcome
    passport: Passport | None
