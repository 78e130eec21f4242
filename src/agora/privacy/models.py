"""Tables of privacy: each consent's current answer, and the log of every change to it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class Consent(Base):
    """The shopper's current answer for one kind of consent; no row means never given."""

    __tablename__ = "consents"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted: Mapped[bool]
    changed_at: Mapped[datetime]


class ConsentLogEntry(Base):
    """One change of a consent, kept as the record of what the shopper agreed to and when."""

    __tablename__ = "consent_log"
    __table_args__ = (Index("ix_consent_log_user", "user_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool]
    changed_at: Mapped[datetime]
