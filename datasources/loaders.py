"""Per-request DataLoaders: one batched registry call per relation and tick.

Named by what they return and what they take. A ``Loaders`` is created for each request
(never shared), so its caches never outlive the request or leak between callers. With a
tracer (traces switched on), each batch is a span ``dataloader.batch <Loader>`` carrying its
size; aiodataloader has no instrumentation of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from aiodataloader import DataLoader
from opentelemetry.trace import Tracer

from datasources.records import (
    FamilyLink,
    Passport,
    PermitPage,
    PermitPageRequest,
    PermitStatusChange,
    Person,
    TravelPermit,
)
from datasources.registry_interfaces import CivilRegistry, PassportRegistry
from telemetry.metrics import record_batch

Key = TypeVar("Key")
Value = TypeVar("Value")


class MappingLoader(DataLoader[Key, Value]):
    """A DataLoader over a registry call that answers a batch of keys with a mapping."""

    tracer: Tracer | None = None

    def __init__(
        self, fetch: Callable[[Sequence[Key]], Awaitable[Mapping[Key, Value]]], missing: Value
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._missing = missing

    async def batch_load_fn(self, keys: Sequence[Key]) -> list[Value]:
        record_batch(type(self).__name__, len(keys))
        if self.tracer is None:
            found = await self._fetch(keys)
        else:
            # Started in the context of the first load() of the batch: a child of its field.
            with self.tracer.start_as_current_span(
                f"dataloader.batch {type(self).__name__}",
                attributes={"dataloader.batch_size": len(keys)},
            ):
                found = await self._fetch(keys)
        return [found.get(key, self._missing) for key in keys]


class PersonByNationalIdLoader(MappingLoader[str, Person | None]):
    def __init__(self, civil: CivilRegistry) -> None:
        super().__init__(civil.people_by_ids, None)


class DependentsByGuardianLoader(MappingLoader[str, Sequence[FamilyLink]]):
    def __init__(self, civil: CivilRegistry) -> None:
        super().__init__(civil.dependents_by_guardians, ())


class CurrentPassportByHolderLoader(MappingLoader[str, Passport | None]):
    def __init__(self, passports: PassportRegistry) -> None:
        super().__init__(passports.current_passports_by_holders, None)


class PassportsByHolderLoader(MappingLoader[str, Sequence[Passport]]):
    def __init__(self, passports: PassportRegistry) -> None:
        super().__init__(passports.passports_by_holders, ())


class PermitByIdLoader(MappingLoader[str, TravelPermit | None]):
    def __init__(self, passports: PassportRegistry) -> None:
        super().__init__(passports.permits_by_ids, None)


class PermitPageByTravellerLoader(MappingLoader[PermitPageRequest, PermitPage]):
    def __init__(self, passports: PassportRegistry) -> None:
        super().__init__(passports.permit_pages, PermitPage((), 0, False))


class StatusHistoryByPermitLoader(MappingLoader[str, Sequence[PermitStatusChange]]):
    def __init__(self, passports: PassportRegistry) -> None:
        super().__init__(passports.status_histories, ())


class Loaders:
    """Every loader of one request, created together from the registries."""

    __slots__ = (
        "current_passport_by_holder",
        "dependents_by_guardian",
        "passports_by_holder",
        "permit_by_id",
        "permit_page_by_traveller",
        "person_by_national_id",
        "status_history_by_permit",
    )

    def __init__(
        self, civil: CivilRegistry, passports: PassportRegistry, *, tracer: Tracer | None = None
    ) -> None:
        self.person_by_national_id = PersonByNationalIdLoader(civil)
        self.dependents_by_guardian = DependentsByGuardianLoader(civil)
        self.current_passport_by_holder = CurrentPassportByHolderLoader(passports)
        self.passports_by_holder = PassportsByHolderLoader(passports)
        self.permit_by_id = PermitByIdLoader(passports)
        self.permit_page_by_traveller = PermitPageByTravellerLoader(passports)
        self.status_history_by_permit = StatusHistoryByPermitLoader(passports)
        if tracer is not None:
            for name in self.__slots__:
                getattr(self, name).tracer = tracer
