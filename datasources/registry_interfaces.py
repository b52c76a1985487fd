"""The small typed interfaces the resolvers see: what each agency registry can answer.

Every read takes a batch of keys and answers with a mapping, so that one DataLoader batch is
one call whatever stands behind the interface (SQL here; an agency's HTTP API later).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from datasources.records import (
    FamilyLink,
    Passport,
    PassportRenewal,
    PermitApplication,
    PermitPage,
    PermitPageRequest,
    PermitStatusChange,
    Person,
    RenewalResult,
    Submission,
    Transition,
    TravelPermit,
)


class Registry(Protocol):
    name: str

    async def ping(self) -> None:
        """Raise ``RegistryUnavailable`` unless the registry answers a trivial request."""

    async def close(self) -> None: ...


class CivilRegistry(Registry, Protocol):
    """People and family links, as kept by the civil affairs agency."""

    async def people_by_ids(self, national_ids: Sequence[str]) -> Mapping[str, Person]: ...

    async def dependents_by_guardians(
        self, guardian_ids: Sequence[str]
    ) -> Mapping[str, Sequence[FamilyLink]]: ...


class PassportRegistry(Registry, Protocol):
    """Passports, travel permits and their history, as kept by the passports agency."""

    async def current_passports_by_holders(
        self, holder_ids: Sequence[str]
    ) -> Mapping[str, Passport]: ...

    async def passports_by_holders(
        self, holder_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Passport]]: ...

    async def permits_by_ids(self, permit_ids: Sequence[str]) -> Mapping[str, TravelPermit]: ...

    async def permit_pages(
        self, requests: Sequence[PermitPageRequest]
    ) -> Mapping[PermitPageRequest, PermitPage]: ...

    async def approved_permits_on(self, traveller_id: str, day: date) -> Sequence[TravelPermit]:
        """The traveller's APPROVED permits whose validity includes ``day``."""

    async def status_histories(
        self, permit_ids: Sequence[str]
    ) -> Mapping[str, Sequence[PermitStatusChange]]: ...


class PermitOffice(Protocol):
    """Where guardians' applications and cancellations reach the passports agency."""

    async def submit(self, application: PermitApplication, *, at: datetime) -> Submission: ...

    async def cancel(
        self, permit_id: str, *, guardian_id: str, note: str | None, at: datetime
    ) -> Transition: ...


class PassportRenewals(Protocol):
    """Where residents record a renewed passport with the passports agency."""

    async def record(self, renewal: PassportRenewal, *, at: datetime) -> RenewalResult: ...
