"""Sharing into chats and onto moments, and the ``share_link`` message kind."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import factories
from agora import chat, sharing, social
from agora.chat.models import MessageRow
from agora.core.errors import InvalidInput
from sharing.world import World, befriend


def _messages(world: World) -> int:
    with world.uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)


def test_a_share_to_a_friend_sends_one_share_link_card(world: World) -> None:
    befriend(world.uow, world.alice, world.bob)
    alice = factories.principal(world.alice)
    product = world.coat.product

    shared = sharing.share_with_friend(
        world.uow,
        actor=alice,
        friend_id=world.bob.id,
        target_type="product",
        target_id=product.id,
        text="Look at this",
    )
    again = sharing.share_with_friend(
        world.uow, actor=alice, friend_id=world.bob.id, target_type="product", target_id=product.id
    )

    assert shared.created and not again.created and again.share.id == shared.share.id
    assert shared.share.channel == "chat_direct"
    assert shared.message is not None and shared.message.kind == "share_link"
    code = shared.share.code
    assert shared.message.body == {
        "code": code,
        "target_type": "product",
        "target_id": str(product.id),
        "title_en": "Wool Coat",
        "title_zh": "羊毛外套",
        "price": 29900,
        "currency": "CNY",
        "image_url": product.image_url,
        "url": f"/s/{code}",
    }
    # Bob sees the card, then the text, once each despite the double share
    page = chat.history(
        world.uow,
        actor=factories.principal(world.bob),
        conversation_id=shared.share.conversation_id,
    )
    kinds = [m.kind for m in page]
    assert kinds.count("share_link") == 1 and kinds.count("text") == 1


def test_a_share_into_a_conversation_that_is_not_mine_changes_nothing(world: World) -> None:
    befriend(world.uow, world.bob, world.carol)
    theirs = chat.direct_conversation(
        world.uow, actor=factories.principal(world.bob), other_user_id=world.carol.id
    )
    before = _messages(world)
    with pytest.raises(chat.ConversationNotFound):
        sharing.share_to(
            world.uow,
            actor=factories.principal(world.alice),
            target_type="product",
            target_id=world.coat.product.id,
            channel="chat_direct",
            conversation_id=theirs.id,
        )
    assert world.count(sharing.Share) == 0 and _messages(world) == before


def test_the_channel_must_match_the_conversation(world: World) -> None:
    befriend(world.uow, world.alice, world.bob)
    alice = factories.principal(world.alice)
    direct = chat.direct_conversation(world.uow, actor=alice, other_user_id=world.bob.id)
    with pytest.raises(InvalidInput):
        sharing.share_to(
            world.uow,
            actor=alice,
            target_type="product",
            target_id=world.coat.product.id,
            channel="chat_group",
            conversation_id=direct.id,
        )
    with pytest.raises(InvalidInput):
        sharing.share_to(
            world.uow,
            actor=alice,
            target_type="product",
            target_id=world.coat.product.id,
            channel="chat_direct",
        )
    assert world.count(sharing.Share) == 0


def test_a_share_to_a_group_and_to_moments(world: World) -> None:
    befriend(world.uow, world.alice, world.bob)
    alice = factories.principal(world.alice)
    group = chat.create_group(world.uow, actor=alice, title="Coats", member_ids=[world.bob.id])
    product_id = world.coat.product.id

    in_group = sharing.share_to(
        world.uow,
        actor=alice,
        target_type="product",
        target_id=product_id,
        channel="chat_group",
        conversation_id=group.id,
    )
    on_moments = sharing.share_to(
        world.uow,
        actor=alice,
        target_type="product",
        target_id=product_id,
        channel="moments",
        text="Warm!",
    )
    sharing.share_to(  # a double click posts one moment
        world.uow, actor=alice, target_type="product", target_id=product_id, channel="moments"
    )

    assert in_group.message is not None and in_group.share.conversation_id == group.id
    assert on_moments.moment is not None
    assert on_moments.moment.share_code == on_moments.share.code
    assert on_moments.moment.text == "Warm!"
    feed = social.feed(world.uow, actor=factories.principal(world.bob))
    assert [m.share_code for m in feed.items] == [on_moments.share.code]


def test_only_the_sharer_may_send_a_share_link(world: World) -> None:
    befriend(world.uow, world.alice, world.bob)
    alices = world.share(world.alice)
    bob = factories.principal(world.bob)
    direct = chat.direct_conversation(world.uow, actor=bob, other_user_id=world.alice.id)
    before = _messages(world)
    for body in ({"code": alices.code}, {"code": "nope"}, {}):
        with pytest.raises(InvalidInput):
            chat.send_message(
                world.uow,
                actor=bob,
                conversation_id=direct.id,
                kind="share_link",
                body=body,
                client_id="c-1",
            )
    assert _messages(world) == before
