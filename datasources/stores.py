"""Every database and server one gateway process talks to: opened once, migrated.

``open_stores`` builds the registry adapters on their engines (one pool per database, each
registry behind its time limit and circuit breaker); ``migrate_stores`` brings their schemas
to the latest version. ``gateway.py`` wires what they return into the services; the demo
people are seeded by ``cli.stores.prepare_stores``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from datasources.civil_registry import SqlCivilRegistry
from datasources.gateway_store.access_audit import SqlAccessAuditLog
from datasources.gateway_store.credential_store import SqlCredentialStore
from datasources.gateway_store.notification_store import SqlNotificationStore
from datasources.gateway_store.partner_keys import SqlPartnerKeyStore
from datasources.gateway_store.sms_outbox import OutboxSmsGateway
from datasources.gateway_store.trusted_document_store import SqlTrustedDocumentStore
from datasources.migrations import upgrade_to_latest
from datasources.passports.passport_registry import SqlPassportRegistry
from datasources.passports.passport_renewals import SqlPassportRenewals
from datasources.passports.permit_office import SqlPermitOffice
from datasources.redis_store import RedisStore
from datasources.sql_engine import RegistryGuard, circuit_breakers, create_registry_engine
from settings import Settings


@dataclass
class OpenStores:
    """Every database and server the process talks to, opened once."""

    civil: SqlCivilRegistry
    passports: SqlPassportRegistry
    permit_office: SqlPermitOffice
    passport_renewals: SqlPassportRenewals
    credentials: SqlCredentialStore
    partner_keys: SqlPartnerKeyStore
    audit: SqlAccessAuditLog
    sms: OutboxSmsGateway
    notifications: SqlNotificationStore
    trusted_documents: SqlTrustedDocumentStore
    redis: RedisStore | None

    def probes(self) -> dict[str, Callable[[], Awaitable[None]]]:
        probes: dict[str, Callable[[], Awaitable[None]]] = {
            "civil": self.civil.ping,
            "passport": self.passports.ping,
            "gateway": self.credentials.ping,
        }
        if self.redis:
            probes["redis"] = self.redis.ping
        return probes

    async def close(self) -> None:
        await self.audit.close()
        for store in (self.civil, self.passports, self.credentials):
            await store.close()
        if self.redis:
            await self.redis.close()


def open_stores(settings: Settings) -> OpenStores:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pool = settings.registry_pool_size
    gateway_engine = create_registry_engine(settings.registry_url("gateway"), pool_size=pool)
    civil_engine = create_registry_engine(settings.registry_url("civil"), pool_size=pool)
    passport_engine = create_registry_engine(settings.registry_url("passport"), pool_size=pool)
    breakers = circuit_breakers(
        threshold=settings.breaker_threshold, ttl=settings.breaker_open_seconds
    )
    timeout = settings.registry_timeout_seconds
    passports = SqlPassportRegistry(
        passport_engine, RegistryGuard("passport", timeout=timeout, breakers=breakers)
    )
    return OpenStores(
        civil=SqlCivilRegistry(
            civil_engine, RegistryGuard("civil", timeout=timeout, breakers=breakers)
        ),
        passports=passports,
        permit_office=SqlPermitOffice(passport_engine, passports),
        passport_renewals=SqlPassportRenewals(passport_engine, passports.guard),
        credentials=SqlCredentialStore(gateway_engine),
        partner_keys=SqlPartnerKeyStore(gateway_engine),
        audit=SqlAccessAuditLog(gateway_engine),
        sms=OutboxSmsGateway(gateway_engine),
        notifications=SqlNotificationStore(gateway_engine),
        trusted_documents=SqlTrustedDocumentStore(gateway_engine),
        redis=RedisStore(settings.redis_url) if settings.redis_url else None,
    )


async def migrate_stores(settings: Settings) -> None:
    """Bring every store to its latest schema."""
    stores = open_stores(settings)
    try:
        await upgrade_to_latest(stores.civil.engine, "civil")
        await upgrade_to_latest(stores.passports.engine, "passport")
        await upgrade_to_latest(stores.credentials.engine, "gateway")
    finally:
        await stores.close()
