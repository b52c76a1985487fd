"""Passport numbers a resident claimed that the registry holds for someone else.

Revision ID: passport_0003
Revises: passport_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "passport_0003"
down_revision = "passport_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passport_number_conflicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issuing_country", sa.String(2), nullable=False),
        sa.Column("number", sa.String(9), nullable=False),
        sa.Column("claimed_by", sa.String(10), nullable=False),
        sa.Column("held_by", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("passport_number_conflicts")
