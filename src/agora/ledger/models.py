"""Ledger tables: accounts with a stored, bounded balance; transfers; append-only entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base

# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets a BIGINT identity.
EntryId = BigInteger().with_variant(Integer(), "sqlite")


class Account(Base):
    """A balance owned by a user, a store or the platform. ``lower_bound`` NULL means unbounded."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("owner_type", "owner_id", "kind", "currency", "shard"),
        CheckConstraint("lower_bound IS NULL OR balance >= lower_bound", name="within_bound"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    shard: Mapped[int] = mapped_column(default=0)
    lower_bound: Mapped[int | None] = mapped_column(default=None)
    balance: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]


class Transfer(Base):
    """One movement of money; its entries sum to zero. ``key`` makes it idempotent."""

    __tablename__ = "ledger_transfers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    memo: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Entry(Base):
    """One leg of a transfer on one account, with the account's balance right after it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(EntryId, primary_key=True, autoincrement=True)
    transfer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_transfers.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_accounts.id", ondelete="RESTRICT")
    )
    amount: Mapped[int]
    balance_after: Mapped[int]
    created_at: Mapped[datetime]
