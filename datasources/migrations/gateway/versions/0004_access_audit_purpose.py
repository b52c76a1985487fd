"""The access audit records the purpose of a read: the scopes the reader held.

Revision ID: gateway_0004
Revises: gateway_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0004"
down_revision = "gateway_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("access_audit", sa.Column("purpose", sa.String(200), nullable=True))


def downgrade() -> None:
    op.drop_column("access_audit", "purpose")
