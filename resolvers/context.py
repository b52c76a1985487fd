"""What every resolver receives: viewer, language, loaders, registries and stores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import strawberry
from opentelemetry.trace import Tracer

from datasources.country_directory import CountryDirectory
from datasources.event_bus import EventFanOut
from datasources.gateway_store.access_audit import SqlAccessAuditLog
from datasources.gateway_store.attempt_counters import AttemptCounters
from datasources.gateway_store.credential_store import SqlCredentialStore
from datasources.gateway_store.notification_store import SqlNotificationStore
from datasources.gateway_store.partner_keys import SqlPartnerKeyStore
from datasources.gateway_store.sms_outbox import SmsGateway
from datasources.loaders import Loaders
from datasources.passports.change_log import ChangeLogReader
from datasources.passports.permit_statistics import SqlPermitStatistics
from datasources.registry_interfaces import (
    CivilRegistry,
    PassportRegistry,
    PassportRenewals,
    PermitOffice,
)
from i18n.catalog import Locale, MessageCatalog
from security.rate_limits import RateLimits
from security.subscription_slots import SubscriptionSlots
from security.viewer import Viewer
from settings import Settings


@dataclass(frozen=True, slots=True)
class Registries:
    """The agency registries and reference data, opened once at start-up."""

    civil: CivilRegistry
    passports: PassportRegistry
    permit_office: PermitOffice
    passport_renewals: PassportRenewals
    countries: CountryDirectory
    messages: MessageCatalog


@dataclass(frozen=True, slots=True)
class GatewayStore:
    """The gateway's own state: sign-in, sessions, partner keys, counters, audit, SMS."""

    credentials: SqlCredentialStore
    partner_keys: SqlPartnerKeyStore
    attempts: AttemptCounters
    audit: SqlAccessAuditLog
    sms: SmsGateway
    notifications: SqlNotificationStore


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules the operators configure; every value comes from ``settings.Settings``."""

    permit_page_size_limit: int
    access_token_lifetime: timedelta
    refresh_token_lifetime: timedelta
    sign_in_code_lifetime: timedelta
    sign_in_code_attempts: int
    sign_in_failures_per_id: int
    sign_in_failures_per_address: int
    permit_max_days: int
    permit_max_days_ahead: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            permit_page_size_limit=settings.permit_page_size_limit,
            access_token_lifetime=timedelta(minutes=settings.access_token_minutes),
            refresh_token_lifetime=timedelta(days=settings.refresh_token_days),
            sign_in_code_lifetime=timedelta(minutes=settings.sign_in_code_minutes),
            sign_in_code_attempts=settings.sign_in_code_attempts,
            sign_in_failures_per_id=settings.sign_in_failures_per_id,
            sign_in_failures_per_address=settings.sign_in_failures_per_address,
            permit_max_days=settings.permit_max_days,
            permit_max_days_ahead=settings.permit_max_days_ahead,
        )


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may use that lives as long as the process."""

    registries: Registries
    store: GatewayStore
    policy: Policy
    secret_key: str
    clock: Callable[[], datetime]
    events: EventFanOut
    change_log: ChangeLogReader
    statistics: SqlPermitStatistics
    rate_limits: RateLimits
    subscription_slots: SubscriptionSlots
    # Set when traces are on: each DataLoader batch becomes a span.
    loader_tracer: Tracer | None = None


@dataclass(slots=True)
class Context:
    """Per-operation state; built by the admission pipeline, never shared between them."""

    viewer: Viewer
    locale: Locale
    today: date
    loaders: Loaders
    services: Services
    recorded_accesses: set[tuple[str, str]] = field(default_factory=set)
    request_id: str = "unknown"
    # The registered name of the trusted document the request runs; None for an ad hoc one.
    document_name: str | None = None

    @property
    def registries(self) -> Registries:
        return self.services.registries

    @property
    def policy(self) -> Policy:
        return self.services.policy

    @property
    def store(self) -> GatewayStore:
        return self.services.store

    def now(self) -> datetime:
        return self.services.clock()

    def message(self, code: str, **params: object) -> str:
        return self.registries.messages.message(code, self.locale, **params)


Info = strawberry.Info[Context, None]
