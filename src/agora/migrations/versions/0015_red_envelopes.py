"""red envelopes.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "red_envelopes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("shares", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("greeting", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("grabbed_count", sa.BigInteger(), nullable=False),
        sa.Column("grabbed_amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expired_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('single', 'lucky', 'equal')", name=op.f("ck_red_envelopes_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'finished', 'expired')", name=op.f("ck_red_envelopes_status")
        ),
        sa.CheckConstraint(
            "shares >= 1 AND shares <= 100", name=op.f("ck_red_envelopes_shares_range")
        ),
        sa.CheckConstraint("total >= shares", name=op.f("ck_red_envelopes_a_fen_per_share")),
        sa.CheckConstraint(
            "grabbed_count >= 0 AND grabbed_count <= shares",
            name=op.f("ck_red_envelopes_grabbed_within_shares"),
        ),
        sa.CheckConstraint(
            "grabbed_amount >= 0 AND grabbed_amount + refunded <= total",
            name=op.f("ck_red_envelopes_paid_within_total"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["chat_conversations.id"],
            name=op.f("fk_red_envelopes_conversation_id_chat_conversations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_red_envelopes_sender_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_envelopes")),
        sa.UniqueConstraint("sender_id", "client_id", name="uq_red_envelopes_client_id"),
    )
    op.create_index(
        "ix_red_envelopes_conversation",
        "red_envelopes",
        ["conversation_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_red_envelopes_sender", "red_envelopes", ["sender_id", "created_at"], unique=False
    )
    op.create_table(
        "red_envelope_shares",
        sa.Column("envelope_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount >= 1", name=op.f("ck_red_envelope_shares_a_fen_at_least")),
        sa.ForeignKeyConstraint(
            ["envelope_id"],
            ["red_envelopes.id"],
            name=op.f("fk_red_envelope_shares_envelope_id_red_envelopes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("envelope_id", "position", name=op.f("pk_red_envelope_shares")),
    )
    op.create_table(
        "red_envelope_grabs",
        sa.Column("envelope_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("grabbed_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["envelope_id"],
            ["red_envelopes.id"],
            name=op.f("fk_red_envelope_grabs_envelope_id_red_envelopes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_red_envelope_grabs_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("envelope_id", "user_id", name=op.f("pk_red_envelope_grabs")),
    )
    op.create_index(
        "ix_red_envelope_grabs_user",
        "red_envelope_grabs",
        ["user_id", "grabbed_at"],
        unique=False,
    )
    op.create_index(
        "uq_red_envelope_grabs_position",
        "red_envelope_grabs",
        ["envelope_id", "position"],
        unique=True,
        sqlite_where=sa.text("position > 0"),
        postgresql_where=sa.text("position > 0"),
    )


def downgrade() -> None:
    op.drop_index("uq_red_envelope_grabs_position", table_name="red_envelope_grabs")
    op.drop_index("ix_red_envelope_grabs_user", table_name="red_envelope_grabs")
    op.drop_table("red_envelope_grabs")
    op.drop_table("red_envelope_shares")
    op.drop_index("ix_red_envelopes_sender", table_name="red_envelopes")
    op.drop_index("ix_red_envelopes_conversation", table_name="red_envelopes")
    op.drop_table("red_envelopes")
