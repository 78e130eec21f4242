"""Store conversations, the shared inbox and order cards, through the use cases."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from agora import catalog, chat, customer_service, ordering
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.core.clock import clock, utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from customer_service.conftest import ServiceWorld
from factories import make_user, principal
from ordering.world import buy


def _say(uow: UnitOfWork, actor: Principal, cid: uuid.UUID, text: str) -> chat.MessageView:
    return chat.send_message(
        uow,
        actor=actor,
        conversation_id=cid,
        kind="text",
        body={"text": text},
        client_id=uuid.uuid4().hex,
    )


def _chat_rows(uow: UnitOfWork) -> dict[str, Any]:
    """Everything a refused action must leave as it was."""
    with uow.read() as session:
        return {
            "conversations": session.scalar(select(func.count()).select_from(ConversationRow)),
            "members": sorted(
                (str(m.conversation_id), str(m.user_id), m.role, m.read_seq, m.left_at is None)
                for m in session.scalars(select(MemberRow))
            ),
            "messages": sorted(
                (str(m.conversation_id), m.seq, m.kind, str(m.body))
                for m in session.scalars(select(MessageRow))
            ),
        }


def test_opening_twice_gives_the_same_conversation_titled_with_the_store(
    world: ServiceWorld,
) -> None:
    uow = world.uow
    first = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id)
    again = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id)

    assert again.id == first.id
    assert first.kind == "store" and first.store_id == world.store_a.id
    assert first.name_for(world.buyer.user_id) == "North Wind"
    # The shopper is shown the store, not the people who answer for it.
    assert [m.user_id for m in first.members] == [world.buyer.user_id]
    [listed] = chat.list_conversations(uow, actor=world.buyer)
    assert listed.id == first.id and listed.store_name_zh == "北风"


def test_a_shopper_has_one_conversation_per_store(world: ServiceWorld) -> None:
    uow = world.uow
    a = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id)
    b = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_b.id)
    other = customer_service.open_store_chat(uow, actor=world.other, store_id=world.store_a.id)

    assert len({a.id, b.id, other.id}) == 3


def test_staff_cannot_contact_their_own_store_and_a_suspended_store_is_not_found(
    world: ServiceWorld,
) -> None:
    uow = world.uow
    with pytest.raises(customer_service.OwnStore):
        customer_service.open_store_chat(uow, actor=world.merchant_a, store_id=world.store_a.id)
    catalog.set_store_status(uow, actor=world.ops, store_id=world.store_b.id, status="suspended")
    with pytest.raises(catalog.StoreNotFound):
        customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_b.id)
    with pytest.raises(catalog.StoreNotFound):
        customer_service.open_store_chat(uow, actor=world.buyer, store_id=uuid.uuid4())
    assert _chat_rows(uow)["conversations"] == 0


def test_staff_read_and_answer_as_the_store_and_the_store_unread_count_moves(
    world: ServiceWorld,
) -> None:
    uow = world.uow
    assert world.helper is not None
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    _say(uow, world.buyer, cid, "Is the red coat warm?")
    _say(uow, world.buyer, cid, "Size M?")

    inbox = customer_service.store_inbox(uow, actor=world.helper, store_id=world.store_a.id)
    assert inbox.unread_total == 2
    [line] = inbox.items
    assert (line.id, line.shopper_name, line.unread) == (cid, "Buyer", 2)
    assert customer_service.inbox_unread(uow, actor=world.merchant_a) == 2

    # The owner reads it: it is read for the whole store.
    view, access = customer_service.staff_conversation(
        uow, actor=world.merchant_a, conversation_id=cid
    )
    assert access.as_staff and view.my_role == "staff"
    assert view.name_for(world.merchant_a.user_id) == "Buyer"
    chat.mark_read(uow, actor=world.merchant_a, conversation_id=cid, seq=view.last_seq)
    assert customer_service.inbox_unread(uow, actor=world.helper) == 0

    # The helper answers; the shopper sees an unread message, the store none.
    reply = _say(uow, world.helper, cid, "Very warm, and M is in stock.")
    assert reply.sender_id == world.helper.user_id  # who answered is recorded for the store
    [mine] = chat.list_conversations(uow, actor=world.buyer)
    assert mine.unread == 1
    assert customer_service.inbox_unread(uow, actor=world.merchant_a) == 0
    history = chat.history(uow, actor=world.buyer, conversation_id=cid)
    assert [m.body["text"] for m in history] == [
        "Is the red coat warm?",
        "Size M?",
        "Very warm, and M is in stock.",
    ]
    # Staff answer in the inbox: the conversation is not in their own chat list.
    assert chat.list_conversations(uow, actor=world.helper) == []


def test_staff_who_join_the_store_later_join_its_conversations_at_the_inbox(
    world: ServiceWorld,
) -> None:
    uow = world.uow
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    _say(uow, world.buyer, cid, "Hello?")
    newcomer = make_user(uow, name="Newcomer")
    catalog.add_staff(
        uow, actor=world.merchant_a, store_id=world.store_a.id, user_id=newcomer.id, role="staff"
    )
    with pytest.raises(chat.ConversationNotFound):
        chat.history(uow, actor=principal(newcomer), conversation_id=cid)

    inbox = customer_service.store_inbox(uow, actor=principal(newcomer), store_id=world.store_a.id)

    assert [i.id for i in inbox.items] == [cid]
    history = chat.history(uow, actor=principal(newcomer), conversation_id=cid)
    assert [m.body["text"] for m in history] == ["Hello?"]  # the whole history, for the store


def test_a_merchant_of_another_store_is_refused_reading_or_answering(world: ServiceWorld) -> None:
    uow = world.uow
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    _say(uow, world.buyer, cid, "Hello store A")
    before = _chat_rows(uow)

    with pytest.raises(chat.ConversationNotFound):
        customer_service.staff_conversation(uow, actor=world.merchant_b, conversation_id=cid)
    with pytest.raises(chat.ConversationNotFound):
        chat.history(uow, actor=world.merchant_b, conversation_id=cid)
    with pytest.raises(chat.ConversationNotFound):
        _say(uow, world.merchant_b, cid, "I am not store A")
    with pytest.raises(chat.ConversationNotFound):
        chat.mark_read(uow, actor=world.merchant_b, conversation_id=cid, seq=1)
    with pytest.raises(catalog.StoreNotFound):
        customer_service.store_inbox(uow, actor=world.merchant_b, store_id=world.store_a.id)
    with pytest.raises(catalog.StoreNotFound):  # operators do not read stores' customers
        customer_service.store_inbox(uow, actor=world.ops, store_id=world.store_a.id)

    assert _chat_rows(uow) == before


def test_a_shopper_cannot_read_another_shoppers_store_conversation(world: ServiceWorld) -> None:
    uow = world.uow
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    _say(uow, world.buyer, cid, "My address is private")
    before = _chat_rows(uow)

    with pytest.raises(chat.ConversationNotFound):
        chat.history(uow, actor=world.other, conversation_id=cid)
    with pytest.raises(chat.ConversationNotFound):
        customer_service.store_chat_access(uow, actor=world.other, conversation_id=cid)
    with pytest.raises(chat.ConversationNotFound):
        customer_service.order_choices(uow, actor=world.other, conversation_id=cid)
    with pytest.raises(chat.ConversationNotFound):
        _say(uow, world.other, cid, "peek")

    assert _chat_rows(uow) == before


def test_an_order_card_is_a_snapshot_of_an_order_between_them(world: ServiceWorld) -> None:
    uow = world.uow
    assert world.helper is not None
    order = buy(world, world.red_coat, quantity=2)
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id

    [choice] = customer_service.order_choices(uow, actor=world.helper, conversation_id=cid)
    card = customer_service.send_order_card(
        uow, actor=world.helper, conversation_id=cid, order_id=order.id, client_id="card-1"
    )
    again = customer_service.send_order_card(
        uow, actor=world.helper, conversation_id=cid, order_id=order.id, client_id="card-1"
    )

    assert choice.order_id == order.id and choice.item_count == 2
    assert again.seq == card.seq  # a retry sends nothing more
    assert card.kind == "order_card" and card.sender_id == world.helper.user_id
    assert card.body == {
        "order_id": str(order.id),
        "number": order.number,
        "short_id": order.id.hex[-8:].upper(),
        "store_id": str(world.store_a.id),
        "title_en": "Wool Coat",
        "title_zh": "羊毛外套",
        "image_url": card.body["image_url"],
        "item_count": 2,
        "total": 59800,
        "currency": "CNY",
        "status": "pending_payment",
    }
    assert card.body["image_url"]
    # The shopper may send one too.
    mine = customer_service.send_order_card(
        uow, actor=world.buyer, conversation_id=cid, order_id=order.id, client_id="card-2"
    )
    assert mine.seq == card.seq + 1


def test_an_order_card_for_a_foreign_order_is_refused_and_nothing_is_sent(
    world: ServiceWorld,
) -> None:
    uow = world.uow
    mine_at_a = buy(world, world.red_coat)
    mine_at_b = buy(world, world.dress_sku)
    [others_at_a] = ordering.place_orders(
        uow, actor=world.other, lines=[ordering.LineRequest(world.red_coat, 1)]
    )
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    before = _chat_rows(uow)

    for actor, order_id in [
        (world.merchant_a, others_at_a.id),  # another shopper's order with this store
        (world.buyer, mine_at_b.id),  # the shopper's order with another store
        (world.buyer, uuid.uuid4()),
    ]:
        with pytest.raises(ordering.OrderNotFound):
            customer_service.send_order_card(
                uow, actor=actor, conversation_id=cid, order_id=order_id, client_id="x"
            )
    with pytest.raises(chat.ConversationNotFound):  # staff of another store
        customer_service.send_order_card(
            uow, actor=world.merchant_b, conversation_id=cid, order_id=mine_at_a.id, client_id="y"
        )
    # A card forged through the ordinary send (API, socket) is refused.
    with pytest.raises(customer_service.OrderCardRefused):
        chat.send_message(
            uow,
            actor=world.buyer,
            conversation_id=cid,
            kind="order_card",
            body={"order_id": str(mine_at_a.id)},
            client_id="forged",
        )

    assert _chat_rows(uow) == before
    assert [
        c.order_id
        for c in customer_service.order_choices(uow, actor=world.buyer, conversation_id=cid)
    ] == [mine_at_a.id]


def test_resume_and_recall_work_on_a_store_conversation(world: ServiceWorld) -> None:
    uow = world.uow
    cid = customer_service.open_store_chat(uow, actor=world.buyer, store_id=world.store_a.id).id
    clock.freeze(utcnow())
    first = _say(uow, world.buyer, cid, "one")
    reply = _say(uow, world.merchant_a, cid, "two")
    _say(uow, world.buyer, cid, "three")

    after_first = chat.history(uow, actor=world.merchant_a, conversation_id=cid, after=first.seq)
    assert [m.seq for m in after_first] == [2, 3]

    chat.recall_message(uow, actor=world.merchant_a, conversation_id=cid, seq=reply.seq)
    seen = chat.history(uow, actor=world.buyer, conversation_id=cid, after=0)
    assert [(m.seq, m.recalled, m.body) for m in seen][1] == (2, True, {})
    with pytest.raises(chat.NotYourMessage):  # staff recall their own messages only
        chat.recall_message(uow, actor=world.merchant_a, conversation_id=cid, seq=3)
    clock.travel(timedelta(seconds=121))
    with pytest.raises(chat.RecallWindowPassed):
        chat.recall_message(uow, actor=world.buyer, conversation_id=cid, seq=3)


def test_the_inbox_is_newest_activity_first_and_pages_by_cursor(world: ServiceWorld) -> None:
    uow = world.uow
    clock.freeze(utcnow())
    shoppers = [principal(make_user(uow, name=f"Shopper {i}")) for i in range(3)]
    ids = []
    for shopper in shoppers:
        clock.travel(timedelta(seconds=1))
        cid = customer_service.open_store_chat(uow, actor=shopper, store_id=world.store_a.id).id
        _say(uow, shopper, cid, "hi")
        ids.append(cid)
    clock.travel(timedelta(seconds=1))
    _say(uow, shoppers[0], ids[0], "still there?")

    first = customer_service.store_inbox(
        uow, actor=world.merchant_a, store_id=world.store_a.id, limit=2
    )
    rest = customer_service.store_inbox(
        uow, actor=world.merchant_a, store_id=world.store_a.id, cursor=first.next_cursor, limit=2
    )

    assert [i.id for i in first.items] == [ids[0], ids[2]]
    assert [i.id for i in rest.items] == [ids[1]] and rest.next_cursor is None
    assert [i.unread for i in first.items] == [2, 1] and first.unread_total == 4
