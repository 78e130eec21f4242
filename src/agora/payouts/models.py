"""Payouts tables: where each store's payouts go. (The payouts themselves are withdrawals owned
by the store: ``payment_withdrawals.store_id``, agora.payments.)"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base


class PayoutAccount(Base):
    """A store's bank account for payouts, one per store, set by its owner. The full number is
    kept for the bank; every page and answer shows only its last four digits."""

    __tablename__ = "store_payout_accounts"

    store_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    holder_name: Mapped[str] = mapped_column(String(80))
    bank_name: Mapped[str] = mapped_column(String(80))
    account_number: Mapped[str] = mapped_column(String(34))
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
