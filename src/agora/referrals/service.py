"""Referral reward use cases: decide a reward at the referee's first completed order, release a
withheld one (operators), list rewards (operators) and the friends a shopper brought.

Who brought whom, and the browsers and addresses behind it, are sharing's facts
(``sharing.referral_facts``); the points are ``points.grant``'s, idempotent by the key
``referral:{referee}``, so a reward can never be paid twice whatever path asks for it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, Table, func, select, update
from sqlalchemy.orm import Session, aliased

from agora import points
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User, require_operator
from agora.referrals import domain
from agora.referrals.errors import RewardNotFound, RewardNotWithheld
from agora.referrals.models import ReferralReward
from agora.sharing import referral_facts as facts

_rewards: Table = ReferralReward.__table__  # type: ignore[assignment]
MAX_PAGE = 100
REWARD_GRANTED = "referrals.reward_granted"
# A reward with the names of its referrer, referee and deciding operator (NULL if none).
_OperatorQuery = Select[ReferralReward, str, str, str]


@dataclass(frozen=True, slots=True)
class RewardView:
    """A reward as operators see it: who brought whom, with which order, and what was decided."""

    id: uuid.UUID
    referrer_id: uuid.UUID
    referrer_name: str
    referee_id: uuid.UUID
    referee_name: str
    share_id: uuid.UUID
    order_id: uuid.UUID
    points: int
    status: str
    reasons: tuple[str, ...]
    created_at: datetime
    decided_at: datetime | None
    decided_by: uuid.UUID | None
    decided_by_name: str | None


@dataclass(frozen=True, slots=True)
class MyReferral:
    """A friend who signed up through one of my shares, and what it has earned me so far.
    Their orders are theirs: the referrer learns only whether the reward came."""

    referee_id: uuid.UUID
    referee_name: str
    share_code: str
    channel: str
    signed_up_at: datetime
    status: str
    """``waiting``, ``rewarded`` or ``under_review`` (see ``domain.shopper_status``)."""
    points: int
    """Points received for this friend (0 unless rewarded)."""
    rewarded_at: datetime | None
    cursor: uuid.UUID


@dataclass(frozen=True, slots=True)
class ReferralSummary:
    friends: int
    rewarded: int
    under_review: int
    points: int


# --- deciding ---------------------------------------------------------------------------------


def _signals(session: Session, referral: facts.SignupReferral) -> list[str]:
    settings = get_settings()
    referee = facts.browsers_of(session, referral.user_id)
    referrer = facts.browsers_of(session, referral.sharer_id)
    # A cluster is sign-ups credited within one attribution window either side of this one:
    # the span in which one click could have brought them all.
    window = timedelta(days=settings.share_signup_window_days)
    since, until = referral.occurred_at - window, referral.occurred_at + window
    # Any browser of the referee's counts (a browser is one person's device), but only the
    # address of the sign-up click: offices, campuses and mobile carriers put many people
    # behind one address, and every later click would add another chance of a false match.
    return domain.fraud_reasons(
        referee_browsers=referee.visitor_ids | {v for v in [referral.visitor_id] if v},
        referee_addresses={h for h in [referral.ip_hash] if h},
        referrer_browsers=referrer.visitor_ids,
        referrer_addresses=referrer.ip_hashes,
        browser_signups=(
            facts.signups_from_browser(session, referral.visitor_id, since=since, until=until)
            if referral.visitor_id
            else 0
        ),
        address_signups=(
            facts.signups_from_address(session, referral.ip_hash, since=since, until=until)
            if referral.ip_hash
            else 0
        ),
        cluster_size=settings.referral_cluster_signups,
    )


def _pay(uow: UnitOfWork, reward: Row[Any]) -> None:
    """Grant a reward's points (idempotent by the referee's key) and tell the referrer."""
    if reward.points > 0:
        points.grant(
            uow,
            user_id=reward.referrer_id,
            amount=reward.points,
            key=domain.POINTS_KEY.format(referee_id=reward.referee_id),
            reason=domain.POINTS_REASON,
        )
    uow.emit(
        REWARD_GRANTED,
        {
            "reward_id": str(reward.id),
            "referrer_id": str(reward.referrer_id),
            "referee_id": str(reward.referee_id),
            "points": reward.points,
        },
        topics=[f"user:{reward.referrer_id}"],
    )


def reward_first_order(uow: UnitOfWork, *, buyer_id: uuid.UUID, order_id: uuid.UUID) -> bool:
    """A buyer's order completed: if a share brought the buyer and no reward was decided for
    them yet, decide it now — granted at once, or withheld with its fraud signals. ``True`` if
    a reward was decided by this call (``False``: not referred, or decided before).

    The unique referee makes this happen once however many orders complete, in whatever order
    their events arrive, on however many workers.
    """
    with uow:
        session = uow.session
        decided = session.scalar(
            select(ReferralReward.id).where(ReferralReward.referee_id == buyer_id)
        )
        if decided is not None:
            return False
        referral = facts.referral_of(session, buyer_id)
        if referral is None:
            return False
        reasons = _signals(session, referral)
        now = utcnow()
        status = domain.WITHHELD if reasons else domain.GRANTED
        reward_id = new_id()
        inserted = session.execute(
            upsert_insert(session, _rewards)
            .values(
                id=reward_id,
                referee_id=buyer_id,
                referrer_id=referral.sharer_id,
                share_id=referral.share_id,
                order_id=order_id,
                points=get_settings().referral_reward_points,
                status=status,
                reasons=reasons,
                created_at=now,
                decided_at=None if reasons else now,
                decided_by=None,
            )
            .on_conflict_do_nothing(index_elements=["referee_id"])
            .returning(*_rewards.c)
        ).first()
        if inserted is None:
            return False
        if status == domain.GRANTED:
            _pay(uow, inserted)
        return True


def release_reward(uow: UnitOfWork, *, actor: Principal, reward_id: uuid.UUID) -> RewardView:
    """An operator releases a withheld reward: its points are granted, and the operator and the
    time are recorded. One guarded update, so of two releases racing only one pays.

    Raises Forbidden (not an operator), RewardNotFound, RewardNotWithheld (already decided).
    """
    require_operator(actor)
    with uow:
        session = uow.session
        released = session.execute(
            update(_rewards)
            .where(_rewards.c.id == reward_id, _rewards.c.status == domain.WITHHELD)
            .values(status=domain.RELEASED, decided_at=utcnow(), decided_by=actor.user_id)
            .returning(*_rewards.c)
        ).first()
        if released is None:
            if session.get(ReferralReward, reward_id) is None:
                raise RewardNotFound()
            raise RewardNotWithheld()
        _pay(uow, released)
        [view] = _views(session, _operator_query().where(ReferralReward.id == reward_id))
        return view


# --- reading ----------------------------------------------------------------------------------


def _operator_query() -> _OperatorQuery:
    referrer, referee, operator = aliased(User), aliased(User), aliased(User)
    return (
        select(
            ReferralReward,
            referrer.display_name,
            referee.display_name,
            operator.display_name,
        )
        .join(referrer, referrer.id == ReferralReward.referrer_id)
        .join(referee, referee.id == ReferralReward.referee_id)
        .outerjoin(operator, operator.id == ReferralReward.decided_by)
    )


def _views(session: Session, query: _OperatorQuery) -> list[RewardView]:
    return [
        RewardView(
            id=row.id,
            referrer_id=row.referrer_id,
            referrer_name=referrer_name,
            referee_id=row.referee_id,
            referee_name=referee_name,
            share_id=row.share_id,
            order_id=row.order_id,
            points=row.points,
            status=row.status,
            reasons=tuple(row.reasons or ()),
            created_at=row.created_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            decided_by_name=operator_name,
        )
        for row, referrer_name, referee_name, operator_name in session.execute(
            query.execution_options(populate_existing=True)
        ).all()
    ]


def list_rewards(
    uow: UnitOfWork,
    *,
    actor: Principal,
    status: str | None = None,
    before: uuid.UUID | None = None,
    limit: int = 50,
) -> list[RewardView]:
    """Rewards newest first, of one status or all; ``before`` is the id of the last reward of
    the previous page. Operators only (Forbidden otherwise); an unknown status is refused."""
    require_operator(actor)
    if status is not None and status not in domain.STATUSES:
        raise InvalidInput(
            N_("Choose granted, withheld or released."),
            errors=[{"field": "status", "message": "unknown status"}],
        )
    query = _operator_query()
    if status is not None:
        query = query.where(ReferralReward.status == status)
    if before is not None:
        query = query.where(ReferralReward.id < before)
    query = query.order_by(ReferralReward.id.desc()).limit(max(1, min(limit, MAX_PAGE)))
    with uow.read() as session:
        return _views(session, query)


def withheld_count(uow: UnitOfWork, *, actor: Principal) -> int:
    """How many rewards wait for an operator's decision. Operators only."""
    require_operator(actor)
    with uow.read() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ReferralReward)
                .where(ReferralReward.status == domain.WITHHELD)
            )
            or 0
        )


def my_referrals(
    uow: UnitOfWork, *, actor: Principal, before: uuid.UUID | None = None, limit: int = 20
) -> list[MyReferral]:
    """The friends who signed up through the actor's shares, newest first, each with whether
    it rewarded the actor yet. ``before`` is the ``cursor`` of the last one of the previous
    page."""
    with uow.read() as session:
        referrals = facts.referrals_by(
            session, actor.user_id, before=before, limit=max(1, min(limit, MAX_PAGE))
        )
        ids = [r.user_id for r in referrals]
        names = {
            user_id: name
            for user_id, name in session.execute(
                select(User.id, User.display_name).where(User.id.in_(ids))
            )
        }
        rewards = {
            row.referee_id: row
            for row in session.scalars(
                select(ReferralReward).where(
                    ReferralReward.referee_id.in_(ids),
                    ReferralReward.referrer_id == actor.user_id,
                )
            )
        }
    out = []
    for referral in referrals:
        reward = rewards.get(referral.user_id)
        status = domain.shopper_status(reward.status if reward else None)
        out.append(
            MyReferral(
                referee_id=referral.user_id,
                referee_name=names.get(referral.user_id, ""),
                share_code=referral.share_code,
                channel=referral.channel,
                signed_up_at=referral.occurred_at,
                status=status,
                points=reward.points if reward and status == domain.REWARDED else 0,
                rewarded_at=reward.decided_at if reward and status == domain.REWARDED else None,
                cursor=referral.attribution_id,
            )
        )
    return out


def my_summary(uow: UnitOfWork, *, actor: Principal) -> ReferralSummary:
    """How many friends the actor brought, how many rewarded them, and the points earned."""
    with uow.read() as session:
        friends = facts.referral_count(session, actor.user_id)
        by_status = {
            status: (int(n), int(total or 0))
            for status, n, total in session.execute(
                select(ReferralReward.status, func.count(), func.sum(ReferralReward.points))
                .where(ReferralReward.referrer_id == actor.user_id)
                .group_by(ReferralReward.status)
            ).all()
        }
    rewarded = [by_status.get(s, (0, 0)) for s in (domain.GRANTED, domain.RELEASED)]
    return ReferralSummary(
        friends=friends,
        rewarded=sum(n for n, _ in rewarded),
        under_review=by_status.get(domain.WITHHELD, (0, 0))[0],
        points=sum(total for _, total in rewarded),
    )
