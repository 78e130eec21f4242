"""Referral endpoints: the friends I brought and my rewards; the operators' list of rewards and
the release of a withheld one."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from agora import referrals
from agora.http.deps import Actor, Uow
from agora.http.idempotency import IdempotencyKeyHeader, respond_idempotently
from agora.http.routing import Router
from agora.referrals.schemas import (
    MyReferralOut,
    MyReferralsOut,
    PersonOut,
    RewardOut,
    RewardsOut,
)

router = Router(prefix="/api/v1", tags=["referrals"])
Status = Literal["granted", "withheld", "released"]


def reward_out(view: referrals.RewardView) -> RewardOut:
    return RewardOut(
        id=view.id,
        referrer=PersonOut(id=view.referrer_id, display_name=view.referrer_name),
        referee=PersonOut(id=view.referee_id, display_name=view.referee_name),
        share_id=view.share_id,
        order_id=view.order_id,
        points=view.points,
        status=view.status,
        reasons=list(view.reasons),
        created_at=view.created_at,
        decided_at=view.decided_at,
        decided_by=(
            PersonOut(id=view.decided_by, display_name=view.decided_by_name or "")
            if view.decided_by is not None
            else None
        ),
    )


@router.get("/referrals/mine", response_model=MyReferralsOut)
def my_referrals(
    actor: Actor,
    uow: Uow,
    before: Annotated[uuid.UUID | None, Query(description="Cursor: `next_before`.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MyReferralsOut:
    """The people who signed up through my shares, newest first: whether each has rewarded me
    yet (after their first completed order), with totals."""
    rows = referrals.my_referrals(uow, actor=actor, before=before, limit=limit + 1)
    page = rows[:limit]
    summary = referrals.my_summary(uow, actor=actor)
    return MyReferralsOut(
        items=[
            MyReferralOut(
                referee=PersonOut(id=r.referee_id, display_name=r.referee_name),
                share_code=r.share_code,
                channel=r.channel,
                signed_up_at=r.signed_up_at,
                status=r.status,
                points=r.points,
                rewarded_at=r.rewarded_at,
            )
            for r in page
        ],
        next_before=page[-1].cursor if len(rows) > limit else None,
        friends=summary.friends,
        rewarded=summary.rewarded,
        under_review=summary.under_review,
        points=summary.points,
    )


@router.get("/operator/referrals", response_model=RewardsOut)
def operator_rewards(
    actor: Actor,
    uow: Uow,
    status: Status | None = None,
    before: Annotated[uuid.UUID | None, Query(description="Cursor: a reward id.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> RewardsOut:
    """Referral rewards newest first, of one status or all, with the fraud signals of the
    withheld ones. Operators only."""
    rows = referrals.list_rewards(uow, actor=actor, status=status, before=before, limit=limit + 1)
    page = rows[:limit]
    return RewardsOut(
        items=[reward_out(view) for view in page],
        next_before=page[-1].id if len(rows) > limit else None,
    )


@router.post("/operator/referrals/{reward_id}/release", response_model=RewardOut)
def release_reward(
    reward_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Release a withheld reward: the referrer gets its points, and the decision is recorded
    with the operator. Once only: a reward already granted or released answers 409
    ``referral_reward_not_withheld``. Operators only."""
    return respond_idempotently(
        request,
        uow,
        actor=actor,
        key=idempotency_key,
        body=None,
        action=lambda: (
            200,
            reward_out(referrals.release_reward(uow, actor=actor, reward_id=reward_id)),
        ),
    )
