"""Trusted documents registered per client application, and their version counter.

Revision ID: gateway_0003
Revises: gateway_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0003"
down_revision = "gateway_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trusted_documents",
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("document_id", sa.String(200), primary_key=True),
        sa.Column("normalized_hash", sa.String(64), nullable=False),
        sa.Column("operation_names", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_trusted_documents_document_id", "trusted_documents", ["document_id"])
    version = op.create_table(
        "trusted_documents_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("trusted_documents_version")
    op.drop_table("trusted_documents")
