"""The write path: idempotency, notes, the change log, advisories, active destinations.

Revision ID: passport_0002
Revises: passport_0001
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "passport_0002"
down_revision = "passport_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("travel_permits", sa.Column("idempotency_key", sa.String(100), nullable=True))
    op.add_column("travel_permits", sa.Column("request_fingerprint", sa.String(64), nullable=True))
    op.create_index(
        "uq_travel_permits_idempotency",
        "travel_permits",
        ["guardian_id", "idempotency_key"],
        unique=True,
    )
    op.add_column("permit_status_changes", sa.Column("note", sa.String(200), nullable=True))
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity_type", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(10), nullable=False),
        sa.Column("guardian_id", sa.String(10), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("previous_status", sa.String(10), nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "travel_advisories",
        sa.Column("country_code", sa.String(2), primary_key=True),
        sa.Column("since", sa.Date, nullable=False),
    )
    destinations = op.create_table(
        "permit_destinations",
        sa.Column("permit_id", sa.String(32), sa.ForeignKey("travel_permits.id"), nullable=False),
        sa.Column("traveller_id", sa.String(10), nullable=False),
        sa.Column("destination", sa.String(2), nullable=False),
        sa.Column("slot_from", sa.Integer, nullable=False),
        sa.Column("slot_to", sa.Integer, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
    )
    op.create_index("ix_permit_destinations_permit_id", "permit_destinations", ["permit_id"])
    op.create_index(
        "ix_permit_destinations_traveller", "permit_destinations", ["traveller_id", "destination"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE permit_destinations ADD CONSTRAINT ex_permit_destinations_overlap "
            "EXCLUDE USING gist (traveller_id WITH =, int4range(slot_from, slot_to) WITH &&, "
            "daterange(valid_from, valid_until, '[]') WITH &&)"
        )
    _backfill_active_destinations(destinations)


def _backfill_active_destinations(destinations: sa.Table) -> None:
    active = op.get_bind().execute(
        sa.text(
            "SELECT id, traveller_id, destinations, valid_from, valid_until FROM travel_permits "
            "WHERE status IN ('PENDING', 'APPROVED')"
        )
    )
    rows = []
    for permit in active:
        for code in permit.destinations.split() or ["*"]:
            slot = (ord(code[0]) - 65) * 26 + (ord(code[1]) - 65) if code != "*" else None
            rows.append({
                "permit_id": permit.id, "traveller_id": permit.traveller_id, "destination": code,
                "slot_from": 0 if slot is None else slot,
                "slot_to": 26 * 26 if slot is None else slot + 1,
                "valid_from": _day(permit.valid_from), "valid_until": _day(permit.valid_until),
            })  # fmt: skip
    if rows:
        op.bulk_insert(destinations, rows)


def _day(value: object) -> date:
    # SQLite hands back ISO strings from a textual query; PostgreSQL hands back dates.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def downgrade() -> None:
    op.drop_table("permit_destinations")
    op.drop_table("travel_advisories")
    op.drop_table("change_log")
    op.drop_column("permit_status_changes", "note")
    op.drop_index("uq_travel_permits_idempotency", "travel_permits")
    op.drop_column("travel_permits", "request_fingerprint")
    op.drop_column("travel_permits", "idempotency_key")
