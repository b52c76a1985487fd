"""The gateway's configuration: one typed object, read from the environment once at start-up.

Every variable starts with ``BAWABA_``. With none set, the gateway runs the embedded default:
SQLite files in ``./data``, an in-process event bus, demo mode with seeded demo people.
"""

from __future__ import annotations

import json
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRET = "demo-secret-change-me-0123456789abcdef"
TrustedDocumentsMode = Literal["off", "log", "enforce"]


def _loopback_networks() -> list[IPvAnyNetwork]:
    return [IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BAWABA_", extra="ignore")

    mode: Literal["demo", "production"] = Field(
        default="demo",
        description="demo seeds the demo population and allows `gateway token`; "
        "production refuses placeholder secrets.",
    )
    data_dir: Path = Field(default=Path("data"), description="Folder of the embedded SQLite files.")
    civil_registry_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the civil registry (default: SQLite file)."
    )
    passport_registry_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the passport registry (default: SQLite file)."
    )
    gateway_store_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the gateway's own store (default: SQLite)."
    )
    redis_url: str | None = Field(
        default=None, description="Redis URL for events, rate limits and shared state."
    )
    secret_key: str = Field(
        default=PLACEHOLDER_SECRET, min_length=32, description="Key that signs access tokens."
    )
    access_token_minutes: int = Field(default=15, gt=0, description="Lifetime of an access token.")
    refresh_token_days: int = Field(
        default=30, gt=0, description="Lifetime of a refresh token from its issue."
    )
    sign_in_code_minutes: int = Field(
        default=5, gt=0, description="How long a one-time sign-in code stays valid."
    )
    sign_in_code_attempts: int = Field(
        default=5, gt=0, description="Wrong codes that end a sign-in challenge."
    )
    sign_in_failures_per_id: int = Field(
        default=5, gt=0, description="Failed sign-ins of one national ID that lock it."
    )
    sign_in_failures_per_address: int = Field(
        default=20, gt=0, description="Failed sign-ins from one client address that lock it."
    )
    revocation_cache_seconds: float = Field(
        default=5.0,
        gt=0,  # also how often each process sweeps its sockets: 0 would sweep without pause
        description="How long a process remembers whether a session is revoked, and how "
        "often it checks its open WebSockets: a logout takes effect everywhere within this "
        "time, over HTTP and WebSocket.",
    )
    auto_migrate: bool = Field(
        default=True,
        description="At start, bring every store to its latest schema, register the "
        "contract's trusted documents and, in demo mode, seed the demo people.",
    )
    parse_cache_size: int = Field(default=1024, gt=0)
    validation_cache_size: int = Field(default=1024, gt=0)
    permit_page_size_limit: int = Field(default=50, gt=0)
    registry_pool_size: int = Field(
        default=20, gt=0, description="Connections per registry database and process (no overflow)."
    )
    permit_max_days: int = Field(
        default=365, gt=0, description="Longest validity of a travel permit, in days."
    )
    permit_max_days_ahead: int = Field(
        default=365, gt=0, description="How far ahead a travel permit may start, in days."
    )
    event_stream: str = Field(
        default="bawaba:permit-events",
        description="Redis stream of permit events; one per passport registry (its ids are "
        "the change log's).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins whose pages may call the API from a browser (CORS and WebSocket).",
    )
    registry_timeout_seconds: float = Field(
        default=3.0, gt=0, description="Longest wait for one call to a registry."
    )
    breaker_threshold: int = Field(
        default=5, gt=0, description="Failures in a row that cut a registry off."
    )
    breaker_open_seconds: float = Field(
        default=15.0, gt=0, description="How long a cut-off registry is not called."
    )
    rate_limit_per_caller: str = Field(
        default="600/minute",
        description="Operations per caller (person, partner, address), over HTTP and "
        "WebSocket alike.",
    )
    rate_limit_sign_in: str = Field(
        default="20/minute", description="startLogin and completeLogin per client address."
    )
    rate_limit_issue_permit: str = Field(
        default="30/hour", description="issueTravelPermit per guardian."
    )
    trusted_documents: TrustedDocumentsMode = Field(
        default="enforce",
        description="Production mode: anonymous and person callers run trusted documents only "
        "(enforce), are only logged when they do not (log), or are not checked (off).",
    )
    trusted_documents_refresh_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a process checks the store for newly registered or removed "
        "trusted documents.",
    )
    trusted_documents_miss_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often, at most, a request naming an unknown document makes the "
        "process check the store again.",
    )
    max_manifest_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="Largest manifest of documents `gateway documents add` reads.",
    )
    compiled_execution: bool = Field(
        default=True,
        description="Run trusted documents through plans compiled on first use instead of "
        "graphql-core's per-field execution (same answers, less CPU).",
    )
    max_depth: int = Field(default=10, gt=0, description="Deepest selection of an operation.")
    max_aliases: int = Field(default=15, gt=0, description="Most aliases in an operation.")
    max_tokens: int = Field(default=2000, gt=0, description="Most tokens in a document.")
    max_directives: int = Field(default=50, gt=0, description="Most directives in an operation.")
    max_root_fields: int = Field(default=10, gt=0, description="Most root fields per operation.")
    cost_ceiling: int = Field(default=5000, gt=0, description="Highest cost of one operation.")
    cost_budget_per_caller: str = Field(
        default="100000/minute", description="Cost points each caller may spend."
    )
    max_body_bytes: int = Field(
        default=1024 * 1024, gt=0, description="Largest request body, and WebSocket message."
    )
    subscriber_buffer_size: int = Field(
        default=1000, gt=0, description="Events a subscriber may fall behind before it is cut off."
    )
    shared_subscriptions: bool = Field(
        default=True,
        description="Execute and encode each live event once per group of subscribers that "
        "share document, variables, audience and language (false: once per subscriber).",
    )
    connection_init_timeout_seconds: float = Field(
        default=10, gt=0, description="How long a WebSocket may wait before connection_init."
    )
    max_subscriptions_per_connection: int = Field(
        default=10,
        gt=0,
        description="Operations one WebSocket may run at once: its live subscriptions, and "
        "queries or mutations still in flight (a socket cannot queue unbounded work).",
    )
    max_subscriptions_per_person: int = Field(
        default=10,
        gt=0,
        description="Live subscriptions one person may hold at once (across every process "
        "when Redis is configured).",
    )
    max_variables_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest JSON of an operation's variables."
    )
    agency_review: bool | None = Field(
        default=None,
        description="Run the passports agency's review worker in this process "
        "(default: on in demo mode, off in production, where the agency runs it).",
    )
    forwarded_allow_ips: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="Reverse proxies (addresses or networks, comma-separated or a JSON list) "
        "whose X-Forwarded-For gives the client's address; none by default: the peer's "
        "address is the client's.",
    )
    metrics_allowed_networks: list[IPvAnyNetwork] = Field(
        default_factory=_loopback_networks,
        description="Networks (JSON list of CIDRs) whose addresses may read /metrics.",
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description="When set, /metrics also needs `Authorization: Bearer <token>`.",
    )
    agency_review_delay_seconds: float = Field(
        default=5.0, ge=0, description="How long a request waits before the review decides."
    )

    @field_validator("forwarded_allow_ips", mode="before")
    @classmethod
    def _addresses_or_networks(cls, value: object) -> object:
        # uvicorn's FORWARDED_ALLOW_IPS is comma-separated; the other lists here are JSON.
        # Both are accepted; "*" (trust anyone) is not an address, so it is refused.
        if not isinstance(value, str):
            return value
        if value.strip().startswith("["):
            return json.loads(value)
        return [part.strip() for part in value.split(",") if part.strip()]

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.mode == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError("BAWABA_SECRET_KEY must be set to a real secret in production mode")
        return self

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def runs_agency_review(self) -> bool:
        return self.demo if self.agency_review is None else self.agency_review

    def registry_url(self, name: Literal["civil", "passport", "gateway"]) -> str:
        """The URL of one store, falling back to a SQLite file in the data folder."""
        configured = {
            "civil": self.civil_registry_url,
            "passport": self.passport_registry_url,
            "gateway": self.gateway_store_url,
        }[name]
        if configured:
            return configured
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{name}.sqlite3').resolve()}"
