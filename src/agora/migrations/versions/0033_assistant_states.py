"""The chat assistant's preference state per shopper and conversation.

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from agora.core.db import UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assistant_states",
        sa.Column(
            "user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "conversation_id",
            sa.Uuid(),
            sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.Column("shown_prices", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_assistant_states_conversation_id", "assistant_states", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_assistant_states_conversation_id", table_name="assistant_states")
    op.drop_table("assistant_states")
