"""People and family links.

Revision ID: civil_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "civil_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("national_id", sa.String(10), primary_key=True),
        sa.Column("name_ar", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("marital_status", sa.String(10), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=False),
        sa.Column("mobile_number", sa.String(16), nullable=False),
    )
    op.create_table(
        "family_links",
        sa.Column(
            "guardian_id", sa.String(10), sa.ForeignKey("people.national_id"), nullable=False
        ),
        sa.Column(
            "dependent_id", sa.String(10), sa.ForeignKey("people.national_id"), nullable=False
        ),
        sa.Column("relationship", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("guardian_id", "dependent_id"),
    )
    op.create_index("ix_family_links_dependent_id", "family_links", ["dependent_id"])


def downgrade() -> None:
    op.drop_table("family_links")
    op.drop_table("people")
