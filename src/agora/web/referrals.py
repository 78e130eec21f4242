"""Referral pages: "Invite friends" (the friends my shares brought and the points they earned me)
and the operators' list of rewards, where a withheld one is released."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import identity, ordering, referrals
from agora.config import get_settings
from agora.core.errors import N_
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.http.deps import Actor, Uow
from agora.web.forms import run_once
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, redirect, render
from agora.web.sharing import CHANNEL_LABELS

router = APIRouter(include_in_schema=False)
PATH = "/operator/referrals"
Text = Annotated[str, Form(max_length=100)]
PAGE = 20
OPERATOR_PAGE = 50

REASON_LABELS = {
    referrals.SELF_REFERRAL: N_("Self-referral: the same browser or address as the sharer"),
    referrals.DEVICE_CLUSTER: N_("Several sign-ups from one browser"),
    referrals.IP_CLUSTER: N_("Several sign-ups from one address"),
}
STATUS_LABELS = {
    referrals.GRANTED: N_("Granted"),
    referrals.WITHHELD: N_("Withheld"),
    referrals.RELEASED: N_("Released"),
}
MY_STATUS_LABELS = {
    referrals.WAITING: N_("Waiting for a first order"),
    referrals.REWARDED: N_("Rewarded"),
    referrals.UNDER_REVIEW: N_("Under review"),
}
STATUS_TONES = {
    referrals.GRANTED: "green",
    referrals.RELEASED: "blue",
    referrals.WITHHELD: "amber",
    referrals.REWARDED: "green",
    referrals.UNDER_REVIEW: "amber",
    referrals.WAITING: "grey",
}


@router.get("/referrals")
def invite_friends(
    request: Request,
    actor: Actor,
    uow: Uow,
    before: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    rows = referrals.my_referrals(uow, actor=actor, before=parse_id(before), limit=PAGE + 1)
    page = rows[:PAGE]
    return render(
        request,
        "referrals/mine.html",
        friends=page,
        summary=referrals.my_summary(uow, actor=actor),
        reward_points=get_settings().referral_reward_points,
        channel_labels={key: _(label) for key, label in CHANNEL_LABELS.items()},
        status_labels={key: _(label) for key, label in MY_STATUS_LABELS.items()},
        tones=STATUS_TONES,
        next_url=f"/referrals?before={page[-1].cursor}" if len(rows) > PAGE else None,
    )


@router.get(PATH)
def operator_rewards(
    request: Request,
    actor: Actor,
    uow: Uow,
    status: Annotated[str, Query(max_length=10)] = "",
    before: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    identity.require_operator(actor)
    chosen = status if status in referrals.STATUSES else None
    rows = referrals.list_rewards(
        uow, actor=actor, status=chosen, before=parse_id(before), limit=OPERATOR_PAGE + 1
    )
    page = rows[:OPERATOR_PAGE]
    query = f"status={chosen}&" if chosen else ""
    return render(
        request,
        "referrals/operator.html",
        console_nav=operator_nav("referrals"),
        rewards=page,
        order_numbers=ordering.order_numbers(
            uow, actor=actor, order_ids=[r.order_id for r in page]
        ),
        status=chosen,
        withheld=referrals.withheld_count(uow, actor=actor),
        statuses=referrals.STATUSES,
        status_labels={key: _(label) for key, label in STATUS_LABELS.items()},
        reason_labels={key: _(label) for key, label in REASON_LABELS.items()},
        tones=STATUS_TONES,
        next_url=f"{PATH}?{query}before={page[-1].id}" if len(rows) > OPERATOR_PAGE else None,
    )


@router.post(PATH + "/{reward_id}/release")
def release(
    reward_id: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    form_key: Text = "",
) -> Response:
    """Release a withheld reward. A double click replays the first release (the form's key);
    a reward someone else decided already comes back with an error message."""
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    chosen = parse_id(reward_id)
    back = f"{PATH}?status={referrals.WITHHELD}"
    try:
        if chosen is None:
            raise referrals.RewardNotFound()
        body = run_once(
            request,
            uow,
            actor,
            form_key,
            reward_id,
            lambda: {
                "name": referrals.release_reward(uow, actor=actor, reward_id=chosen).referrer_name
            },
        )
    except (referrals.RewardNotFound, referrals.RewardNotWithheld) as error:
        return redirect(request, back, flash=_(error.detail or error.title), kind="error")
    return redirect(
        request,
        back,
        flash=_("Released: {name} receives the points.").format(name=body["name"]),
    )
