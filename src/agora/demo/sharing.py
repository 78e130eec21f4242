"""The demo's sharing: Lin Mei shares products on every channel, newcomers sign up through her
links, and her friends' orders are credited to the shares they clicked, so the operators' share
report has a bar in every channel.

Everything goes through the public use cases (sharing, social, chat, identity) on the real
clock, and each step runs once: it is recorded as an idempotency key
(``agora-demo:sharing-<step>``) in its own transaction, so a re-run does only what is missing.
Newcomers arrive from browsers with fixed visitor ids.

The friends' orders are the trading demo's (placing more would change the trading demo's
picture), paid moments before this runs. So the shares and the friends' clicks are given a past,
as the catalog seeding gives listings their ages: shares two hours before the first of those
payments, each click an hour before its order was paid; the order is then credited by
``sharing.attribute_order`` exactly as the relay does for a live order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select, update

from agora import catalog, chat, identity, ordering, sharing, social
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.demo.logistics import give_address
from agora.demo.steps import principal, run_once
from agora.demo.trading import CHEN, SHOPPER, WANG, ZHAO, picks
from agora.identity import Client, Principal, User

STEP_PREFIX = "agora-demo:sharing-"
CLIENT = Client(ip="127.0.0.1", user_agent="agora demo")
GROUP_TITLE = "Weekend finds 周末好物"

# Lin Mei's shares: (step, channel, store key of the product, text).
SHARES = (
    ("friend", "chat_direct", "agora-self", "This one is really good value! 这个很划算！"),
    ("group", "chat_group", "warm-home", "Anyone want to split shipping? 有人一起拼吗？"),
    ("moments", "moments", "yunshang-fashion", "My new favourite 新宠 ❤️"),
    ("link", "external", "stride-sneakers", ""),
)
# Newcomers who sign up from a share's link: (n, display name, which share).
NEWCOMERS = (
    (1, "Sun Li 孙丽", "friend"),
    (2, "Zhou Tao 周涛", "friend"),
    (3, "Wu Fang 吴芳", "group"),
    (4, "Zheng Hao 郑浩", "moments"),
    (5, "Feng Yan 冯燕", "link"),
    (6, "He Jun 何军", "partner"),
)
# Friends whose latest paid order came through one of Lin Mei's shares: (buyer, which share).
BUYERS = ((WANG, "friend"), (CHEN, "group"), (ZHAO, "moments"))


def seed_sharing(uow: UnitOfWork, *, shoppers: Mapping[str, User], password: str) -> dict[str, int]:
    """Play the demo's sharing once (newcomers get ``password``); returns how many steps there
    are and how many ran now (0 on a database that already has them all)."""
    people = {email: principal(user) for email, user in shoppers.items()}
    lin, wang = people[SHOPPER], people[WANG]
    ran: list[bool] = []

    def once(actor: Principal, step: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        fresh, body = run_once(uow, actor, f"{STEP_PREFIX}{step}", action)
        ran.append(fresh)
        return dict(body)

    for email in (WANG, CHEN, ZHAO):
        once(lin, f"friend-{email}", partial(_befriend, uow, lin, people[email]))
    once(lin, "group", partial(_group, uow, lin, [wang, people[CHEN]]))
    paid = {email: o for email, _ in BUYERS if (o := _last_paid(uow, people[email])) is not None}
    shared_at = min((o.paid_at for o in paid.values()), default=utcnow()) - timedelta(hours=2)
    codes: dict[str, str] = {}
    for step, channel, store_key, text in SHARES:
        share = partial(_share, uow, lin, wang, channel, store_key, text, shared_at)
        codes[step] = once(lin, f"share-{step}", share)["code"]
    partner = partial(_share, uow, wang, lin, "partner", "peach-beauty", "", shared_at)
    codes["partner"] = once(wang, "share-partner", partner)["code"]
    for n, name, step in NEWCOMERS:
        once(lin, f"newcomer-{n}", partial(_newcomer, uow, n, name, codes[step], password))
    for email, step in BUYERS:
        buyer = people[email]
        order = paid.get(email)
        if order is not None:
            once(buyer, "bought", partial(_bought_through, uow, buyer, codes[step], order))
    return {"sharing_steps": len(ran), "sharing_steps_run": sum(ran)}


def _product_id(uow: UnitOfWork, store_key: str) -> uuid.UUID:
    product, _sku = picks(store_key)[0]
    with uow.read() as session:
        found = session.scalar(
            select(catalog.Product.id)
            .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
            .where(catalog.Store.slug == store_key, catalog.Product.title_en == product.title_en)
        )
    if found is None:
        raise RuntimeError(f"the demo product {product.key} is not in the database")
    return found


def _befriend(uow: UnitOfWork, one: Principal, other: Principal) -> dict[str, Any]:
    with uow:
        if not social.are_friends(uow.session, one.user_id, other.user_id):
            asked = social.send_request(uow, actor=one, to_user_id=other.user_id)
            # (If they had already asked, sending accepted their request.)
            if not social.are_friends(uow.session, one.user_id, other.user_id):
                social.accept_request(uow, actor=other, request_id=asked.id)
    return {"friend": str(other.user_id)}


def _group(uow: UnitOfWork, owner: Principal, members: list[Principal]) -> dict[str, Any]:
    group = chat.create_group(
        uow, actor=owner, title=GROUP_TITLE, member_ids=[m.user_id for m in members]
    )
    return {"conversation_id": str(group.id)}


def _share(
    uow: UnitOfWork,
    sharer: Principal,
    friend: Principal,
    channel: str,
    store_key: str,
    text: str,
    shared_at: datetime,
) -> dict[str, Any]:
    product_id = _product_id(uow, store_key)
    if channel == "chat_direct":
        shared = sharing.share_with_friend(
            uow,
            actor=sharer,
            friend_id=friend.user_id,
            target_type=sharing.PRODUCT,
            target_id=product_id,
            text=text,
        )
    else:
        group = _group_of(uow, sharer) if channel == "chat_group" else None
        shared = sharing.share_to(
            uow,
            actor=sharer,
            target_type=sharing.PRODUCT,
            target_id=product_id,
            channel=channel,
            conversation_id=group,
            text=text,
        )
    uow.session.execute(
        update(sharing.Share)
        .where(sharing.Share.id == shared.share.id)
        .values(created_at=shared_at)
        .execution_options(synchronize_session=False)
    )
    return {"code": shared.share.code}


def _group_of(uow: UnitOfWork, owner: Principal) -> uuid.UUID:
    groups = [
        c.id
        for c in chat.list_conversations(uow, actor=owner)
        if c.kind == "group" and c.title == GROUP_TITLE
    ]
    if not groups:
        raise RuntimeError("the demo group chat is missing")
    return groups[0]


def _newcomer(uow: UnitOfWork, n: int, name: str, code: str, password: str) -> dict[str, Any]:
    """A stranger clicks the link (signed out), then signs up in that browser."""
    visitor = f"agora-demo-visitor-{n:04d}"
    sharing.record_visit(uow, code=code, visitor_id=visitor, user_id=None)
    user = identity.register(
        uow,
        identifier=f"newcomer{n}@agora.demo",
        password=password,
        display_name=name,
        client=CLIENT,
    )
    give_address(uow, user, n)
    sharing.attribute_signup(uow, user_id=user.id, visitor_id=visitor)
    return {"user_id": str(user.id)}


@dataclass(frozen=True, slots=True)
class PaidOrder:
    id: uuid.UUID
    total: int
    currency: str
    paid_at: datetime


def _last_paid(uow: UnitOfWork, buyer: Principal) -> PaidOrder | None:
    with uow.read() as session:
        row = session.execute(
            select(
                ordering.Order.id,
                ordering.Order.total,
                ordering.Order.currency,
                ordering.Order.paid_at,
            )
            .where(ordering.Order.buyer_id == buyer.user_id, ordering.Order.paid_at.is_not(None))
            .order_by(ordering.Order.paid_at.desc())
            .limit(1)
        ).first()
    if row is None or row.paid_at is None:
        return None
    return PaidOrder(row.id, row.total, row.currency, row.paid_at)


def _bought_through(
    uow: UnitOfWork, buyer: Principal, code: str, order: PaidOrder
) -> dict[str, Any]:
    """The buyer clicked the share (signed in) an hour before paying for the order."""
    visitor = f"agora-demo-browser-{buyer.user_id.hex[:16]}"
    sharing.record_visit(uow, code=code, visitor_id=visitor, user_id=buyer.user_id)
    uow.session.execute(
        update(sharing.ShareVisit)
        .where(sharing.ShareVisit.visitor_id == visitor)
        .values(created_at=order.paid_at - timedelta(hours=1))
        .execution_options(synchronize_session=False)
    )
    credited = sharing.attribute_order(
        uow,
        order_id=order.id,
        buyer_id=buyer.user_id,
        total=order.total,
        currency=order.currency,
        paid_at=order.paid_at,
    )
    return {"order_id": str(order.id), "credited": credited}
