"""The recommendation feeds: "Guess you like", similar items, bought together, friends bought.

Candidates come from the in-memory snapshot (``serving.STORE``) in microseconds. Given a
session, a feed is finished against the database in a few statements: what the shopper bought
or dismissed leaves, only active products in stock of active stores stay (one card statement,
which also reads the titles the reasons name), and "Guess you like" is re-ranked by the
shopper's price level, so items far above what they usually pay in a category sink.

Every ``Recommendation`` says why it is shown (``reason_code`` and ``reason_args``;
``reason_text`` words it in the reader's language).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import bindparam, exists, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from agora import catalog, identity, ordering, privacy, sharing, social
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.prepared import Prepared
from agora.recommendations.cards import CARDS
from agora.recommendations.domain import DISMISS
from agora.recommendations.models import BehaviourEvent
from agora.recommendations.serving import STORE, Snapshot

# Reason codes: what a card's "Why?" says.
BECAUSE_VIEWED = "because_viewed"
BECAUSE_BOUGHT = "because_bought"
FOR_YOU = "for_you"
POPULAR = "popular"
POPULAR_IN = "popular_in"
SIMILAR = "similar"
BOUGHT_TOGETHER = "bought_together"
FRIEND_BOUGHT = "friend_bought"
WITHIN_PRICE = "within_price"

SHARED_CHANNELS = ("chat_direct", "chat_group", "moments")  # what friends see a shopper share
FAR_ABOVE = 1.5  # more than this times the usual price is far above it
SINK = 0.2


@dataclass(frozen=True, slots=True)
class Recommendation:
    product_id: uuid.UUID
    score: float
    reason_code: str
    reason_args: Mapping[str, str] = field(default_factory=dict)
    # Set when the feed was finished against the database: what the card shows.
    card: catalog.ProductCard | None = None


# --- from memory ------------------------------------------------------------------------------


def guess_you_like(
    user_id: uuid.UUID, n: int = 20, *, session: Session | None = None
) -> list[Recommendation]:
    """The shopper's own picks (consenting shoppers with a trained row), filled up with what is
    popular; with ``session``, finished and re-ranked by price level."""
    snapshot = STORE.current()
    row = snapshot.user_row.get(user_id)
    if (
        row is not None
        and session is not None
        and not privacy.consent_granted(session, user_id, privacy.PERSONALISED_RECOMMENDATIONS)
    ):
        row = None  # withdrawn since the model was trained
    # Over-asked a little: what is sold out or was bought since the training drops out.
    wanted = n + n // 2 + 5 if session is not None else n
    excluded = set(STORE.dismissed(user_id))
    if session is not None:
        excluded |= _bought_or_dismissed(session, user_id)
    picks: list[Recommendation] = []
    if row is not None:
        for slot, item in enumerate(snapshot.user_top[row].tolist()):
            if item < 0 or len(picks) >= wanted:
                break
            product_id = snapshot.item_ids[item]
            if product_id in excluded:
                continue
            anchor = int(snapshot.user_anchor[row, slot])
            if anchor >= 0:
                bought = int(snapshot.user_anchor_kind[row, slot]) == 1
                code = BECAUSE_BOUGHT if bought else BECAUSE_VIEWED
                args = {"product_id": str(snapshot.item_ids[anchor])}
            else:
                code, args = FOR_YOU, {}
            picks.append(Recommendation(product_id, float(wanted - len(picks)), code, args))
    _fill_popular(snapshot, picks, excluded, wanted)
    if session is None:
        return picks[:n]
    finished = _finish(session, picks)
    return _rerank_by_price(snapshot, row, finished)[:n]


def similar_items(
    product_id: uuid.UUID, n: int = 12, *, session: Session | None = None
) -> list[Recommendation]:
    """Items most like this one (by who looked at and bought both), then its category's popular."""
    snapshot = STORE.current()
    item = snapshot.item_row.get(product_id)
    wanted = n + n // 2 + 5 if session is not None else n
    picks: list[Recommendation] = []
    args = {"product_id": str(product_id)}
    category = -1
    if item is not None:
        category = int(snapshot.item_category[item])
        for other in snapshot.similar[item].tolist():
            if other < 0 or len(picks) >= wanted:
                break
            picks.append(
                Recommendation(snapshot.item_ids[other], float(wanted - len(picks)), SIMILAR, args)
            )
    elif session is not None:
        category_id = session.scalar(
            select(catalog.Product.category_id).where(catalog.Product.id == product_id)
        )
        category = snapshot.category_row.get(category_id, -1) if category_id else -1
    seen = {product_id} | {p.product_id for p in picks}
    for other in snapshot.category_popular(category).tolist():
        if len(picks) >= wanted:
            break
        if snapshot.item_ids[other] not in seen:
            picks.append(
                Recommendation(
                    snapshot.item_ids[other],
                    float(wanted - len(picks)),
                    POPULAR_IN,
                    _category_args(snapshot, category),
                )
            )
    picks = [p for p in picks if p.product_id != product_id]
    return (_finish(session, picks) if session is not None else picks)[:n]


def bought_together(
    product_id: uuid.UUID, n: int = 8, *, session: Session | None = None
) -> list[Recommendation]:
    """Items that buyers of this one paid for in the same order or within days of it."""
    snapshot = STORE.current()
    item = snapshot.item_row.get(product_id)
    if item is None:
        return []
    others, counts = snapshot.together_of(item)
    args = {"product_id": str(product_id)}
    picks = [
        Recommendation(snapshot.item_ids[other], float(count), BOUGHT_TOGETHER, args)
        for other, count in zip(others.tolist(), counts.tolist(), strict=True)
    ]
    return (_finish(session, picks) if session is not None else picks)[:n]


def _friends_shares_statement() -> Any:
    """Products the shopper's friends shared where friends see it after paying for them, newest
    first: one statement that starts from the shopper's friendships and reads each friend's
    shares by the (sharer, time) index. Built once (see ``Prepared``)."""
    share = sharing.Share
    friendship = social.Friendship
    bought_before_sharing = exists(
        select(ordering.OrderLine.id)
        .join(ordering.Order, ordering.Order.id == ordering.OrderLine.order_id)
        .where(
            ordering.Order.buyer_id == share.sharer_id,
            ordering.OrderLine.product_id == share.target_id,
            ordering.Order.paid_at.is_not(None),
            ordering.Order.paid_at <= share.created_at,
        )
    )
    return (
        select(share.target_id, share.sharer_id, identity.User.display_name, share.created_at)
        .select_from(friendship)
        .join(share, share.sharer_id == friendship.friend_id)
        .join(identity.User, identity.User.id == share.sharer_id)
        .where(
            friendship.user_id == bindparam("user_id"),
            # Compared as an expression, not a column: a planner that sees ``target_type = ?``
            # may choose the (target_type, target_id) index and read every product share ever
            # made (22 ms on 3,000 shares in SQLite) instead of the few of the friends.
            share.target_type.concat(literal_column("''")) == _constant(sharing.PRODUCT),
            # Constants written into the statement: a prepared statement takes no IN list.
            or_(*(share.channel == _constant(channel) for channel in SHARED_CHANNELS)),
            bought_before_sharing,
        )
        .order_by(share.created_at.desc())
        .limit(bindparam("limit"))
    )


def _constant(word: str) -> Any:
    """A constant written into the statement's text (a word of our own, never user input)."""
    return literal_column(f"'{word}'")


_FRIENDS_SHARES = Prepared(_friends_shares_statement())


def friends_bought(session: Session, user_id: uuid.UUID, n: int = 12) -> list[Recommendation]:
    """What the shopper's friends bought and then chose to share (into a chat or their moments),
    newest share first; never a purchase a friend kept to themselves."""
    rows = _FRIENDS_SHARES.rows(session, {"user_id": user_id, "limit": n * 4 + 10})
    if not rows:
        return []
    excluded = set(STORE.dismissed(user_id))
    picks: dict[uuid.UUID, Recommendation] = {}
    for product_id, friend_id, name, _shared_at in rows:
        if product_id in picks or product_id in excluded:
            continue
        picks[product_id] = Recommendation(
            product_id,
            float(len(rows) - len(picks)),
            FRIEND_BOUGHT,
            {"user_id": str(friend_id), "name": name},
        )
    return _finish(session, list(picks.values()))[:n]


def dismiss(user_id: uuid.UUID, product_id: uuid.UUID) -> None:
    """Not interested: gone from this shopper's feeds at once (this process) and, recorded as
    an event when they consent, from every later training."""
    from agora.recommendations.events import record_event

    STORE.dismiss(user_id, product_id)
    record_event(user_id, DISMISS, product_id=product_id)


def reason_text(recommendation: Recommendation) -> str:
    """The card's "Why?", in the reader's language."""
    args = recommendation.reason_args
    code = recommendation.reason_code
    title = lazy_pick(args.get("title_en", ""), args.get("title_zh"))
    if code == BECAUSE_VIEWED and title:
        return _("Because you viewed %(title)s") % {"title": title}
    if code == BECAUSE_BOUGHT and title:
        return _("Because you bought %(title)s") % {"title": title}
    if code == SIMILAR and title:
        return _("Similar to %(title)s") % {"title": title}
    if code == BOUGHT_TOGETHER and title:
        return _("Bought together with %(title)s") % {"title": title}
    if code == FRIEND_BOUGHT:
        return _("%(name)s bought this") % {"name": args.get("name", "")}
    if code == POPULAR_IN and args.get("category_en"):
        category = lazy_pick(args["category_en"], args.get("category_zh"))
        return _("Popular in %(category)s") % {"category": category}
    if code == WITHIN_PRICE:
        return _("Within your usual price")
    if code in (POPULAR, POPULAR_IN):
        return _("Popular with shoppers now")
    return _("Picked for you from what you viewed and bought")


# --- finishing against the database -----------------------------------------------------------


def _fill_popular(
    snapshot: Snapshot, picks: list[Recommendation], excluded: set[uuid.UUID], wanted: int
) -> None:
    seen = excluded | {p.product_id for p in picks}
    for item in snapshot.popular.tolist():
        if len(picks) >= wanted:
            return
        product_id = snapshot.item_ids[item]
        if product_id in seen:
            continue
        category = int(snapshot.item_category[item])
        picks.append(
            Recommendation(
                product_id,
                float(wanted - len(picks)),
                POPULAR_IN,
                _category_args(snapshot, category),
            )
        )


def _category_args(snapshot: Snapshot, category: int) -> dict[str, str]:
    if category < 0 or category >= len(snapshot.category_ids):
        return {}
    return {
        "category_id": str(snapshot.category_ids[category]),
        "category_en": snapshot.category_en[category],
        "category_zh": snapshot.category_zh[category],
    }


def _bought_or_dismissed_statement() -> Any:
    paid = (
        select(ordering.OrderLine.product_id)
        .join(ordering.Order, ordering.Order.id == ordering.OrderLine.order_id)
        .where(ordering.Order.buyer_id == bindparam("user_id"), ordering.Order.paid_at.is_not(None))
    )
    dismissed = select(BehaviourEvent.product_id).where(
        BehaviourEvent.user_id == bindparam("user_id"),
        BehaviourEvent.kind == DISMISS,
        BehaviourEvent.product_id.is_not(None),
    )
    return union_all(paid, dismissed)


# Built once: building the statement per request cost more than running it.
_BOUGHT_OR_DISMISSED = Prepared(_bought_or_dismissed_statement())


def _bought_or_dismissed(session: Session, user_id: uuid.UUID) -> set[uuid.UUID]:
    """Everything this shopper paid for or dismissed, in one statement."""
    found = _BOUGHT_OR_DISMISSED.rows(session, {"user_id": user_id})
    return {product_id for (product_id,) in found if product_id is not None}


def _finish(session: Session, picks: list[Recommendation]) -> list[Recommendation]:
    """Keep what can be bought now, with its card and the titles its reason names."""
    named = {uuid.UUID(p.reason_args["product_id"]) for p in picks if "product_id" in p.reason_args}
    cards = CARDS.of(session, {p.product_id for p in picks} | named)
    finished: list[Recommendation] = []
    for pick in picks:
        card, available = cards.get(pick.product_id, (None, False))
        if card is None or not available:
            continue
        args = dict(pick.reason_args)
        if "product_id" in args:
            anchor, _ = cards.get(uuid.UUID(args["product_id"]), (None, False))
            if anchor is not None:
                args["title_en"] = anchor.title_en
                args["title_zh"] = anchor.title_zh or anchor.title_en
        finished.append(replace(pick, reason_args=args, card=card))
    return finished


def _rerank_by_price(
    snapshot: Snapshot, row: int | None, picks: list[Recommendation]
) -> list[Recommendation]:
    """Items far above the shopper's usual price in their category sink; where the shopper has a
    level, a popular pick within it says so. The levels were read at training time (B1's
    ``price_level_for``), so this costs no statement."""
    levels = snapshot.price_levels(row) if row is not None else {}
    if not picks or not levels:
        return picks
    ranked: list[tuple[float, int, Recommendation]] = []
    for position, pick in enumerate(picks):
        weight = 1.0 / (1 + position)
        item = snapshot.item_row.get(pick.product_id)
        typical_max = levels.get(int(snapshot.item_category[item])) if item is not None else None
        price = pick.card.min_price if pick.card is not None else 0
        shown = pick
        if typical_max:
            if price > typical_max * FAR_ABOVE:
                weight *= SINK
            elif price <= typical_max and pick.reason_code in (POPULAR_IN, POPULAR):
                shown = replace(pick, reason_code=WITHIN_PRICE)
        ranked.append((weight, -position, shown))
    ranked.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [pick for _, _, pick in ranked]
