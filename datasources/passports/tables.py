"""Tables of the passports agency's registry, shared by its adapters (reads, writes, review)."""

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)

from datasources.sql_engine import UTCDateTime

metadata = MetaData()

passports = Table(
    "passports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(9), nullable=False),
    Column("holder_id", String(10), nullable=False),
    Column("issuing_country", String(2), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("expiry_date", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("issuing_country", "number", name="uq_passports_country_number"),
    Index("ix_passports_holder_id", "holder_id"),
    # A holder has at most one current (VALID) passport; renewals supersede the old one.
    Index(
        "uq_passports_one_valid_per_holder",
        "holder_id",
        unique=True,
        sqlite_where=text("status = 'VALID'"),
        postgresql_where=text("status = 'VALID'"),
    ),
)

travel_permits = Table(
    "travel_permits",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(24), nullable=False, unique=True),
    Column("traveller_id", String(10), nullable=False),
    Column("guardian_id", String(10), nullable=False),
    Column("kind", String(16), nullable=False),
    # Space-separated ISO alpha-2 codes; empty means every country. Kept in the row so that
    # a page of permits is one statement.
    Column("destinations", String(800), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Column("status_reason", String(40), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("idempotency_key", String(100), nullable=True),
    Column("request_fingerprint", String(64), nullable=True),
    Index("uq_travel_permits_idempotency", "guardian_id", "idempotency_key", unique=True),
    Index("ix_travel_permits_traveller_created", "traveller_id", "created_at", "id"),
    Index("ix_travel_permits_guardian_id", "guardian_id"),
)

permit_status_changes = Table(
    "permit_status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("permit_id", String(32), ForeignKey("travel_permits.id"), nullable=False),
    Column("status", String(10), nullable=False),
    Column("previous_status", String(10), nullable=True),
    Column("reason", String(40), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(40), nullable=False),
    Column("note", String(200), nullable=True),
    Index("ix_permit_status_changes_permit_id", "permit_id", "id"),
)

travel_bans = Table(
    "travel_bans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("national_id", String(10), nullable=False, index=True),
    Column("reason", String(40), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date, nullable=True),
)


# Added by revision passport_0002 ---------------------------------------------------------

# The change log: every status change of a permit and every renewed passport, in the order
# they happened. Its id is the cursor that live-status subscribers resume from.
change_log = Table(
    "change_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_type", String(16), nullable=False),
    Column("entity_id", String(32), nullable=False),
    Column("subject_id", String(10), nullable=False),
    Column("guardian_id", String(10), nullable=True),
    Column("status", String(10), nullable=False),
    Column("previous_status", String(10), nullable=True),
    Column("reason", String(40), nullable=True),
    Column("at", UTCDateTime, nullable=False),
)

travel_advisories = Table(
    "travel_advisories",
    metadata,
    Column("country_code", String(2), primary_key=True),
    Column("since", Date, nullable=False),
)

# One row per destination of every PENDING or APPROVED permit; a permit for every country
# has one row, "*". Each row covers a slot range: one slot per two-letter code, all of them
# for "*". On PostgreSQL an exclusion constraint forbids two rows of one traveller whose
# slots and dates overlap, so racing requests cannot both become active.
permit_destinations = Table(
    "permit_destinations",
    metadata,
    Column("permit_id", String(32), ForeignKey("travel_permits.id"), nullable=False),
    Column("traveller_id", String(10), nullable=False),
    Column("destination", String(2), nullable=False),
    Column("slot_from", Integer, nullable=False),
    Column("slot_to", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Index("ix_permit_destinations_permit_id", "permit_id"),
    Index("ix_permit_destinations_traveller", "traveller_id", "destination"),
)


# Added by revision passport_0003 ---------------------------------------------------------

# A resident asked to record a passport number the registry holds for someone else. The
# resident is answered as for a wrong number (the answer does not say that the number is
# on record); the agency reviews these.
passport_number_conflicts = Table(
    "passport_number_conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuing_country", String(2), nullable=False),
    Column("number", String(9), nullable=False),
    Column("claimed_by", String(10), nullable=False),
    Column("held_by", String(10), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)
