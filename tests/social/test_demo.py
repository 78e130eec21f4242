"""The demo's social life: friendships, pending requests, follows, moments with cards, likes and
comments — and a second run that adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from agora import social
from agora.core.uow import UnitOfWork
from agora.demo.social import CHEN, SHOPPER, WANG, ZHAO, seed_social
from agora.identity import register
from agora.social.models import FriendRequest, Moment, MomentComment, MomentLike, StoreFollow
from factories import make_categories, make_operator, make_product, make_store, principal

NAMES = {SHOPPER: "Lin Mei", WANG: "Wang Lei", CHEN: "Chen Jing", ZHAO: "Zhao Yu"}


def _counts(uow: UnitOfWork) -> tuple[int, ...]:
    with uow.read() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (FriendRequest, Moment, MomentLike, MomentComment, StoreFollow)
        )


def test_the_demo_social_graph_and_feed(uow: UnitOfWork) -> None:
    from factories import CLIENT, PASSWORD

    users = {
        email: register(uow, identifier=email, password=PASSWORD, display_name=name, client=CLIENT)
        for email, name in NAMES.items()
    }
    ops = make_operator(uow)
    cats = make_categories(uow, ops)
    stores = {}
    for key in ("a", "b", "c"):
        owner = principal(users[SHOPPER])  # any staff will do for listing products
        store = make_store(uow, ops, users[SHOPPER], name_en=f"Store {key}")
        make_product(uow, owner, store, cats["coats"], title_en=f"Coat {key}1")
        make_product(uow, owner, store, cats["coats"], title_en=f"Coat {key}2")
        stores[key] = store

    added = seed_social(uow, users=users, stores=stores, password=PASSWORD)

    assert added == {
        "social_friendships": 3,
        "social_friend_requests": 2,
        "social_store_follows": 5,
        "social_moments": 3,
    }
    lin = principal(users[SHOPPER])
    assert {p.display_name for p in social.list_friends(uow, actor=lin)} == {
        "Wang Lei",
        "Chen Jing",
    }
    [incoming] = social.list_requests(uow, actor=lin)
    assert incoming.from_name == "Liu Yang 刘洋" and incoming.message
    feed = social.feed(uow, actor=lin).items
    assert [m.author_name for m in feed] == ["Lin Mei", "Chen Jing", "Wang Lei"]  # newest first
    assert len(feed[2].cards) == 2 and feed[2].like_count == 2 and len(feed[2].comments) == 2
    assert feed[0].cards[0].title_en == "Coat a2"
    assert len(social.followed_stores(uow, actor=lin)) == 2
    # Zhao Yu is nobody's friend yet: he sees only his own (empty) feed.
    assert social.feed(uow, actor=principal(users[ZHAO])).items == []

    before = _counts(uow)
    again = seed_social(uow, users=users, stores=stores, password=PASSWORD)
    assert set(again.values()) == {0}
    assert _counts(uow) == before


def test_a_re_run_after_people_acted_does_not_fail(uow: UnitOfWork) -> None:
    from factories import CLIENT, PASSWORD

    users = {
        email: register(uow, identifier=email, password=PASSWORD, display_name=name, client=CLIENT)
        for email, name in NAMES.items()
    }
    # Chen Jing and Zhao Yu became friends on their own before the demo ran.
    request = social.send_request(uow, actor=principal(users[CHEN]), to_user_id=users[ZHAO].id)
    social.accept_request(uow, actor=principal(users[ZHAO]), request_id=request.id)
    added = seed_social(uow, users=users, stores={}, password=PASSWORD)
    assert added["social_friend_requests"] == 1  # Liu → Lin; Chen → Zhao was moot
    assert added["social_moments"] == 3  # text-only and card-less where there are no stores
