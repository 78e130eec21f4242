"""disputes: rejected returns escalated and complaints, both sides' evidence, the decision.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("claimed", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("buyer_evidence", sa.BigInteger(), nullable=False),
        sa.Column("merchant_evidence", sa.BigInteger(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("from_store", sa.BigInteger(), nullable=False),
        sa.Column("from_commission", sa.BigInteger(), nullable=False),
        sa.Column("decision_refund_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", agora.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.CheckConstraint("claimed > 0", name=op.f("ck_disputes_claimed_positive")),
        sa.CheckConstraint(
            "refunded >= 0 AND from_store >= 0 AND from_commission >= 0 "
            "AND from_store + from_commission <= refunded",
            name=op.f("ck_disputes_amounts_within"),
        ),
        sa.CheckConstraint(
            "reason IN ('return_rejected', 'not_as_described', 'not_genuine')",
            name=op.f("ck_disputes_reason_known"),
        ),
        sa.CheckConstraint("status IN ('open', 'decided')", name=op.f("ck_disputes_status_known")),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_disputes_buyer_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_disputes_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refunds.id"],
            name=op.f("fk_disputes_refund_id_refunds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_disputes_store_id_stores"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_disputes_refund_id")),
    )
    op.create_index("ix_disputes_queue", "disputes", ["status", "created_at", "id"])
    op.create_index("ix_disputes_order", "disputes", ["order_id", "created_at"])
    op.create_index("ix_disputes_store", "disputes", ["store_id", "created_at"])
    op.create_index(
        "uq_disputes_open_order",
        "disputes",
        ["order_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "dispute_evidence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "side IN ('buyer', 'merchant')", name=op.f("ck_dispute_evidence_side_known")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_dispute_evidence_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_dispute_evidence_dispute_id_disputes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_evidence")),
    )
    op.create_index(
        "ix_dispute_evidence_dispute", "dispute_evidence", ["dispute_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_dispute_evidence_dispute", table_name="dispute_evidence")
    op.drop_table("dispute_evidence")
    op.drop_index("uq_disputes_open_order", table_name="disputes")
    op.drop_index("ix_disputes_store", table_name="disputes")
    op.drop_index("ix_disputes_order", table_name="disputes")
    op.drop_index("ix_disputes_queue", table_name="disputes")
    op.drop_table("disputes")
