"""Social endpoints: friends, friend requests, blocks, people search, store follows, moments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, Response, status
from pydantic import BaseModel

from agora import recommendations, social
from agora.catalog.schemas import MoneyOut
from agora.http.deps import Actor, Uow
from agora.http.routing import Router
from agora.social.schemas import CommentIn, FriendRequestIn, MomentIn

router = Router(prefix="/api/v1", tags=["social"])


class PersonOut(BaseModel):
    user_id: uuid.UUID
    display_name: str
    since: datetime | None
    relation: str


class FriendRequestOut(BaseModel):
    id: uuid.UUID
    from_id: uuid.UUID
    from_name: str
    to_id: uuid.UUID
    to_name: str
    message: str
    status: str
    created_at: datetime
    decided_at: datetime | None


class FollowedStoreOut(BaseModel):
    store_id: uuid.UUID
    name_en: str
    name_zh: str | None
    since: datetime


class StoreFollowersOut(BaseModel):
    store_id: uuid.UUID
    followers: int
    following: bool


class CardOut(BaseModel):
    id: uuid.UUID
    title_en: str
    title_zh: str | None
    price: MoneyOut
    image_url: str
    url: str


class CommentOut(BaseModel):
    id: uuid.UUID
    moment_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    created_at: datetime


class MomentOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    cards: list[CardOut]
    share_code: str | None
    created_at: datetime
    like_count: int
    liked_by_me: bool
    last_likers: list[str]
    comment_count: int
    comments: list[CommentOut]


class FeedOut(BaseModel):
    items: list[MomentOut]
    next_cursor: str | None
    """Pass as ``cursor`` for the next (older) page; ``null`` on the last page."""


def person_out(p: social.PersonView) -> PersonOut:
    return PersonOut(
        user_id=p.user_id, display_name=p.display_name, since=p.since, relation=p.relation
    )


def request_out(r: social.FriendRequestView) -> FriendRequestOut:
    return FriendRequestOut(
        id=r.id,
        from_id=r.from_id,
        from_name=r.from_name,
        to_id=r.to_id,
        to_name=r.to_name,
        message=r.message,
        status=r.status,
        created_at=r.created_at,
        decided_at=r.decided_at,
    )


def comment_out(c: social.CommentView) -> CommentOut:
    return CommentOut(
        id=c.id,
        moment_id=c.moment_id,
        author_id=c.author_id,
        author_name=c.author_name,
        text=c.text,
        created_at=c.created_at,
    )


def moment_out(m: social.MomentView) -> MomentOut:
    return MomentOut(
        id=m.id,
        author_id=m.author_id,
        author_name=m.author_name,
        text=m.text,
        cards=[
            CardOut(
                id=c.id,
                title_en=c.title_en,
                title_zh=c.title_zh,
                price=MoneyOut(amount=c.price, currency=c.currency),
                image_url=c.image_url,
                url=c.url,
            )
            for c in m.cards
        ],
        share_code=m.share_code,
        created_at=m.created_at,
        like_count=m.like_count,
        liked_by_me=m.liked_by_me,
        last_likers=m.last_likers,
        comment_count=m.comment_count,
        comments=[comment_out(c) for c in m.comments],
    )


def no_content() -> Response:
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- friends and requests ---------------------------------------------------------------------


@router.get("/friends", response_model=list[PersonOut])
def friends(actor: Actor, uow: Uow) -> list[PersonOut]:
    return [person_out(p) for p in social.list_friends(uow, actor=actor)]


@router.delete("/friends/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_friend(user_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    """Idempotent: 204 also when you were not friends."""
    social.remove_friend(uow, actor=actor, friend_id=user_id)
    return no_content()


@router.get("/friend-requests", response_model=list[FriendRequestOut])
def friend_requests(
    actor: Actor,
    uow: Uow,
    direction: Literal["incoming", "outgoing"] = "incoming",
) -> list[FriendRequestOut]:
    """Pending requests to you (``incoming``) or from you (``outgoing``), newest first."""
    return [request_out(r) for r in social.list_requests(uow, actor=actor, direction=direction)]


@router.post(
    "/friend-requests", status_code=status.HTTP_201_CREATED, response_model=FriendRequestOut
)
def send_friend_request(body: FriendRequestIn, actor: Actor, uow: Uow) -> FriendRequestOut:
    """Ask someone to be friends. Asking again while pending returns the pending request; if
    they already asked you, theirs is accepted (``status`` is then ``accepted``). Someone who
    blocked you, or whom you blocked, is not found."""
    return request_out(
        social.send_request(uow, actor=actor, to_user_id=body.to_user_id, message=body.message)
    )


@router.post("/friend-requests/{request_id}/accept", response_model=FriendRequestOut)
def accept(request_id: uuid.UUID, actor: Actor, uow: Uow) -> FriendRequestOut:
    return request_out(social.accept_request(uow, actor=actor, request_id=request_id))


@router.post("/friend-requests/{request_id}/decline", response_model=FriendRequestOut)
def decline(request_id: uuid.UUID, actor: Actor, uow: Uow) -> FriendRequestOut:
    return request_out(social.decline_request(uow, actor=actor, request_id=request_id))


@router.post("/friend-requests/{request_id}/cancel", response_model=FriendRequestOut)
def cancel(request_id: uuid.UUID, actor: Actor, uow: Uow) -> FriendRequestOut:
    return request_out(social.cancel_request(uow, actor=actor, request_id=request_id))


@router.get("/people", response_model=list[PersonOut])
def people(
    actor: Actor, uow: Uow, q: Annotated[str, Query(min_length=1, max_length=254)]
) -> list[PersonOut]:
    """Find people by exact email or exact display name (any case)."""
    return [person_out(p) for p in social.find_people(uow, actor=actor, query=q)]


# --- blocks -----------------------------------------------------------------------------------


@router.get("/blocks", response_model=list[PersonOut])
def blocks(actor: Actor, uow: Uow) -> list[PersonOut]:
    return [person_out(p) for p in social.list_blocks(uow, actor=actor)]


@router.put("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def block(user_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    """Block someone; ends the friendship and pending requests between you. Idempotent."""
    social.block_user(uow, actor=actor, user_id=user_id)
    return no_content()


@router.delete("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def unblock(user_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    social.unblock_user(uow, actor=actor, user_id=user_id)
    return no_content()


# --- store follows ----------------------------------------------------------------------------


@router.get("/store-follows", response_model=list[FollowedStoreOut])
def store_follows(actor: Actor, uow: Uow) -> list[FollowedStoreOut]:
    return [
        FollowedStoreOut(store_id=f.store_id, name_en=f.name_en, name_zh=f.name_zh, since=f.since)
        for f in social.followed_stores(uow, actor=actor)
    ]


@router.put("/store-follows/{store_id}", status_code=status.HTTP_204_NO_CONTENT)
def follow(store_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    social.follow_store(uow, actor=actor, store_id=store_id)
    return no_content()


@router.delete("/store-follows/{store_id}", status_code=status.HTTP_204_NO_CONTENT)
def unfollow(store_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    social.unfollow_store(uow, actor=actor, store_id=store_id)
    return no_content()


@router.get("/stores/{store_id}/followers", response_model=StoreFollowersOut)
def store_followers(store_id: uuid.UUID, actor: Actor, uow: Uow) -> StoreFollowersOut:
    return StoreFollowersOut(
        store_id=store_id,
        followers=social.follower_count(uow, store_id),
        following=social.is_following(uow, actor=actor, store_id=store_id),
    )


# --- moments ----------------------------------------------------------------------------------


@router.post("/moments", status_code=status.HTTP_201_CREATED, response_model=MomentOut)
def post_moment(body: MomentIn, actor: Actor, uow: Uow) -> MomentOut:
    """Post to your friends: text (up to 1,000 characters) and/or up to nine product cards."""
    return moment_out(
        social.post_moment(
            uow,
            actor=actor,
            text=body.text,
            product_ids=body.product_ids,
        )
    )


@router.get("/moments", response_model=FeedOut)
def moments_feed(
    actor: Actor,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> FeedOut:
    """Your moments and your friends', newest first."""
    page = social.feed(uow, actor=actor, cursor=cursor, limit=limit)
    return FeedOut(items=[moment_out(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/moments/{moment_id}", response_model=MomentOut)
def moment(moment_id: uuid.UUID, actor: Actor, uow: Uow) -> MomentOut:
    return moment_out(social.get_moment(uow, actor=actor, moment_id=moment_id))


@router.delete("/moments/{moment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_moment(moment_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    social.delete_moment(uow, actor=actor, moment_id=moment_id)
    return no_content()


@router.put("/moments/{moment_id}/like", response_model=MomentOut)
def like(moment_id: uuid.UUID, actor: Actor, uow: Uow) -> MomentOut:
    moment = social.like_moment(uow, actor=actor, moment_id=moment_id)
    for card in moment.cards:  # liking a post that shows products is liking the products
        recommendations.record_event(actor.user_id, recommendations.LIKE, product_id=card.id)
    return moment_out(moment)


@router.delete("/moments/{moment_id}/like", response_model=MomentOut)
def unlike(moment_id: uuid.UUID, actor: Actor, uow: Uow) -> MomentOut:
    return moment_out(social.unlike_moment(uow, actor=actor, moment_id=moment_id))


@router.post(
    "/moments/{moment_id}/comments", status_code=status.HTTP_201_CREATED, response_model=CommentOut
)
def comment(moment_id: uuid.UUID, body: CommentIn, actor: Actor, uow: Uow) -> CommentOut:
    return comment_out(social.comment_on(uow, actor=actor, moment_id=moment_id, text=body.text))


@router.delete("/moments/{moment_id}/comments/{comment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_comment(moment_id: uuid.UUID, comment_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    social.delete_comment(uow, actor=actor, moment_id=moment_id, comment_id=comment_id)
    return no_content()
