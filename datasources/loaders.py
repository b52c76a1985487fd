"""Per-request DataLoaders: one batched registry call per relation and tick.

Named by what they return and what they take. A ``Loaders`` is created for each request
(never shared), so its caches never outlive the request or leak between callers. With a
tracer (traces switched on), each batch is a span ``dataloader.batch <Loader>`` carrying its
size; aiodataloader has no instrumentation of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

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
Loader = TypeVar("Loader", bound="MappingLoader[Any, Any]")


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
    """Every loader of one request, each created when the request first needs it.

    A page uses a few of them; creating a DataLoader inspects its batch function and
    looks up the event loop, which is work a request should not pay for loaders it never
    calls.
    """

    def __init__(
        self, civil: CivilRegistry, passports: PassportRegistry, *, tracer: Tracer | None = None
    ) -> None:
        self._civil = civil
        self._passports = passports
        self._tracer = tracer

    def _traced(self, loader: Loader) -> Loader:
        if self._tracer is not None:
            loader.tracer = self._tracer
        return loader

    @cached_property
    def person_by_national_id(self) -> PersonByNationalIdLoader:
        return self._traced(PersonByNationalIdLoader(self._civil))

    @cached_property
    def dependents_by_guardian(self) -> DependentsByGuardianLoader:
        return self._traced(DependentsByGuardianLoader(self._civil))

    @cached_property
    def current_passport_by_holder(self) -> CurrentPassportByHolderLoader:
        return self._traced(CurrentPassportByHolderLoader(self._passports))

    @cached_property
    def passports_by_holder(self) -> PassportsByHolderLoader:
        return self._traced(PassportsByHolderLoader(self._passports))

    @cached_property
    def permit_by_id(self) -> PermitByIdLoader:
        return self._traced(PermitByIdLoader(self._passports))

    @cached_property
    def permit_page_by_traveller(self) -> PermitPageByTravellerLoader:
        return self._traced(PermitPageByTravellerLoader(self._passports))

    @cached_property
    def status_history_by_permit(self) -> StatusHistoryByPermitLoader:
        return self._traced(StatusHistoryByPermitLoader(self._passports))
