"""The feeds served from memory and finished against the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import factories
from agora import privacy
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from agora.recommendations import cards, feeds, price_level_for
from agora.recommendations.serving import STORE
from agora.recommendations.training import train
from recommendations.feeds_world import NOW, World, build


@pytest.fixture
def world(uow: UnitOfWork, tmp_path: Path) -> Iterator[World]:
    clock.freeze(NOW)
    world = build(uow)
    yield world
    STORE.close()


def _ids(world: World, recommendations: list[feeds.Recommendation]) -> list[str]:
    names = {world.id(k): k for k in world.products}
    return [names[r.product_id] for r in recommendations]


def _guess(world: World, key: str, n: int = 20) -> list[feeds.Recommendation]:
    with world.uow.read() as session:
        return feeds.guess_you_like(world.users[key].id, n, session=session)


def test_guess_you_like_explains_picks_by_what_the_shopper_viewed(
    world: World, tmp_path: Path
) -> None:
    world.train(tmp_path / "model.npz")

    picks = _guess(world, "ann")

    personal = [p for p in picks if p.reason_code == feeds.BECAUSE_VIEWED]
    assert personal, [p.reason_code for p in picks]
    assert all(p.card is not None for p in picks)
    # Each pick is explained by another item she looked at, never by itself
    assert all(p.reason_args["title_en"] in ("Coat 0", "Coat 1", "Dress 1") for p in personal)
    assert all(p.card and p.reason_args["title_en"] != p.card.title_en for p in personal)
    first = personal[0]
    assert feeds.reason_text(first) == f"Because you viewed {first.reason_args['title_en']}"


def test_the_feed_leaves_out_what_was_bought_dismissed_sold_out_or_delisted(
    world: World, tmp_path: Path
) -> None:
    world.train(tmp_path / "model.npz")
    before = _ids(world, _guess(world, "dan", 30))
    assert {"coat-0", "dress-2", "phone-0"} <= set(before)

    world.paid_order("dan", "coat-0")  # bought since the training
    world.events("dan", "dismiss", "dress-2")  # dismissed in another process
    feeds.dismiss(world.users["dan"].id, world.id("coat-6"))  # dismissed here, no event yet
    world.sell_out("phone-0")
    world.delist("phone-1")
    clock.travel(timedelta(seconds=cards.FRESH_SECONDS + 1))  # cards are kept that long

    after = _ids(world, _guess(world, "dan", 30))
    gone = {"coat-0", "dress-2", "coat-6", "phone-0", "phone-1"}
    assert not gone & set(after)
    assert set(before) - gone <= set(after)


def test_a_new_shopper_gets_what_is_popular_with_its_category(world: World, tmp_path: Path) -> None:
    world.train(tmp_path / "model.npz")
    world.shopper("newcomer")

    picks = _guess(world, "newcomer", 3)

    assert _ids(world, picks) == ["coat-0", "dress-2", "phone-0"]
    assert [p.reason_code for p in picks] == [feeds.POPULAR_IN] * 3
    assert feeds.reason_text(picks[0]) == "Popular in Coats"


def test_a_withdrawn_consent_stops_personal_picks_before_the_next_training(
    world: World, tmp_path: Path
) -> None:
    world.train(tmp_path / "model.npz")
    privacy.set_consent(
        world.uow,
        actor=factories.principal(world.users["ann"]),
        kind=privacy.PERSONALISED_RECOMMENDATIONS,
        granted=False,
    )

    picks = _guess(world, "ann")

    assert {p.reason_code for p in picks} == {feeds.POPULAR_IN}


def test_items_far_above_a_thrifty_shoppers_usual_price_sink(world: World, tmp_path: Path) -> None:
    # Fay buys cheap coats; the popular coats are the dearest ones.
    fay = world.shopper("fay")
    for key in ("coat-0", "coat-1"):
        world.paid_order("fay", key, at=NOW - timedelta(days=3))
        world.events("fay", "purchase", key, at=NOW - timedelta(days=3), amount=10_000)
    for buyer in ("ben", "cai", "dan", "eve"):
        world.paid_order(buyer, "coat-11", "coat-10", at=NOW - timedelta(days=1))
    world.train(tmp_path / "model.npz")
    with world.uow.read() as session:
        level = price_level_for(session, fay.id, world.categories["coats"].id)
        plain = feeds.guess_you_like(world.users["zed"].id, 30, session=session)
    assert level is not None and level.typical_max < 110_000 / feeds.FAR_ABOVE

    picks = _ids(world, _guess(world, "fay", 30))

    unranked = _ids(world, plain)
    assert unranked.index("coat-11") < unranked.index("coat-2")  # for a shopper without a level
    assert picks.index("coat-11") > picks.index("coat-2")  # for Fay it sinks below a cheap coat


def test_similar_items_and_bought_together_come_from_the_model_and_the_orders(
    world: World, tmp_path: Path
) -> None:
    world.train(tmp_path / "model.npz")
    with world.uow.read() as session:
        similar = feeds.similar_items(world.id("coat-1"), 5, session=session)
        together = feeds.bought_together(world.id("coat-0"), 5, session=session)
        unknown = feeds.similar_items(world.id("coat-9"), 3, session=session)

    assert similar and "coat-1" not in _ids(world, similar)
    assert similar[0].reason_code == feeds.SIMILAR
    assert feeds.reason_text(similar[0]) == "Similar to Coat 1"
    assert _ids(world, together) == ["dress-2"]
    assert feeds.reason_text(together[0]) == "Bought together with Coat 0"
    # Nobody touched coat 9: its category's popular items stand in.
    assert [r.reason_code for r in unknown] == [feeds.POPULAR_IN] * len(unknown)
    assert unknown and "coat-9" not in _ids(world, unknown)


def test_friends_bought_shows_only_what_friends_bought_and_chose_to_share(
    world: World, tmp_path: Path
) -> None:
    world.befriend("ann", "ben")
    world.befriend("ann", "cai")
    world.share("ben", "coat-0")  # bought, shared in a chat
    world.share("cai", "dress-2", channel="moments")  # bought, shared in moments
    world.share("ben", "coat-3")  # shared, never bought
    world.paid_order("ben", "coat-7")  # bought, never shared
    world.share("zed", "phone-0")  # bought and shared, but no friend of Ann's
    world.share("cai", "coat-0", channel="external")  # an outside link: not a share with friends
    world.train(tmp_path / "model.npz")

    with world.uow.read() as session:
        picks = feeds.friends_bought(session, world.users["ann"].id)
        strangers = feeds.friends_bought(session, world.users["eve"].id)

    assert sorted(_ids(world, picks)) == ["coat-0", "dress-2"]
    by_product = {world.products[k].product.id: k for k in world.products}
    names = {by_product[p.product_id]: p.reason_args["name"] for p in picks}
    assert names == {"coat-0": "Ben", "dress-2": "Cai"}
    assert feeds.reason_text(picks[0]) in ("Ben bought this", "Cai bought this")
    assert strangers == []


def test_a_new_model_file_replaces_the_snapshot_in_memory(world: World, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    world.train(path)
    first = STORE.current()
    newcomer = world.shopper("newcomer")
    world.events("newcomer", "view", "coat-5", "coat-6")

    clock.freeze(NOW + timedelta(hours=6))
    train(world.uow, path, top_n=50)
    assert STORE.current() is first  # not re-read before the check interval
    assert STORE.refresh(wait=True)

    assert STORE.current().trained_at == NOW + timedelta(hours=6)
    assert newcomer.id in STORE.current().user_row and newcomer.id not in first.user_row


def test_without_a_model_file_the_feeds_are_empty_and_nothing_fails(
    world: World, tmp_path: Path
) -> None:
    STORE.open(tmp_path / "missing.npz")
    with world.uow.read() as session:
        assert feeds.guess_you_like(world.users["ann"].id, session=session) == []
        assert feeds.similar_items(world.id("coat-0"), session=session) == []
        assert feeds.bought_together(world.id("coat-0"), session=session) == []
    assert feeds.guess_you_like(uuid.uuid4()) == []
