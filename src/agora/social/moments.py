"""Moments: posts with text and product cards, seen by the author and the author's friends only,
with likes, comments and a newest-first feed paged by an opaque cursor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from agora import catalog
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.social import domain
from agora.social.errors import CommentNotFound, MomentNotFound
from agora.social.graph import are_friends
from agora.social.models import Friendship, Moment, MomentComment, MomentLike


@dataclass(frozen=True, slots=True)
class CardView:
    """A product as it was when the moment was posted."""

    id: uuid.UUID
    title_en: str
    title_zh: str | None
    price: int
    currency: str
    image_url: str
    url: str


@dataclass(frozen=True, slots=True)
class CommentView:
    id: uuid.UUID
    moment_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MomentView:
    id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    cards: list[CardView]
    share_code: str | None
    created_at: datetime
    like_count: int = 0
    liked_by_me: bool = False
    last_likers: list[str] = field(default_factory=list)
    comment_count: int = 0
    comments: list[CommentView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[MomentView]
    next_cursor: str | None


# --- access -----------------------------------------------------------------------------------


def access_moment(session: Session, actor: Principal, moment_id: uuid.UUID) -> Moment:
    """The moment if the actor wrote it or is the author's friend; else not found."""
    moment = session.get(Moment, moment_id)
    if moment is None:
        raise MomentNotFound()
    if moment.author_id != actor.user_id and not are_friends(
        session, actor.user_id, moment.author_id
    ):
        raise MomentNotFound()
    return moment


# --- posting ----------------------------------------------------------------------------------


def _snapshot(uow: UnitOfWork, product_id: uuid.UUID) -> dict[str, Any]:
    try:
        detail = catalog.product_detail(uow, product_id)
    except catalog.ProductNotFound as exc:
        raise InvalidInput(
            N_("A product in this post is not on sale."),
            errors=[{"field": "product_ids", "message": f"unknown product {product_id}"}],
        ) from exc
    product = detail.product
    return {
        "id": str(product.id),
        "title_en": product.title_en,
        "title_zh": product.title_zh,
        "price": product.min_price,
        "currency": product.currency,
        "image_url": product.image_url,
    }


def post_moment(
    uow: UnitOfWork,
    *,
    actor: Principal,
    text: str,
    product_ids: list[uuid.UUID],
    share_code: str | None = None,
) -> MomentView:
    """Post a moment: text (up to 1,000 characters) and/or up to nine product cards, snapshotted
    now. With ``share_code`` (made by sharing) the cards lead to ``/s/{code}``."""
    body = domain.clean_text(text)
    unique_ids = list(dict.fromkeys(product_ids))
    errors: list[dict[str, Any]] = []
    problem = domain.text_problem(body, limit=domain.MAX_MOMENT_TEXT, required=not unique_ids)
    if problem:
        errors.append({"field": "text", "message": problem})
    if len(unique_ids) > domain.MAX_MOMENT_CARDS:
        errors.append({"field": "product_ids", "message": "at most 9 products"})
    if share_code is not None and not domain.valid_share_code(share_code):
        errors.append({"field": "share_code", "message": "not a share code"})
    if errors:
        raise InvalidInput(errors=errors)
    with uow:
        cards = [_snapshot(uow, product_id) for product_id in unique_ids]
        moment = Moment(
            author_id=actor.user_id,
            text=body,
            cards=cards,
            share_code=share_code,
            created_at=utcnow(),
        )
        uow.session.add(moment)
        uow.session.flush()
        uow.emit(
            "social.moment_posted",
            {"moment_id": str(moment.id), "author_id": str(actor.user_id)},
        )
        return _views(uow.session, actor, [moment])[0]


def delete_moment(uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID) -> None:
    """Only the author deletes a moment; a friend gets not found, as for any moment they do not
    own (a 403 would confirm what they can already see, but says nothing useful)."""
    with uow:
        moment = access_moment(uow.session, actor, moment_id)
        if moment.author_id != actor.user_id:
            raise MomentNotFound()
        uow.session.delete(moment)


# --- likes and comments -----------------------------------------------------------------------


def like_moment(uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID) -> MomentView:
    """Idempotent: liking twice is one like."""
    with uow:
        session = uow.session
        moment = access_moment(session, actor, moment_id)
        if session.get(MomentLike, (moment_id, actor.user_id)) is None:
            session.add(MomentLike(moment_id=moment_id, user_id=actor.user_id, created_at=utcnow()))
            session.flush()
        return _views(session, actor, [moment])[0]


def unlike_moment(uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID) -> MomentView:
    with uow:
        session = uow.session
        moment = access_moment(session, actor, moment_id)
        session.execute(
            delete(MomentLike).where(
                MomentLike.moment_id == moment_id, MomentLike.user_id == actor.user_id
            )
        )
        return _views(session, actor, [moment])[0]


def comment_on(
    uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID, text: str
) -> CommentView:
    body = domain.clean_text(text)
    problem = domain.text_problem(body, limit=domain.MAX_COMMENT, required=True)
    if problem:
        raise InvalidInput(errors=[{"field": "text", "message": problem}])
    with uow:
        session = uow.session
        access_moment(session, actor, moment_id)
        comment = MomentComment(
            moment_id=moment_id, author_id=actor.user_id, text=body, created_at=utcnow()
        )
        session.add(comment)
        session.flush()
        return CommentView(
            comment.id, moment_id, actor.user_id, actor.display_name, body, comment.created_at
        )


def delete_comment(
    uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID, comment_id: uuid.UUID
) -> None:
    """The comment's author or the moment's author may delete it; anyone else gets not found."""
    with uow:
        session = uow.session
        comment = session.get(MomentComment, comment_id)
        if comment is None or comment.moment_id != moment_id:
            raise CommentNotFound()
        try:
            moment = access_moment(session, actor, comment.moment_id)
        except MomentNotFound as exc:
            raise CommentNotFound() from exc
        if actor.user_id not in (comment.author_id, moment.author_id):
            raise CommentNotFound()
        session.delete(comment)


# --- reading ----------------------------------------------------------------------------------


def get_moment(uow: UnitOfWork, *, actor: Principal, moment_id: uuid.UUID) -> MomentView:
    with uow.read() as session:
        moment = access_moment(session, actor, moment_id)
        return _views(session, actor, [moment], all_comments=True)[0]


def feed(
    uow: UnitOfWork, *, actor: Principal, cursor: str | None = None, limit: int = 20
) -> FeedPage:
    """My moments and my friends' moments, newest first. ``cursor`` is the ``next_cursor`` of the
    previous page; a cursor that is not one is refused."""
    limit = max(1, min(limit, 50))
    after = None
    if cursor:
        after = domain.Cursor.decode(cursor)
        if after is None:
            raise InvalidInput(errors=[{"field": "cursor", "message": "not a cursor"}])
    friends = select(Friendship.friend_id).where(Friendship.user_id == actor.user_id)
    stmt = select(Moment).where(
        or_(Moment.author_id == actor.user_id, Moment.author_id.in_(friends))
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                Moment.created_at < after.created_at,
                and_(Moment.created_at == after.created_at, Moment.id < after.id),
            )
        )
    stmt = stmt.order_by(Moment.created_at.desc(), Moment.id.desc()).limit(limit + 1)
    with uow.read() as session:
        rows = list(session.scalars(stmt))
        page = rows[:limit]
        items = _views(session, actor, page)
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = domain.Cursor(last.created_at, last.id).encode()
    return FeedPage(items, next_cursor)


def _views(
    session: Session, actor: Principal, moments: list[Moment], *, all_comments: bool = False
) -> list[MomentView]:
    """Views of moments the actor may see, with likes and comments in a few queries per page."""
    if not moments:
        return []
    ids = [m.id for m in moments]
    authors = {m.author_id for m in moments}
    names = dict(
        session.execute(select(User.id, User.display_name).where(User.id.in_(authors))).all()
    )
    like_counts = dict(
        session.execute(
            select(MomentLike.moment_id, func.count())
            .where(MomentLike.moment_id.in_(ids))
            .group_by(MomentLike.moment_id)
        ).all()
    )
    mine = set(
        session.scalars(
            select(MomentLike.moment_id).where(
                MomentLike.moment_id.in_(ids), MomentLike.user_id == actor.user_id
            )
        )
    )
    likers = _latest(
        session,
        select(
            MomentLike.moment_id,
            User.display_name,
            func.row_number()
            .over(
                partition_by=MomentLike.moment_id,
                order_by=(MomentLike.created_at.desc(), MomentLike.user_id),
            )
            .label("rank"),
        )
        .join(User, User.id == MomentLike.user_id)
        .where(MomentLike.moment_id.in_(ids)),
        domain.LAST_LIKERS,
    )
    comment_counts = dict(
        session.execute(
            select(MomentComment.moment_id, func.count())
            .where(MomentComment.moment_id.in_(ids))
            .group_by(MomentComment.moment_id)
        ).all()
    )
    comments = _latest(
        session,
        select(
            MomentComment.moment_id,
            MomentComment.id,
            MomentComment.author_id,
            User.display_name,
            MomentComment.text,
            MomentComment.created_at,
            func.row_number()
            .over(
                partition_by=MomentComment.moment_id,
                order_by=(MomentComment.created_at.desc(), MomentComment.id.desc()),
            )
            .label("rank"),
        )
        .join(User, User.id == MomentComment.author_id)
        .where(MomentComment.moment_id.in_(ids)),
        None if all_comments else domain.FEED_COMMENTS,
    )
    views = []
    for m in moments:
        cards = [
            CardView(
                id=uuid.UUID(c["id"]),
                title_en=c["title_en"],
                title_zh=c.get("title_zh"),
                price=int(c["price"]),
                currency=c["currency"],
                image_url=c["image_url"],
                url=domain.card_url(c["id"], m.share_code),
            )
            for c in m.cards
        ]
        # The latest comments were ranked newest first; a thread reads oldest first.
        thread = [
            CommentView(cid, m.id, author_id, name, body, created_at)
            for cid, author_id, name, body, created_at in reversed(comments.get(m.id, []))
        ]
        views.append(
            MomentView(
                id=m.id,
                author_id=m.author_id,
                author_name=names.get(m.author_id, ""),
                text=m.text,
                cards=cards,
                share_code=m.share_code,
                created_at=m.created_at,
                like_count=int(like_counts.get(m.id, 0)),
                liked_by_me=m.id in mine,
                last_likers=[name for (name,) in likers.get(m.id, [])],
                comment_count=int(comment_counts.get(m.id, 0)),
                comments=thread,
            )
        )
    return views


def _latest(session: Session, ranked: Any, keep: int | None) -> dict[uuid.UUID, list[Any]]:
    """Group rows ``(moment_id, *values, rank)`` by moment, keeping the ``keep`` best ranked."""
    sub = ranked.subquery()
    if keep is not None:
        rows = session.execute(select(sub).where(sub.c.rank <= keep).order_by(sub.c.rank))
    else:
        rows = session.execute(select(sub).order_by(sub.c.rank))
    grouped: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(tuple(row[1:-1]))
    return grouped
