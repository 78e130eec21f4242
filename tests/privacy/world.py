"""The privacy tests' world: a shopper with a life in Agora — an address, a completed order with
its review, friends, a chat, moments, consents, an export — and a friend with one of their own,
each holding values no one else has, so a test can look for them anywhere."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

import factories
from agora import chat, logistics, ordering, privacy, reviews, social
from agora.core.clock import utcnow
from agora.core.db import Base
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User, register
from ordering.world import World, build_world


@dataclass
class Person:
    user: User
    actor: Principal
    # Every personal value this person typed into Agora, looked for after an erasure.
    values: dict[str, str] = field(default_factory=dict)
    order_id: uuid.UUID | None = None


@dataclass
class Life:
    world: World
    yingtai: Person
    shanbo: Person
    conversation_id: uuid.UUID


def _person(uow: UnitOfWork, *, tag: str, name: str, street: str, phone: str) -> Person:
    user = register(
        uow,
        identifier=f"{tag}-{uuid.uuid4().hex[:6]}@example.com",
        password=factories.PASSWORD,
        display_name=name,
        client=factories.CLIENT,
    )
    actor = factories.principal(user)
    recipient = f"{name} at home"
    logistics.add_address(
        uow,
        actor=actor,
        values={**factories.ADDRESS, "recipient": recipient, "phone": phone, "street": street},
        make_default=True,
    )
    assert user.email is not None
    values = {
        "email": user.email,
        "display_name": name,
        "recipient": recipient,
        "phone": phone,
        "street": street,
    }
    return Person(user, actor, values)


def completed_order(world: World, person: Person, sku_id: uuid.UUID, price: int) -> uuid.UUID:
    """``person`` buys one unit paying exactly ``price`` from a wallet topped up by that much
    (so it ends at zero), and the order is delivered and confirmed."""
    factories.fund_wallet(world.uow, person.user, price)
    [order] = ordering.place_orders(
        world.uow, actor=person.actor, lines=[ordering.LineRequest(sku_id, 1)]
    )
    ordering.pay_orders(
        world.uow,
        actor=person.actor,
        order_ids=[order.id],
        sources=[ordering.SourceRequest("wallet")],
    )
    staff = world.merchant_a if order.store_id == world.store_a.id else world.merchant_b
    ordering.ship_order(world.uow, actor=staff, order_id=order.id, tracking_number="SF1")
    ordering.mark_delivered(world.uow, actor=staff, order_id=order.id)
    ordering.confirm_receipt(world.uow, actor=person.actor, order_id=order.id)
    return order.id


def say(uow: UnitOfWork, person: Person, conversation_id: uuid.UUID, words: str) -> None:
    chat.send_message(
        uow,
        actor=person.actor,
        conversation_id=conversation_id,
        kind="text",
        body={"text": words},
        client_id=uuid.uuid4().hex,
    )


def build_life(uow: UnitOfWork) -> Life:
    world = build_world(uow, World)
    yingtai = _person(
        uow, tag="yingtai", name="Zhu Yingtai", street="88 Plum Blossom Lane", phone="13911112222"
    )
    shanbo = _person(
        uow, tag="shanbo", name="Liang Shanbo", street="7 Butterfly Bridge", phone="13733334444"
    )
    request = social.send_request(
        uow, actor=yingtai.actor, to_user_id=shanbo.user.id, message="Yingtai asks politely"
    )
    social.accept_request(uow, actor=shanbo.actor, request_id=request.id)
    yingtai.values["request"] = "Yingtai asks politely"

    yingtai.order_id = completed_order(world, yingtai, world.red_coat, 29900)
    shanbo.order_id = completed_order(world, shanbo, world.dress_sku, 15000)
    with uow.read() as session:
        line_id = session.scalar(
            select(ordering.OrderLine.id).where(ordering.OrderLine.order_id == yingtai.order_id)
        )
    assert line_id is not None
    reviews.write_review(
        uow, actor=yingtai.actor, order_line_id=line_id, stars=4, text="Softest coat in Suzhou"
    )
    yingtai.values["review"] = "Softest coat in Suzhou"

    conversation = chat.direct_conversation(uow, actor=yingtai.actor, other_user_id=shanbo.user.id)
    say(uow, yingtai, conversation.id, "Meet me at the plum blossom pavilion")
    say(uow, shanbo, conversation.id, "Shanbo will bring the umbrella")
    yingtai.values["message"] = "Meet me at the plum blossom pavilion"
    shanbo.values["message"] = "Shanbo will bring the umbrella"

    mine = social.post_moment(
        uow, actor=yingtai.actor, text="Yingtai's moment by the lake", product_ids=[]
    )
    theirs = social.post_moment(
        uow, actor=shanbo.actor, text="Shanbo's moment at the school", product_ids=[]
    )
    social.comment_on(uow, actor=yingtai.actor, moment_id=theirs.id, text="Yingtai comments here")
    social.like_moment(uow, actor=yingtai.actor, moment_id=theirs.id)
    social.comment_on(uow, actor=shanbo.actor, moment_id=mine.id, text="Shanbo replies there")
    yingtai.values["moment"] = "Yingtai's moment by the lake"
    yingtai.values["comment"] = "Yingtai comments here"

    privacy.set_consent(uow, actor=yingtai.actor, kind=privacy.CHAT_ASSISTANT, granted=True)
    _inferred(uow, yingtai, conversation.id)
    privacy.set_consent(
        uow, actor=shanbo.actor, kind=privacy.PERSONALISED_RECOMMENDATIONS, granted=True
    )
    drain(uow)
    return Life(world, yingtai, shanbo, conversation.id)


def _inferred(uow: UnitOfWork, person: Person, conversation_id: uuid.UUID) -> None:
    """A behaviour event and a chat assistant's state of ``person``'s, written straight into
    the recommendations' and the assistant's tables (whatever those contexts' use cases do
    today): an erasure must leave nothing of them."""
    tables = Base.metadata.tables
    now = utcnow()
    with uow:
        if "behaviour_events" in tables:
            query = f"{person.values['display_name']} searched a plum umbrella"
            uow.session.execute(
                tables["behaviour_events"]
                .insert()
                .values(
                    id=uuid.uuid4(),
                    user_id=person.user.id,
                    kind="search",
                    query=query,
                    occurred_at=now,
                )
            )
            person.values["search"] = query
        if "assistant_states" in tables:
            wish = f"{person.values['display_name']} wishes for a wedding coat"
            uow.session.execute(
                tables["assistant_states"]
                .insert()
                .values(
                    user_id=person.user.id,
                    conversation_id=conversation_id,
                    preferences={"category": wish},
                    shown_prices=[],
                    updated_at=now,
                )
            )
            person.values["wish"] = wish


def drain(uow: UnitOfWork) -> None:
    """Relay every event and fire every due deadline, until nothing is left to do."""
    relay, scheduler = OutboxRelay(uow.db), Scheduler(uow.db, owner="tests")
    while relay.run_sync_until_idle() + scheduler.sweep_deadlines():
        pass


def every_value(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    """Every non-empty value of every column of every row of every table of ``Base.metadata``,
    as text: ``(table, column, value)``."""
    found: list[tuple[str, str, str]] = []
    with uow.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    found.append((table.name, column, _text(value)))
    return found


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return str(value)
