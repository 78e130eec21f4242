"""Behaviour events and shopper profiles (placeholder; filled by the recommendations work).

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
