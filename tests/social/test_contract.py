"""The functions chat and sharing code against: are_friends, friend_ids, blocked_between,
post_moment."""

from __future__ import annotations

from agora import social
from agora.core.uow import UnitOfWork
from social.people import People, Shop, befriend


def test_friendship_is_symmetric_and_listed_both_ways(uow: UnitOfWork, people: People) -> None:
    a, b, c = people.a, people.b, people.c
    with uow.read() as session:
        assert not social.are_friends(session, a.user_id, b.user_id)
    befriend(uow, a, b)
    with uow.read() as session:
        assert social.are_friends(session, a.user_id, b.user_id)
        assert social.are_friends(session, b.user_id, a.user_id)
        assert not social.are_friends(session, a.user_id, c.user_id)
        assert not social.are_friends(session, a.user_id, a.user_id)
        assert social.friend_ids(session, a.user_id) == [b.user_id]
        assert social.friend_ids(session, b.user_id) == [a.user_id]
        assert social.friend_ids(session, c.user_id) == []


def test_blocked_between_either_way_and_ends_friendship(uow: UnitOfWork, people: People) -> None:
    a, b, c = people.a, people.b, people.c
    befriend(uow, a, b)
    social.block_user(uow, actor=b, user_id=a.user_id)
    with uow.read() as session:
        assert social.blocked_between(session, a.user_id, b.user_id)
        assert social.blocked_between(session, b.user_id, a.user_id)
        assert not social.blocked_between(session, a.user_id, c.user_id)
        assert not social.are_friends(session, a.user_id, b.user_id)
    social.unblock_user(uow, actor=b, user_id=a.user_id)
    with uow.read() as session:
        assert not social.blocked_between(session, a.user_id, b.user_id)


def test_post_moment_snapshots_cards_and_links_to_the_share(
    uow: UnitOfWork, people: People, shop: Shop
) -> None:
    product = shop.products[0].product
    view = social.post_moment(
        uow, actor=people.a, text=" Look! ", product_ids=[product.id], share_code="abc123"
    )
    assert view.text == "Look!"
    assert view.author_id == people.a.user_id and view.share_code == "abc123"
    [card] = view.cards
    assert (card.id, card.title_en, card.title_zh) == (product.id, "Coat 0", "外套0")
    assert (card.price, card.currency, card.image_url) == (
        product.min_price,
        "CNY",
        product.image_url,
    )
    assert card.url == "/s/abc123"
    plain = social.post_moment(uow, actor=people.a, text="", product_ids=[product.id])
    assert plain.cards[0].url == f"/p/{product.id}"
