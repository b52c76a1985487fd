"""Sign-in credentials and challenges, sessions, counters, partner keys, audit, SMS outbox.

Revision ID: gateway_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0001"
down_revision = None
branch_labels = None
depends_on = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("national_id", sa.String(10), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("scopes", sa.String(400), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
    )
    op.create_table(
        "sign_in_challenges",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("code_digest", sa.String(64), nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("consumed_at", _AT, nullable=True),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_digest", sa.String(64), primary_key=True),
        sa.Column("family_id", sa.String(32), nullable=False),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("scopes", sa.String(400), nullable=False),
        sa.Column("issued_at", _AT, nullable=False),
        sa.Column("expires_at", _AT, nullable=False),
        sa.Column("used_at", _AT, nullable=True),
        sa.Column("revoked_at", _AT, nullable=True),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_table(
        "attempt_counters",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("lock_level", sa.Integer, nullable=False),
        sa.Column("locked_until", _AT, nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
    )
    op.create_table(
        "partner_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_digest", sa.String(64), nullable=False, unique=True),
        sa.Column("scopes", sa.String(400), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("revoked_at", _AT, nullable=True),
    )
    op.create_table(
        "access_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.String(10), nullable=False),
        sa.Column("accessor_kind", sa.String(16), nullable=False),
        sa.Column("accessor_id", sa.String(40), nullable=False),
        sa.Column("accessor_name", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("client_address", sa.String(64), nullable=False),
        sa.Column("at", _AT, nullable=False),
    )
    op.create_index("ix_access_audit_subject_id", "access_audit", ["subject_id", "id"])
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("destination", sa.String(16), nullable=False),
        sa.Column("body", sa.String(400), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_index("ix_sms_outbox_national_id", "sms_outbox", ["national_id", "id"])


def downgrade() -> None:
    for table in (
        "sms_outbox",
        "access_audit",
        "partner_keys",
        "attempt_counters",
        "refresh_tokens",
        "sign_in_challenges",
        "credentials",
    ):
        op.drop_table(table)
