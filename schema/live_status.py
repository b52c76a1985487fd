"""Live permit status, notifications, and the dashboard's counters."""

from datetime import date, datetime

import strawberry

from schema.common import PageInfo, Reason
from schema.enums import NotificationKind, PermitStatus
from schema.permits import TravelPermit


@strawberry.type(description="A permit changed status. Resume after a drop with its cursor.")
class PermitStatusEvent:
    cursor: str = strawberry.field(description="Pass as `after` to resume right after this event.")
    permit: TravelPermit | None
    previous_status: PermitStatus | None
    status: PermitStatus
    reason: Reason | None
    at: datetime


@strawberry.type(description="Something the gateway told you: a permit approved or rejected.")
class Notification:
    id: strawberry.ID
    kind: NotificationKind = strawberry.field(description="What the notification tells.")
    title: str
    message: str
    permit_number: str
    at: datetime


@strawberry.type
class NotificationEdge:
    cursor: str
    node: Notification


@strawberry.type
class NotificationConnection:
    total_count: int
    edges: list[NotificationEdge]
    page_info: PageInfo


@strawberry.type
class StatusCount:
    status: PermitStatus
    count: int


@strawberry.type(description="One Riyadh calendar day: requests made, and decisions taken.")
class DayCounts:
    date: date
    requested: int
    approved: int
    rejected: int
    cancelled: int


@strawberry.type(description="Permits requested in the range (by status now), and each day's flow.")
class PermitStatistics:
    total: int
    by_status: list[StatusCount]
    by_day: list[DayCounts]
