"""A shop for the assistant's tests: coats in several colours and prices, a red dress, and three
friends — Alice and Bob in a direct chat, all three in Alice's group."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select, text

from agora import chat
from agora.assistant import hook
from agora.assistant.models import AssistantState
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from chat.world import Recorder, befriend, person
from factories import make_categories, make_operator, make_product, make_store, make_user, principal

# (colour, price in fen) of each coat: six red ones from ¥199 to ¥699, and others.
COATS = (
    ("red", 19900),
    ("red", 29900),
    ("red", 39900),
    ("red", 49900),
    ("red", 59900),
    ("red", 69900),
    ("black", 25900),
    ("black", 45900),
    ("blue", 15900),
    ("blue", 35900),
    ("white", 27900),
)
RED_COATS = sorted(price for colour, price in COATS if colour == "red")


@dataclass
class Shop:
    alice: Principal
    bob: Principal
    carol: Principal
    direct: uuid.UUID
    group: uuid.UUID
    coats: dict[uuid.UUID, tuple[str, int]]


def open_shop(uow: UnitOfWork) -> Shop:
    ops = make_operator(uow)
    owner = make_user(uow, name="Merchant")
    store = make_store(uow, ops, owner, name_en="Cloud Coats")
    categories = make_categories(uow, ops)
    seller = principal(owner)
    coats: dict[uuid.UUID, tuple[str, int]] = {}
    for n, (colour, price) in enumerate(COATS, start=1):
        detail = make_product(
            uow,
            seller,
            store,
            categories["coats"],
            title_en=f"{colour.title()} Coat No.{n}",
            title_zh=f"外套{n}号",
            skus=[(colour, "M", price, 5)],
        )
        coats[detail.product.id] = (colour, price)
    make_product(
        uow,
        seller,
        store,
        categories["dresses"],
        title_en="Red Dress",
        title_zh="红色连衣裙",
        skus=[("red", "M", 25900, 5)],
    )
    alice, bob, carol = person(uow, "Alice"), person(uow, "Bob"), person(uow, "Carol")
    befriend(uow, alice, bob)
    befriend(uow, alice, carol)
    direct = chat.direct_conversation(uow, actor=alice, other_user_id=bob.user_id).id
    group = chat.create_group(
        uow, actor=alice, title="Shopping", member_ids=[bob.user_id, carol.user_id]
    ).id
    return Shop(alice, bob, carol, direct, group, coats)


@contextmanager
def reading(make_uow: Callable[[], UnitOfWork]) -> Iterator[None]:
    with hook.reading_inline(make_uow):
        yield


def say(uow: UnitOfWork, actor: Principal, conversation_id: uuid.UUID, words: str) -> None:
    """Send through the real send path (the hook reads it once it commits)."""
    chat.send_message(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    )


def states(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(AssistantState)) or 0


def behaviour_events(db: Database) -> int:
    with db.read_session() as session:
        return int(session.scalar(text("SELECT count(*) FROM behaviour_events")) or 0)


def assistant_events(recorder: Recorder) -> list[tuple[str, dict[str, object]]]:
    return [
        (topic, event)
        for topic, event in recorder.events
        if str(event.get("type", "")).startswith("assistant")
    ]
