"""The versioned privacy agreement, data exports and account deletion (placeholder; filled by the privacy work).

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
