"""Demo chats: Lin Mei's direct chats with her friends (texts and a product card) and a group
with unread messages. Idempotent: conversations are found again (direct pairs are unique, the
group by owner and name) and every message has a fixed client id, so a re-run sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from agora import catalog, chat, social
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal
from agora.identity import Principal, User

SHOPPER = "shopper@agora.demo"  # Lin Mei
WANG, CHEN, ZHAO = "wang.lei@agora.demo", "chen.jing@agora.demo", "zhao.yu@agora.demo"
FRIENDS = ((SHOPPER, WANG), (SHOPPER, CHEN), (WANG, CHEN))
GROUP_TITLE = "Deal hunters 捡漏群"

# (key, sender, text, or None for a product card)
DIRECT_WANG: tuple[tuple[str, str, str | None], ...] = (
    ("w1", WANG, "Hey Mei, did your coat arrive? 大衣到了吗？"),
    ("w2", SHOPPER, "Yes! Fits perfectly 😄"),
    ("w3", SHOPPER, None),
    ("w4", SHOPPER, "This one is on sale this week, thinking of getting it."),
    ("w5", WANG, "Nice find — send me the link when you order, I might join."),
)
DIRECT_CHEN: tuple[tuple[str, str, str | None], ...] = (
    ("c1", CHEN, "Tea tasting on Saturday? 周六一起喝茶？"),
    ("c2", SHOPPER, "Sure, 3pm works."),
)
GROUP: tuple[tuple[str, str, str | None], ...] = (
    ("g1", WANG, "Made a group for deals we find 🛍️"),
    ("g2", CHEN, "Great idea!"),
    ("g3", WANG, None),
    ("g4", CHEN, "Under ¥300 and free shipping, not bad."),
    ("g5", WANG, "Who wants to team up for the group price?"),
)


def _featured_product(uow: UnitOfWork) -> catalog.Product | None:
    with uow.read() as session:
        return session.scalar(
            select(catalog.Product)
            .where(catalog.Product.status == "active")
            .order_by(catalog.Product.sales_count.desc(), catalog.Product.id)
            .limit(1)
        )


def _post(
    uow: UnitOfWork,
    people: Mapping[str, Principal],
    conversation_id: Any,
    script: tuple[tuple[str, str, str | None], ...],
    product: catalog.Product | None,
) -> int:
    sent = 0
    for key, sender, text in script:
        if text is None and product is None:
            continue
        kind, body = (
            ("text", {"text": text})
            if text is not None
            else ("product_card", {"product_id": str(product.id) if product else ""})
        )
        before = chat.get_conversation(uow, actor=people[sender], conversation_id=conversation_id)
        message = chat.send_message(
            uow,
            actor=people[sender],
            conversation_id=conversation_id,
            kind=kind,
            body=body,
            client_id=f"demo:{key}",
        )
        sent += message.seq > before.last_seq
    return sent


def seed_chat(uow: UnitOfWork, *, users: Mapping[str, User]) -> dict[str, int]:
    """Counts of what this run added (0 on a re-run)."""
    people = {email: principal(users[email]) for email in (SHOPPER, WANG, CHEN, ZHAO)}
    with uow.read() as session:
        missing = [
            (a, b)
            for a, b in FRIENDS
            if not social.are_friends(session, people[a].user_id, people[b].user_id)
        ]
    for a, b in missing:
        request = social.send_request(uow, actor=people[a], to_user_id=people[b].user_id)
        social.accept_request(uow, actor=people[b], request_id=request.id)

    product = _featured_product(uow)
    lin = people[SHOPPER]
    with_wang = chat.direct_conversation(uow, actor=lin, other_user_id=people[WANG].user_id)
    with_chen = chat.direct_conversation(uow, actor=lin, other_user_id=people[CHEN].user_id)
    sent = _post(uow, people, with_wang.id, DIRECT_WANG, product)
    sent += _post(uow, people, with_chen.id, DIRECT_CHEN, product)

    wang = people[WANG]
    group = next(
        (
            c
            for c in chat.list_conversations(uow, actor=wang)
            if c.kind == "group" and c.owner_id == wang.user_id and c.title == GROUP_TITLE
        ),
        None,
    )
    groups = 0
    if group is None:
        group = chat.create_group(
            uow,
            actor=wang,
            title=GROUP_TITLE,
            member_ids=[lin.user_id, people[CHEN].user_id],
        )
        groups = 1
    sent += _post(uow, people, group.id, GROUP, product)
    return {"chat_groups": groups, "chat_messages": sent}
