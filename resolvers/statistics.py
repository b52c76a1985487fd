"""The operations dashboard's counters, for tokens with ``stats:read``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

import strawberry

from datasources.passports.permit_statistics import DayCounts
from datasources.records import PermitStatus
from errors import InputRejected
from resolvers.context import Info

STATS_SCOPE = "stats:read"
MAX_RANGE_DAYS = 366


@dataclass(frozen=True, slots=True)
class StatusCount:
    status: PermitStatus
    count: int


@dataclass(frozen=True, slots=True)
class Statistics:
    total: int
    by_status: list[StatusCount]
    by_day: list[DayCounts]


async def permit_statistics(
    info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date
) -> Statistics:
    context = info.context
    context.viewer.require_scope(STATS_SCOPE)
    if to < from_:
        raise InputRejected("INVALID_DATE_RANGE", field="to")
    if (to - from_).days + 1 > MAX_RANGE_DAYS:
        raise InputRejected("DATE_RANGE_TOO_LONG", field="to", days=MAX_RANGE_DAYS)
    counted = await context.services.statistics.count(from_, to)
    by_status = [
        StatusCount(status, counted.by_status.get(status.value, 0)) for status in PermitStatus
    ]
    return Statistics(total=counted.total, by_status=by_status, by_day=counted.by_day)
