"""Each user's time zone (null: the operator's business zone).

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
