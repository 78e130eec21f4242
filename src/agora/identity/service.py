"""Identity use cases: register, sign in and out, tokens, the audit log, operator user admin."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, func, select, update

from agora.config import get_settings
from agora.core import timezones
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.errors import N_, Forbidden, InvalidInput, NotFound
from agora.core.prepared import Prepared
from agora.core.security import hash_password, new_token, token_digest, verify_password
from agora.core.uow import UnitOfWork
from agora.identity import throttle
from agora.identity.domain import (
    Principal,
    clean_display_name,
    parse_identifier,
    password_problem,
)
from agora.identity.errors import AccountExists, AccountSuspended, InvalidCredentials
from agora.identity.models import AuthSession, SecurityEvent, User
from agora.identity.token_cache import PROCESS_TOKENS, REVOKED_TOPIC, Profile, TokenCache

SIGNIN_FAILED = "signin_failed"


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request came from, for the audit log and rate limits."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str
    session: AuthSession


def _audit(
    uow: UnitOfWork,
    kind: str,
    *,
    client: Client,
    user_id: uuid.UUID | None = None,
    subject: str | None = None,
    **detail: str,
) -> None:
    uow.session.add(
        SecurityEvent(
            kind=kind,
            user_id=user_id,
            subject=subject,
            ip=client.ip,
            user_agent=(client.user_agent or "")[:255] or None,
            detail=detail,
            created_at=utcnow(),
        )
    )


def register(
    uow: UnitOfWork,
    *,
    identifier: str,
    password: str,
    display_name: str,
    client: Client,
    locale: str | None = None,
) -> User:
    parsed = parse_identifier(identifier)
    errors = []
    if parsed is None:
        errors.append(
            {"field": "identifier", "message": N_("Enter a valid email or mobile number.")}
        )
    problem = password_problem(password)
    if problem:
        errors.append({"field": "password", "message": problem})
    name = clean_display_name(display_name)
    if name is None:
        errors.append(
            {"field": "display_name", "message": N_("Enter a name of 1 to 40 characters.")}
        )
    if errors or parsed is None or name is None:
        raise InvalidInput(N_("Please correct the highlighted fields."), errors=errors)
    with uow:
        column = User.email if parsed.kind == "email" else User.phone
        if uow.session.scalar(select(User.id).where(column == parsed.value)) is not None:
            raise AccountExists()
        user = User(
            display_name=name,
            password_hash=hash_password(password),
            locale=locale,
            created_at=utcnow(),
            **{parsed.kind: parsed.value},
        )
        uow.session.add(user)
        uow.session.flush()
        _audit(uow, "registered", client=client, user_id=user.id, subject=parsed.value)
        uow.emit("identity.user_registered", {"user_id": str(user.id)}, topics=[])
        return user


def sign_in(
    uow: UnitOfWork,
    *,
    identifier: str,
    password: str,
    client: Client,
    kind: str = "web",
    label: str | None = None,
) -> SignedIn:
    """Check the password and open a session (``web``) or issue an API token (``api``).

    Raises:
        RateLimited: too many recent attempts for this account, or this address must wait
            (``identity.throttle``).
        InvalidCredentials: unknown account or wrong password (indistinguishable on purpose).
    """
    settings = get_settings()
    parsed = parse_identifier(identifier)
    subject = parsed.value if parsed else identifier.strip().lower()[:254]
    with uow:
        throttle.take_attempt(uow, subject=subject, ip=client.ip)
        user = None
        if parsed is not None:
            column = User.email if parsed.kind == "email" else User.phone
            user = uow.session.scalar(select(User).where(column == parsed.value))
    # The slot is taken and committed, so argon2's work holds no transaction (nor SQLite's
    # write lock) while it runs.
    if not verify_password(user.password_hash if user else None, password) or user is None:
        with uow:
            _audit(
                uow,
                SIGNIN_FAILED,
                client=client,
                subject=subject,
                user_id=user.id if user else None,
            )
        raise InvalidCredentials()
    if user.status != "active":
        raise AccountSuspended()
    days = settings.session_days if kind == "web" else settings.api_token_days
    with uow:
        throttle.give_back(uow, subject=subject, ip=client.ip)
        signed_in = _open_session(uow, user, kind=kind, client=client, days=days, label=label)
        _audit(uow, "signin_succeeded", client=client, user_id=user.id, subject=subject, via=kind)
    return signed_in


def _open_session(
    uow: UnitOfWork, user: User, *, kind: str, client: Client, days: int, label: str | None
) -> SignedIn:
    if kind not in ("web", "api"):
        raise InvalidInput(N_("Session kind must be web or api."))
    token = new_token()
    now = utcnow()
    session = AuthSession(
        user_id=user.id,
        token_hash=token_digest(token),
        kind=kind,
        label=(label or "")[:80] or None,
        created_at=now,
        expires_at=now + timedelta(days=days),
        ip=client.ip,
        user_agent=(client.user_agent or "")[:255] or None,
    )
    uow.session.add(session)
    uow.session.flush()
    return SignedIn(user=user, token=token, session=session)


def authenticate(
    uow: UnitOfWork, token: str | None, *, cache: TokenCache | None = None
) -> Principal | None:
    """The principal behind a session cookie or bearer token, or ``None`` if it is not valid.

    Every request pays for this: with a ``cache`` a known token costs no read at all; otherwise
    one query of bare columns (no ORM objects).
    """
    if not token:
        return None
    digest = token_digest(token)
    if cache is not None:
        cached = cache.get(digest)
        if cached is not None:
            return cached
    epoch = cache.epoch if cache is not None else None
    # A plain connection, not a session: Core columns need none of the ORM's machinery.
    with uow.db.engine.connect() as connection:
        row = connection.execute(_AUTHENTICATE, {"token_hash": digest}).first()
    return None if row is None else _principal_of(row, digest, cache, epoch, utcnow())


def authenticate_many(
    db: Database, digests: Sequence[str], *, cache: TokenCache | None = None
) -> dict[str, Principal | None]:
    """:func:`authenticate` for many token digests at once, in one statement (see
    ``identity.token_reader``): the principal of each, ``None`` for one not valid."""
    epoch = cache.epoch if cache is not None else None
    found: dict[str, Principal | None] = {}
    now = utcnow()
    largest = _MANY_SIZES[-1]
    with db.read_session() as session:
        for first in range(0, len(digests), largest):
            chunk = digests[first : first + largest]
            size = next(n for n in _MANY_SIZES if n >= len(chunk))
            # A statement of a fixed shape (core.prepared): the chunk padded with its last digest.
            params = {f"t{n}": chunk[min(n, len(chunk) - 1)] for n in range(size)}
            for values in _authenticate_many(size).rows(session, params):
                row = _SessionRow(*values)
                found[row.token_hash] = _principal_of(row, row.token_hash, cache, epoch, now)
    return {digest: found.get(digest) for digest in digests}


def _principal_of(
    row: Any, digest: str, cache: TokenCache | None, epoch: int | None, now: datetime
) -> Principal | None:
    """The principal of a valid session row (cached with its profile), else ``None``."""
    if row.revoked_at is not None or row.expires_at <= now or row.status != "active":
        return None
    principal = Principal(
        user_id=row.user_id,
        display_name=row.display_name,
        is_operator=row.is_operator,
        session_id=row.id,
        time_zone=row.time_zone,
    )
    if cache is not None:
        profile = Profile(
            id=row.user_id,
            display_name=row.display_name,
            email=row.email,
            phone=row.phone,
            is_operator=row.is_operator,
            status=row.status,
            created_at=row.created_at,
            time_zone=row.time_zone,
        )
        cache.put(digest, principal, row.expires_at, profile, epoch=epoch)
    return principal


def _tokens_revoked(uow: UnitOfWork, user_id: uuid.UUID) -> None:
    """Once this transaction commits, forget ``user_id``'s cached tokens here at once, and in
    every other process through the hub."""
    uow.after_commit(lambda: PROCESS_TOKENS.forget_user(user_id))
    uow.publish(REVOKED_TOPIC, {"user_id": str(user_id)})


_sessions: Table = AuthSession.__table__  # type: ignore[assignment]
_users: Table = User.__table__  # type: ignore[assignment]
_SESSION_ROWS = select(
    _sessions.c.id,
    _sessions.c.expires_at,
    _sessions.c.revoked_at,
    _users.c.id.label("user_id"),
    _users.c.display_name,
    _users.c.is_operator,
    _users.c.status,
    _users.c.email,
    _users.c.phone,
    _users.c.created_at,
    _users.c.time_zone,
).join(_users, _users.c.id == _sessions.c.user_id)
_AUTHENTICATE = _SESSION_ROWS.where(_sessions.c.token_hash == bindparam("token_hash"))
# The first reads of many tokens at once, prepared for a few sizes (core.prepared: no IN list
# that expands); a batch is read in chunks, each padded to the next size.
_MANY_SIZES = (1, 4, 16, 64, 256)


@functools.cache
def _authenticate_many(size: int) -> Prepared:
    wanted = [bindparam(f"t{n}", type_=_sessions.c.token_hash.type) for n in range(size)]
    return Prepared(
        _SESSION_ROWS.add_columns(_sessions.c.token_hash).where(_sessions.c.token_hash.in_(wanted))
    )


class _SessionRow(NamedTuple):
    """A row of the session reads, by name."""

    id: uuid.UUID
    expires_at: datetime
    revoked_at: datetime | None
    user_id: uuid.UUID
    display_name: str
    is_operator: bool
    status: str
    email: str | None
    phone: str | None
    created_at: datetime
    time_zone: str | None
    token_hash: str


def sign_out(uow: UnitOfWork, *, actor: Principal, client: Client) -> None:
    if actor.session_id is None:
        return
    with uow:
        uow.session.execute(
            update(AuthSession)
            .where(AuthSession.id == actor.session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        _audit(uow, "signed_out", client=client, user_id=actor.user_id)
        _tokens_revoked(uow, actor.user_id)


def list_tokens(uow: UnitOfWork, *, actor: Principal) -> Sequence[AuthSession]:
    with uow.read() as session:
        return session.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == actor.user_id, AuthSession.revoked_at.is_(None))
            .order_by(AuthSession.created_at.desc())
        ).all()


def revoke_session(
    uow: UnitOfWork, *, actor: Principal, session_id: uuid.UUID, client: Client
) -> None:
    """Revoke one of the actor's own sessions or tokens; another user's id is simply not found."""
    with uow:
        target = uow.session.get(AuthSession, session_id)
        if target is None or target.user_id != actor.user_id:
            raise NotFound(N_("No such session."))
        if target.revoked_at is None:
            target.revoked_at = utcnow()
            _tokens_revoked(uow, actor.user_id)
            _audit(
                uow,
                "session_revoked",
                client=client,
                user_id=actor.user_id,
                session_id=str(session_id),
            )


def set_time_zone(uow: UnitOfWork, *, actor: Principal, time_zone: str | None) -> User:
    """Set the zone the actor's own pages show times in (``None``: the operator's zone).

    Raises:
        InvalidInput: ``time_zone`` is not an IANA zone name this system knows.
    """
    if time_zone is not None and not timezones.is_known(time_zone):
        message = N_("Choose a time zone from the list.")
        raise InvalidInput(message, errors=[{"field": "time_zone", "message": message}])
    with uow:
        user = uow.session.get(User, actor.user_id)
        if user is None:
            raise NotFound(N_("No such user."))
        if user.time_zone != time_zone:
            user.time_zone = time_zone
            # Cached principals carry the zone: the next request reads it again.
            _tokens_revoked(uow, actor.user_id)
        return user


def get_user(uow: UnitOfWork, user_id: uuid.UUID) -> User | None:
    with uow.read() as session:
        return session.get(User, user_id)


def security_log(
    uow: UnitOfWork, *, actor: Principal, user_id: uuid.UUID | None = None, limit: int = 50
) -> Sequence[SecurityEvent]:
    """A user's own security events; operators may read anyone's (or everyone's with no id)."""
    target = user_id or actor.user_id
    if target != actor.user_id and not actor.is_operator:
        raise NotFound(N_("No such user."))
    query = (
        select(SecurityEvent)
        .where(SecurityEvent.user_id == target)
        .order_by(SecurityEvent.created_at.desc())
        .limit(limit)
    )
    with uow.read() as session:
        return session.scalars(query).all()


def require_operator(actor: Principal) -> None:
    if not actor.is_operator:
        raise Forbidden(N_("Only platform operators can do this."))


def list_users(
    uow: UnitOfWork,
    *,
    actor: Principal,
    query: str | None = None,
    after: datetime | None = None,
    limit: int = 50,
) -> Sequence[User]:
    require_operator(actor)
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc()).limit(limit)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            func.lower(User.email).like(like)
            | User.phone.like(like)
            | func.lower(User.display_name).like(like)
        )
    if after is not None:
        stmt = stmt.where(User.created_at < after)
    with uow.read() as session:
        return session.scalars(stmt).all()


def set_user_status(
    uow: UnitOfWork, *, actor: Principal, user_id: uuid.UUID, status: str, client: Client
) -> User:
    """Suspend or reactivate an account. Suspending also revokes its sessions and tokens."""
    require_operator(actor)
    if status not in ("active", "suspended"):
        raise InvalidInput(N_("Status must be active or suspended."))
    if user_id == actor.user_id:
        raise Forbidden(N_("Operators cannot change their own status."))
    with uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound(N_("No such user."))
        user.status = status
        _tokens_revoked(uow, user_id)
        if status == "suspended":
            uow.session.execute(
                update(AuthSession)
                .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
        _audit(uow, f"user_{status}", client=client, user_id=user_id, by=str(actor.user_id))
        return user


def find_user(uow: UnitOfWork, identifier: str) -> User | None:
    """Look up an account by email or phone (for operators assigning store owners)."""
    parsed = parse_identifier(identifier)
    if parsed is None:
        return None
    column = User.email if parsed.kind == "email" else User.phone
    with uow.read() as session:
        return session.scalar(select(User).where(column == parsed.value))
