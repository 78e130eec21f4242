"""Tables of privacy: consents and their log, the agreement's versions and acceptances, and
data exports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
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


class PrivacyAgreement(Base):
    """One published version of the privacy agreement; the highest version is the current one."""

    __tablename__ = "privacy_agreements"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    version: Mapped[int] = mapped_column(unique=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    body_en: Mapped[str] = mapped_column(Text)
    body_zh: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime]
    published_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class AgreementAcceptance(Base):
    """A shopper's acceptance of one version: the evidence of what they agreed to, when, from
    which client. Kept after the account is erased, without the client."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    version: Mapped[int]
    accepted_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(255), default=None)


class DataExport(Base):
    """A "download my data" request and, once the job has built it, its archive.

    The archive lives in the row rather than on one server's disk, so whichever process serves
    the download has it, and erasing the row erases the file. ``token`` is the unguessable part
    of the download link; only the owner may use it.
    """

    __tablename__ = "data_exports"
    __table_args__ = (Index("ix_data_exports_user", "user_id", "requested_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    requested_at: Mapped[datetime]
    ready_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    size: Mapped[int | None] = mapped_column(default=None)
    archive: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
