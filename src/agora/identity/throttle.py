"""The sign-in throttle: attempts counted per account and per address before the password check.

Counting failures *after* checking passwords cannot hold under concurrency: a burst of guesses
all read "4 failures so far" before any of them writes the fifth. So an attempt first takes a
slot, by one guarded UPDATE on its throttle row — ``attempts < limit`` in the WHERE — and gives
the slot back when its password was right. Concurrent attempts for one account serialize on that
row (PostgreSQL re-checks the WHERE after the row lock; SQLite has one writer), so at most
``signin_max_failures`` passwords are ever checked per window, however many arrive at once.

An account over its limit is locked until its window ends. An address over its limit is only
slowed down — one attempt per ``signin_address_interval_seconds`` — because many people may share
one address, and any of them with the right password must still get in.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, or_, select, update

from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, RateLimited
from agora.core.uow import UnitOfWork
from agora.identity.models import SignInThrottle

ACCOUNT = "account"
ADDRESS = "address"

_T = SignInThrottle
_window_over = _T.window_started_at <= bindparam("since")
# Take one slot: a new window when the old one is over, else one more attempt in it — only while
# under the limit or, for an address, once its next allowed attempt has come.
_TAKE = (
    update(_T)
    .where(
        _T.scope == bindparam("b_scope"),
        _T.key == bindparam("b_key"),
        or_(
            _window_over,
            _T.attempts < bindparam("limit"),
            and_(_T.scope == ADDRESS, _T.next_attempt_at <= bindparam("now")),
        ),
    )
    .values(
        attempts=case((_window_over, 1), else_=_T.attempts + 1),
        window_started_at=case((_window_over, bindparam("now")), else_=_T.window_started_at),
        next_attempt_at=bindparam("b_next"),
    )
    .returning(_T.attempts)
)
_GIVE_BACK = (
    update(_T)
    .where(_T.scope == bindparam("b_scope"), _T.key == bindparam("b_key"), _T.attempts > 0)
    .values(attempts=_T.attempts - 1)
)
_READ = select(_T.window_started_at, _T.next_attempt_at).where(
    _T.scope == bindparam("b_scope"), _T.key == bindparam("b_key")
)


def take_attempt(uow: UnitOfWork, *, subject: str, ip: str | None) -> None:
    """Count one sign-in attempt for the account and the address, in the caller's transaction.

    Raises:
        RateLimited: the account is locked (until its window ends) or the address must wait;
            ``retry_after`` says how many seconds. Nothing is counted then.
    """
    settings = get_settings()
    now = utcnow()
    window = timedelta(seconds=settings.signin_window_seconds)
    if not _take(uow, ACCOUNT, subject, now=now, window=window, limit=settings.signin_max_failures):
        started, _ = _read(uow, ACCOUNT, subject)
        raise RateLimited(
            N_("Too many failed sign-ins for this account. Try again in 15 minutes."),
            retry_after=_seconds_until(started + window, now),
        )
    if ip is None:
        return
    interval = timedelta(seconds=settings.signin_address_interval_seconds)
    if not _take(
        uow,
        ADDRESS,
        ip,
        now=now,
        window=window,
        limit=settings.signin_address_max_failures,
        next_attempt_at=now + interval,
    ):
        _, next_attempt_at = _read(uow, ADDRESS, ip)
        raise RateLimited(
            N_("Many failed sign-ins came from this address. Wait a few seconds and retry."),
            retry_after=_seconds_until(next_attempt_at or now + interval, now),
        )


def give_back(uow: UnitOfWork, *, subject: str, ip: str | None) -> None:
    """The password was right: the attempt does not count against the account or the address."""
    uow.session.execute(_GIVE_BACK, {"b_scope": ACCOUNT, "b_key": subject})
    if ip is not None:
        uow.session.execute(_GIVE_BACK, {"b_scope": ADDRESS, "b_key": ip})


def _take(
    uow: UnitOfWork,
    scope: str,
    key: str,
    *,
    now: datetime,
    window: timedelta,
    limit: int,
    next_attempt_at: datetime | None = None,
) -> bool:
    session = uow.session
    session.execute(
        upsert_insert(session, _T)
        .values(scope=scope, key=key, window_started_at=now, attempts=0)
        .on_conflict_do_nothing()
    )
    taken = session.execute(
        _TAKE,
        {
            "b_scope": scope,
            "b_key": key,
            "since": now - window,
            "limit": limit,
            "now": now,
            "b_next": next_attempt_at,
        },
    ).first()
    return taken is not None


def _read(uow: UnitOfWork, scope: str, key: str) -> tuple[datetime, datetime | None]:
    row = uow.session.execute(_READ, {"b_scope": scope, "b_key": key}).one()
    return row.window_started_at, row.next_attempt_at


def _seconds_until(when: datetime, now: datetime) -> int:
    return max(1, math.ceil((when - now).total_seconds()))
