"""Share Links And Attribution.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import agora.core.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("sharer_id", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["shares.id"],
            name=op.f("fk_shares_parent_id_shares"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sharer_id"],
            ["users.id"],
            name=op.f("fk_shares_sharer_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.UniqueConstraint("code", name=op.f("uq_shares_code")),
    )
    op.create_index(op.f("ix_shares_parent_id"), "shares", ["parent_id"], unique=False)
    op.create_index("ix_shares_sharer", "shares", ["sharer_id", "created_at"], unique=False)
    op.create_index("ix_shares_target", "shares", ["target_type", "target_id"], unique=False)
    op.create_table(
        "share_visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("visitor_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("ip_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_share_visits_share_id_shares"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_share_visits_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_visits")),
    )
    op.create_index(
        "ix_share_visits_share", "share_visits", ["share_id", "created_at"], unique=False
    )
    op.create_index("ix_share_visits_user", "share_visits", ["user_id", "created_at"], unique=False)
    op.create_index(
        "ix_share_visits_visitor", "share_visits", ["visitor_id", "created_at"], unique=False
    )
    op.create_table(
        "share_visitor_links",
        sa.Column("visitor_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("linked_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_share_visitor_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visitor_id", "user_id", name=op.f("pk_share_visitor_links")),
    )
    op.create_index("ix_share_visitor_links_user", "share_visitor_links", ["user_id"], unique=False)
    op.create_table(
        "share_attributions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sharer_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("occurred_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", agora.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["shares.id"],
            name=op.f("fk_share_attributions_share_id_shares"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sharer_id"],
            ["users.id"],
            name=op.f("fk_share_attributions_sharer_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_share_attributions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["share_visits.id"],
            name=op.f("fk_share_attributions_visit_id_share_visits"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_attributions")),
        sa.UniqueConstraint("kind", "subject_id", name="uq_share_attributions_subject"),
    )
    op.create_index(
        "ix_share_attributions_period",
        "share_attributions",
        ["kind", "occurred_at"],
        unique=False,
    )
    op.create_index("ix_share_attributions_share", "share_attributions", ["share_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_share_attributions_share", table_name="share_attributions")
    op.drop_index("ix_share_attributions_period", table_name="share_attributions")
    op.drop_table("share_attributions")
    op.drop_index("ix_share_visitor_links_user", table_name="share_visitor_links")
    op.drop_table("share_visitor_links")
    op.drop_index("ix_share_visits_visitor", table_name="share_visits")
    op.drop_index("ix_share_visits_user", table_name="share_visits")
    op.drop_index("ix_share_visits_share", table_name="share_visits")
    op.drop_table("share_visits")
    op.drop_index("ix_shares_target", table_name="shares")
    op.drop_index("ix_shares_sharer", table_name="shares")
    op.drop_index(op.f("ix_shares_parent_id"), table_name="shares")
    op.drop_table("shares")
