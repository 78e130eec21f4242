"""Friends and moments pages, and the follow button on a store's page. They call the same social
use cases as the API; every form posts with the CSRF token and lands back with a message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import catalog, ordering, recommendations, social
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow, get_uow, optional_actor
from agora.identity import Principal
from agora.web.render import check_csrf, env, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
LongText = Annotated[str, Form(max_length=1200)]
FEED_PAGE = 10
PICKS = 12


def store_follow(request: Request, store_id: uuid.UUID) -> dict[str, Any]:
    """For the store page's follow button: the follower count and whether I follow."""
    uow = get_uow(request)
    actor = optional_actor(request)
    return {
        "followers": social.follower_count(uow, store_id),
        "following": social.is_following(uow, actor=actor, store_id=store_id) if actor else False,
    }


env.globals.update(store_follow=store_follow)


def _message(error: AgoraError) -> str:
    return _(error.detail or error.title)


def _act(
    request: Request, csrf_token: str, back: str, action: Callable[[], str | None]
) -> Response:
    """Check the form's token, run ``action`` and go ``back`` with its message (or the error)."""
    check_csrf(request, csrf_token)
    try:
        done = action()
    except AgoraError as error:
        return redirect(request, back, flash=_message(error), kind="error")
    return redirect(request, back, flash=done)


# --- friends ----------------------------------------------------------------------------------


@router.get("/friends")
def friends_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    find: Annotated[str, Query(max_length=254)] = "",
) -> Response:
    found = social.find_people(uow, actor=actor, query=find) if find.strip() else None
    return render(
        request,
        "social/friends.html",
        friends=social.list_friends(uow, actor=actor),
        incoming=social.list_requests(uow, actor=actor, direction="incoming"),
        outgoing=social.list_requests(uow, actor=actor, direction="outgoing"),
        blocks=social.list_blocks(uow, actor=actor),
        stores=social.followed_stores(uow, actor=actor),
        find=find,
        found=found,
    )


def _user_id(raw: str) -> uuid.UUID:
    user_id = parse_id(raw)
    if user_id is None:
        raise social.UserNotFound()
    return user_id


@router.post("/friends/requests")
def send_request(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    to_user_id: Text = "",
    message: Text = "",
) -> Response:
    def action() -> str:
        sent = social.send_request(
            uow, actor=actor, to_user_id=_user_id(to_user_id), message=message
        )
        if sent.status == "accepted":
            return _("You and {name} are now friends.").format(name=sent.from_name)
        return _("Friend request sent to {name}.").format(name=sent.to_name)

    return _act(request, csrf_token, "/friends", action)


@router.post("/friends/requests/{request_id}/{verb}")
def answer_request(
    request_id: uuid.UUID,
    verb: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    def action() -> str:
        if verb == "accept":
            done = social.accept_request(uow, actor=actor, request_id=request_id)
            return _("You and {name} are now friends.").format(name=done.from_name)
        if verb == "decline":
            social.decline_request(uow, actor=actor, request_id=request_id)
            return _("Request declined.")
        if verb == "cancel":
            social.cancel_request(uow, actor=actor, request_id=request_id)
            return _("Request withdrawn.")
        raise social.FriendRequestNotFound()

    return _act(request, csrf_token, "/friends", action)


@router.post("/friends/{user_id}/{verb}")
def person_action(
    user_id: uuid.UUID,
    verb: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    def action() -> str:
        if verb == "remove":
            social.remove_friend(uow, actor=actor, friend_id=user_id)
            return _("Removed from your friends.")
        if verb == "block":
            social.block_user(uow, actor=actor, user_id=user_id)
            return _("Blocked. They can no longer find you, message you or see your moments.")
        if verb == "unblock":
            social.unblock_user(uow, actor=actor, user_id=user_id)
            return _("Unblocked.")
        raise social.UserNotFound()

    return _act(request, csrf_token, "/friends", action)


# --- store follows ----------------------------------------------------------------------------


@router.post("/store/{store_id}/{verb}")
def follow_action(
    store_id: uuid.UUID,
    verb: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    next: Text = "",
) -> Response:
    back = safe_next(next, f"/store/{store_id}")

    def action() -> str:
        if verb == "follow":
            social.follow_store(uow, actor=actor, store_id=store_id)
            return _("You follow this store.")
        if verb == "unfollow":
            social.unfollow_store(uow, actor=actor, store_id=store_id)
            return _("You no longer follow this store.")
        raise catalog.StoreNotFound()

    return _act(request, csrf_token, back, action)


# --- moments ----------------------------------------------------------------------------------


def _picks(
    uow: UnitOfWork, actor: Principal, find: str, chosen: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Products to attach: any asked for by id, then search results or my recent purchases."""
    picks: dict[uuid.UUID, dict[str, Any]] = {}
    for product_id in chosen:
        try:
            detail = catalog.product_detail(uow, product_id)
        except AgoraError:
            continue
        p = detail.product
        picks[p.id] = {
            "id": p.id,
            "title_en": p.title_en,
            "title_zh": p.title_zh,
            "image_url": p.image_url,
            "price": p.min_price,
            "checked": True,
        }
    if find.strip():
        try:
            found = catalog.search_products(uow, catalog.SearchParams(q=find, limit=PICKS)).items
        except AgoraError:
            found = []
        for card in found:
            picks.setdefault(
                card.id,
                {
                    "id": card.id,
                    "title_en": card.title_en,
                    "title_zh": card.title_zh,
                    "image_url": card.image_url,
                    "price": card.min_price,
                    "checked": False,
                },
            )
    else:
        for order in ordering.list_orders(uow, actor=actor, limit=10).items:
            for line in order.lines:
                picks.setdefault(
                    line.product_id,
                    {
                        "id": line.product_id,
                        "title_en": line.title_en,
                        "title_zh": line.title_zh,
                        "image_url": line.image_url,
                        "price": line.unit_price,
                        "checked": False,
                    },
                )
    return list(picks.values())[: PICKS + len(chosen)]


def _moments_page(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    *,
    cursor: str | None = None,
    find: str = "",
    chosen: list[uuid.UUID] | None = None,
    text: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        page = social.feed(uow, actor=actor, cursor=cursor, limit=FEED_PAGE)
    except AgoraError:
        page = social.feed(uow, actor=actor, limit=FEED_PAGE)
    return render(
        request,
        "social/moments.html",
        status_code,
        page=page,
        more_url=f"/moments?cursor={page.next_cursor}#feed" if page.next_cursor else None,
        picks=_picks(uow, actor, find, chosen or []),
        find=find,
        text=text,
        error=error,
        cursor=cursor,
    )


@router.get("/moments")
def moments_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    find: Annotated[str, Query(max_length=100)] = "",
    product: Annotated[list[str] | None, Query(max_length=9)] = None,
) -> Response:
    chosen = [pid for pid in (parse_id(raw) for raw in product or []) if pid is not None]
    return _moments_page(request, uow, actor, cursor=cursor, find=find, chosen=chosen)


@router.post("/moments")
def post_moment(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: LongText = "",
    product_ids: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    check_csrf(request, csrf_token)
    chosen = [pid for pid in (parse_id(raw) for raw in product_ids or []) if pid is not None]
    try:
        social.post_moment(uow, actor=actor, text=text, product_ids=chosen)
    except AgoraError as error:
        message = _message(error)
        if error.detail is None and error.extra.get("errors"):
            message = _("Write something (up to 1,000 characters) or pick up to nine products.")
        return _moments_page(
            request,
            uow,
            actor,
            chosen=chosen,
            text=text,
            error=message,
            status_code=error.status,
        )
    return redirect(request, "/moments", flash=_("Posted to your friends."))


@router.get("/moments/{moment_id}")
def moment_page(moment_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    moment = social.get_moment(uow, actor=actor, moment_id=moment_id)
    return render(request, "social/moment.html", moment=moment)


@router.post("/moments/{moment_id}/{verb}")
def moment_action(
    moment_id: uuid.UUID,
    verb: str,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    next: Text = "",
) -> Response:
    back = safe_next(next, "/moments")

    def action() -> str | None:
        if verb == "like":
            moment = social.like_moment(uow, actor=actor, moment_id=moment_id)
            for card in moment.cards:  # liking a post that shows products likes the products
                recommendations.record_event(
                    actor.user_id, recommendations.LIKE, product_id=card.id
                )
            return None
        if verb == "unlike":
            social.unlike_moment(uow, actor=actor, moment_id=moment_id)
            return None
        if verb == "comment":
            social.comment_on(uow, actor=actor, moment_id=moment_id, text=text)
            return None
        if verb == "delete":
            social.delete_moment(uow, actor=actor, moment_id=moment_id)
            return _("Moment deleted.")
        raise social.MomentNotFound()

    return _act(request, csrf_token, back, action)


@router.post("/moments/{moment_id}/comments/{comment_id}/delete")
def delete_comment(
    moment_id: uuid.UUID,
    comment_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    next: Text = "",
) -> Response:
    def action() -> str:
        social.delete_comment(uow, actor=actor, moment_id=moment_id, comment_id=comment_id)
        return _("Comment deleted.")

    return _act(request, csrf_token, safe_next(next, "/moments"), action)
