"""Share pages: the link ``/s/{code}`` (records the visit, then on to the target), the share
panel's forms on the product page, my shares, and the operators' share report with its chart.

The product page renders the panel from ``share_options(request)`` (a template global set
here), so the shop's product route needs to know nothing of friends or groups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from agora import chat, identity, recommendations, sharing, social
from agora.core.errors import N_, AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, MaybeActor, Uow, client_of, get_runtime, get_uow, optional_actor
from agora.sharing import domain
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, env, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1000)]

CHANNEL_LABELS = {
    domain.CHAT_DIRECT: N_("Chat (1:1)"),
    domain.CHAT_GROUP: N_("Group chat"),
    domain.MOMENTS: N_("Moments"),
    domain.PARTNER: N_("Partner entrance"),
    domain.EXTERNAL: N_("External link"),
}
PERIODS = (7, 30, 90)
# The chart: one panel per figure, one bar per channel; sizes in SVG user units (px).
LABEL_WIDTH, BAR_WIDTH, ROW_HEIGHT = 128, 200, 30


@dataclass(frozen=True, slots=True)
class ShareOptions:
    friends: list[social.PersonView]
    groups: list[tuple[uuid.UUID, str]]


def share_options(request: Request) -> ShareOptions | None:
    """Whom the signed-in shopper can share with (``None`` when signed out)."""
    actor = optional_actor(request)
    if actor is None:
        return None
    uow = get_uow(request)
    groups = [
        (c.id, c.name_for(actor.user_id))
        for c in chat.list_conversations(uow, actor=actor)
        if c.kind == "group"
    ]
    return ShareOptions(social.list_friends(uow, actor=actor), groups)


env.globals["share_options"] = share_options


@router.api_route("/s/{code}", methods=["GET", "HEAD"])
def visit(code: str, request: Request, uow: Uow, actor: MaybeActor) -> Response:
    """Count the visit (people only: not HEAD, prefetch or link-preview bots), remember the
    browser in a year-long cookie, and go on to what was shared. Unknown code: the 404 page."""
    settings = get_runtime(request).settings
    cookie = domain.clean_visitor_id(request.cookies.get(domain.VISITOR_COOKIE))
    visitor = cookie or domain.new_visitor_id()
    if request.method == "HEAD" or domain.is_automated(request.headers):
        target = sharing.landing_of(uow, code=code)
    else:
        target = sharing.record_visit(
            uow,
            code=code,
            visitor_id=visitor,
            user_id=actor.user_id if actor else None,
            ip_hash=domain.hash_address(client_of(request).ip, secret=settings.secret_key),
        )
    response = RedirectResponse(target, status_code=303)
    if cookie is None:
        response.set_cookie(
            domain.VISITOR_COOKIE,
            visitor,
            max_age=domain.VISITOR_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )
    return response


def _chosen(raw: str, message: str, field: str) -> uuid.UUID:
    chosen = parse_id(raw)
    if chosen is None:
        raise InvalidInput(message, errors=[{"field": field, "message": "required"}])
    return chosen


@router.post("/p/{product_id}/share")
def share_product(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    to: Text = "",
    friend_id: Text = "",
    conversation_id: Text = "",
    text: Text = "",
) -> Response:
    """The product page's share panel."""
    check_csrf(request, csrf_token)
    form = _ShareForm(to, friend_id, conversation_id, text)
    return _share(request, actor, uow, sharing.PRODUCT, product_id, form, back=f"/p/{product_id}")


@router.post("/share/{target_type}/{target_id}")
def share_target(
    target_type: str,
    target_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    to: Text = "",
    friend_id: Text = "",
    conversation_id: Text = "",
    text: Text = "",
) -> Response:
    """The share panel of any other share target (a team, a bargain); back to its page."""
    check_csrf(request, csrf_token)
    if target_type not in sharing.target_types():
        raise sharing.TargetNotFound()
    back = sharing.target_of(target_type).page_url(target_id)
    form = _ShareForm(to, friend_id, conversation_id, text)
    return _share(request, actor, uow, target_type, target_id, form, back=back)


@dataclass(frozen=True, slots=True)
class _ShareForm:
    to: str
    friend_id: str
    conversation_id: str
    text: str


def _share(
    request: Request,
    actor: identity.Principal,
    uow: UnitOfWork,
    target_type: str,
    target_id: uuid.UUID,
    form: _ShareForm,
    *,
    back: str,
) -> Response:
    """To a friend or a group (then into that chat), to moments, or a link; errors go back to
    the target's page as a message."""

    def shared_product() -> None:
        if target_type == sharing.PRODUCT:
            recommendations.record_event(actor.user_id, recommendations.SHARE, product_id=target_id)

    def share(channel: str, conversation: uuid.UUID | None = None) -> sharing.Shared:
        shared = sharing.share_to(
            uow,
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            channel=channel,
            conversation_id=conversation,
            text=form.text,
        )
        shared_product()
        return shared

    try:
        if form.to == "friend":
            friend = _chosen(form.friend_id, _("Choose a friend to share with."), "friend_id")
            shared = sharing.share_with_friend(
                uow,
                actor=actor,
                friend_id=friend,
                target_type=target_type,
                target_id=target_id,
                text=form.text,
            )
            shared_product()
            return redirect(
                request, f"/chat/{shared.share.conversation_id}", flash=_("Shared in the chat.")
            )
        if form.to == "group":
            group = _chosen(
                form.conversation_id, _("Choose a group to share with."), "conversation_id"
            )
            share(domain.CHAT_GROUP, group)
            return redirect(request, f"/chat/{group}", flash=_("Shared in the group."))
        if form.to == "moments":
            share(domain.MOMENTS)
            return redirect(request, "/moments", flash=_("Shared to your moments."))
        if form.to == "link":
            code = share(domain.EXTERNAL).share.code
            return redirect(
                request,
                f"/shares?new={code}",
                flash=_("Your link is ready: copy it and send it anywhere."),
            )
        raise InvalidInput(_("Choose where to share."))
    except AgoraError as error:
        return redirect(request, back, flash=_(error.detail or error.title), kind="error")


@router.get("/shares")
def my_shares(
    request: Request,
    actor: Actor,
    uow: Uow,
    new: Annotated[str, Query(max_length=16)] = "",
    before: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    rows = sharing.list_my_shares(uow, actor=actor, before=parse_id(before), limit=21)
    page = rows[:20]
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "sharing/mine.html",
        shares=page,
        new_code=new,
        base_url=base,
        target_url=_target_url,
        channel_labels={key: _(label) for key, label in CHANNEL_LABELS.items()},
        next_url=f"/shares?before={page[-1].share.id}" if len(rows) > 20 else None,
    )


def _target_url(share: sharing.ShareView) -> str:
    """Where a share leads (a product, a team, a bargain), without counting a visit."""
    return sharing.target_of(share.target_type).page_url(share.target_id)


def _chart(report: sharing.ShareReport) -> list[dict[str, Any]]:
    """One panel per figure (new users, orders, GMV): a bar per channel, scaled to the panel's
    largest value, with its value written after the bar."""
    figures = (
        ("new_users", _("New users"), _("people"), str),
        ("orders", _("Orders"), _("orders"), str),
        ("gmv", _("GMV"), _("CNY") if report.currency == "CNY" else report.currency, format_amount),
    )
    panels = []
    for key, title, unit, fmt in figures:
        values = {row.key: int(getattr(row, key)) for row in report.channels}
        lengths = domain.bar_lengths(values, full=BAR_WIDTH)
        panels.append(
            {
                "key": key,
                "title": title,
                "unit": unit,
                "height": ROW_HEIGHT * len(values) + 24,
                "bars": [
                    {
                        "label": _(CHANNEL_LABELS.get(channel, channel)),
                        "channel": channel,
                        "value": value,
                        "text": fmt(value),
                        "width": lengths[channel],
                        "y": index * ROW_HEIGHT,
                    }
                    for index, (channel, value) in enumerate(values.items())
                ],
            }
        )
    return panels


@router.get("/operator/shares")
def share_report(
    request: Request, actor: Actor, uow: Uow, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    identity.require_operator(actor)
    report = sharing.share_report(uow, actor=actor, days=days)
    return render(
        request,
        "sharing/report.html",
        console_nav=operator_nav("shares"),
        report=report,
        chart=_chart(report),
        periods=PERIODS,
        channel_labels={key: _(label) for key, label in CHANNEL_LABELS.items()},
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
    )
