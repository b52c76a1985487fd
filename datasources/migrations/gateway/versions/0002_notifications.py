"""Notifications of approved and rejected permits.

Revision ID: gateway_0002
Revises: gateway_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0002"
down_revision = "gateway_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Integer, nullable=False),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("permit_id", sa.String(32), nullable=False),
        sa.Column("permit_number", sa.String(24), nullable=False),
        sa.Column("traveller_name_ar", sa.String(200), nullable=False),
        sa.Column("traveller_name_en", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "uq_notifications_event_recipient",
        "notifications",
        ["event_id", "national_id"],
        unique=True,
    )
    op.create_index("ix_notifications_national_id", "notifications", ["national_id", "id"])


def downgrade() -> None:
    op.drop_table("notifications")
