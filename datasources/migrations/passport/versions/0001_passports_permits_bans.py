"""Passports, travel permits with their status history, travel bans.

Revision ID: passport_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "passport_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(9), nullable=False),
        sa.Column("holder_id", sa.String(10), nullable=False),
        sa.Column("issuing_country", sa.String(2), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("expiry_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuing_country", "number", name="uq_passports_country_number"),
    )
    op.create_index("ix_passports_holder_id", "passports", ["holder_id"])
    op.create_index(
        "uq_passports_one_valid_per_holder",
        "passports",
        ["holder_id"],
        unique=True,
        sqlite_where=sa.text("status = 'VALID'"),
        postgresql_where=sa.text("status = 'VALID'"),
    )
    op.create_table(
        "travel_permits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("traveller_id", sa.String(10), nullable=False),
        sa.Column("guardian_id", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("destinations", sa.String(800), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("status_reason", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_travel_permits_traveller_created",
        "travel_permits",
        ["traveller_id", "created_at", "id"],
    )
    op.create_index("ix_travel_permits_guardian_id", "travel_permits", ["guardian_id"])
    op.create_table(
        "permit_status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("permit_id", sa.String(32), sa.ForeignKey("travel_permits.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("previous_status", sa.String(10), nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
    )
    op.create_index(
        "ix_permit_status_changes_permit_id", "permit_status_changes", ["permit_id", "id"]
    )
    op.create_table(
        "travel_bans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("until", sa.Date, nullable=True),
    )
    op.create_index("ix_travel_bans_national_id", "travel_bans", ["national_id"])


def downgrade() -> None:
    for table in ("travel_bans", "permit_status_changes", "travel_permits", "passports"):
        op.drop_table(table)
