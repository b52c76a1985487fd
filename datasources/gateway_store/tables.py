"""Tables of the gateway's own store: sign-in, sessions, partner keys, counters, audit, SMS,
notifications and the trusted documents of client applications.

The registries belong to the agencies; this store belongs to the gateway. Its schema comes
from the migrations in ``migrations/gateway``.
"""

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

from datasources.sql_engine import UTCDateTime

metadata = MetaData()

credentials = Table(
    "credentials",
    metadata,
    Column("national_id", String(10), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("scopes", String(400), nullable=False, default=""),
    Column("updated_at", UTCDateTime, nullable=False),
)

sign_in_challenges = Table(
    "sign_in_challenges",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("national_id", String(10), nullable=False),
    Column("code_digest", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("consumed_at", UTCDateTime, nullable=True),
    Column("client_address", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("family_id", String(32), nullable=False),
    Column("national_id", String(10), nullable=False),
    Column("scopes", String(400), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_refresh_tokens_family_id", "family_id"),
)

attempt_counters = Table(
    "attempt_counters",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("lock_level", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

partner_keys = Table(
    "partner_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("key_digest", String(64), nullable=False, unique=True),
    Column("scopes", String(400), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

access_audit = Table(
    "access_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_id", String(10), nullable=False),
    Column("accessor_kind", String(16), nullable=False),
    Column("accessor_id", String(40), nullable=False),
    Column("accessor_name", String(200), nullable=False),
    Column("operation", String(100), nullable=False),
    Column("client_address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("purpose", String(200), nullable=True),  # added by revision gateway_0004
    Index("ix_access_audit_subject_id", "subject_id", "id"),
)

sms_outbox = Table(
    "sms_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("national_id", String(10), nullable=False),
    Column("destination", String(16), nullable=False),
    Column("body", String(400), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_sms_outbox_national_id", "national_id", "id"),
)

# Added by revision gateway_0002 ----------------------------------------------------------

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False),
    Column("national_id", String(10), nullable=False),
    Column("code", String(40), nullable=False),
    Column("permit_id", String(32), nullable=False),
    Column("permit_number", String(24), nullable=False),
    Column("traveller_name_ar", String(200), nullable=False),
    Column("traveller_name_en", String(200), nullable=False),
    Column("reason", String(40), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index("uq_notifications_event_recipient", "event_id", "national_id", unique=True),
    Index("ix_notifications_national_id", "national_id", "id"),
)

# Added by revision gateway_0003 ----------------------------------------------------------

# Each client application's registered documents, under the client's own ids; the body is
# the normalized text (security/document_identity.py) and ``normalized_hash`` its SHA-256.
trusted_documents = Table(
    "trusted_documents",
    metadata,
    Column("client", String(100), primary_key=True),
    Column("document_id", String(200), primary_key=True),
    Column("normalized_hash", String(64), nullable=False),
    Column("operation_names", Text, nullable=False),  # space-separated, in document order
    Column("body", Text, nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Index("ix_trusted_documents_document_id", "document_id"),
)

# One row, counted up by every change of ``trusted_documents``: what processes compare to
# know whether to read the documents again.
trusted_documents_version = Table(
    "trusted_documents_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
)
