"""Identity tables: users, sessions/tokens, and the security audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from agora.core.db import Base
from agora.core.ids import new_id


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, default=None)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    display_name: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    # An IANA zone name the pages show times in; null: the operator's business zone.
    time_zone: Mapped[str | None] = mapped_column(String(64), default=None)
    is_operator: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]


class AuthSession(Base):
    """A sign-in: a web session (cookie) or an API token (bearer). Only the token's hash is kept."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user", "user_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    label: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(255), default=None)


class SecurityEvent(Base):
    """The security audit log; failed sign-ins in it also drive the sign-in rate limit."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_subject", "kind", "subject", "created_at"),
        Index("ix_security_events_ip", "kind", "ip", "created_at"),
        Index("ix_security_events_user", "user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    subject: Mapped[str | None] = mapped_column(String(254), default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(255), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class SignInThrottle(Base):
    """Sign-in attempts counted per account (``scope`` "account", key: the identifier) or per
    address ("address", key: the IP) in the window that began at ``window_started_at``.

    An attempt is counted *before* its password is checked, by one guarded UPDATE, and given back
    when the password was right: so concurrent guesses serialize on this row and can never take
    more than the limit between them, whatever the backend.
    """

    __tablename__ = "signin_throttles"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    window_started_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    # Over its limit, an address may try again only from this time on.
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
