"""Social services against the real database: requests, blocks, people, follows, moments, and
every refusal with a before/after check."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from agora import social
from agora.core.clock import clock, utcnow
from agora.core.db import Database
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.social.models import FriendRequest, Moment, MomentComment, MomentLike
from social.people import People, Shop, befriend


def friends_of(uow: UnitOfWork, who: Principal) -> list[uuid.UUID]:
    with uow.read() as session:
        return social.friend_ids(session, who.user_id)


def count(uow: UnitOfWork, model: type) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- friend requests --------------------------------------------------------------------------


def test_request_then_accept_makes_friends_and_empties_the_lists(
    uow: UnitOfWork, people: People
) -> None:
    a, b = people.a, people.b
    sent = social.send_request(uow, actor=a, to_user_id=b.user_id, message="  hi Bob ")
    assert (sent.status, sent.message, sent.from_name, sent.to_name) == (
        "pending",
        "hi Bob",
        "Alice",
        "Bob",
    )
    assert [r.id for r in social.list_requests(uow, actor=b, direction="incoming")] == [sent.id]
    assert [r.id for r in social.list_requests(uow, actor=a, direction="outgoing")] == [sent.id]
    assert social.list_requests(uow, actor=a, direction="incoming") == []

    accepted = social.accept_request(uow, actor=b, request_id=sent.id)

    assert accepted.status == "accepted" and accepted.decided_at is not None
    assert friends_of(uow, a) == [b.user_id] and friends_of(uow, b) == [a.user_id]
    assert social.list_requests(uow, actor=b, direction="incoming") == []
    assert [p.display_name for p in social.list_friends(uow, actor=a)] == ["Bob"]
    # Accepting again is a no-op, not an error.
    assert social.accept_request(uow, actor=b, request_id=sent.id).status == "accepted"


def test_a_second_request_while_pending_returns_the_pending_one(
    uow: UnitOfWork, people: People
) -> None:
    first = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    again = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id, message="?")
    assert again.id == first.id and again.status == "pending"
    assert count(uow, FriendRequest) == 1


def test_asking_someone_who_asked_you_accepts_theirs(uow: UnitOfWork, people: People) -> None:
    theirs = social.send_request(uow, actor=people.b, to_user_id=people.a.user_id)
    answer = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    assert answer.id == theirs.id and answer.status == "accepted"
    assert friends_of(uow, people.a) == [people.b.user_id]
    assert count(uow, FriendRequest) == 1


def test_asking_a_friend_again_conflicts(uow: UnitOfWork, people: People) -> None:
    befriend(uow, people.a, people.b)
    with pytest.raises(social.AlreadyFriends):
        social.send_request(uow, actor=people.b, to_user_id=people.a.user_id)


def test_requests_to_yourself_or_nobody_are_refused(uow: UnitOfWork, people: People) -> None:
    with pytest.raises(social.NotYourself):
        social.send_request(uow, actor=people.a, to_user_id=people.a.user_id)
    with pytest.raises(social.UserNotFound):
        social.send_request(uow, actor=people.a, to_user_id=uuid.uuid4())
    with pytest.raises(InvalidInput):
        social.send_request(uow, actor=people.a, to_user_id=people.b.user_id, message="x" * 201)
    assert count(uow, FriendRequest) == 0


def test_requesting_someone_who_blocked_you_looks_like_nobody(
    uow: UnitOfWork, people: People
) -> None:
    social.block_user(uow, actor=people.b, user_id=people.a.user_id)
    before = count(uow, FriendRequest)
    with pytest.raises(social.UserNotFound) as blocked:
        social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    with pytest.raises(social.UserNotFound) as missing:
        social.send_request(uow, actor=people.a, to_user_id=uuid.uuid4())
    # The same error either way: the answer does not tell a block from a missing account.
    assert (blocked.value.code, str(blocked.value)) == (missing.value.code, str(missing.value))
    # And the one who blocked cannot ask either, until they unblock.
    with pytest.raises(social.UserNotFound):
        social.send_request(uow, actor=people.b, to_user_id=people.a.user_id)
    assert count(uow, FriendRequest) == before
    social.unblock_user(uow, actor=people.b, user_id=people.a.user_id)
    assert social.send_request(uow, actor=people.a, to_user_id=people.b.user_id).status == (
        "pending"
    )


def test_accepting_a_request_addressed_to_someone_else_is_not_found(
    uow: UnitOfWork, people: People
) -> None:
    sent = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    for intruder in (people.c, people.a):  # a third person, and the sender themself
        with pytest.raises(social.FriendRequestNotFound):
            social.accept_request(uow, actor=intruder, request_id=sent.id)
        with pytest.raises(social.FriendRequestNotFound):
            social.decline_request(uow, actor=intruder, request_id=sent.id)
    with pytest.raises(social.FriendRequestNotFound):
        social.cancel_request(uow, actor=people.b, request_id=sent.id)  # only the sender
    assert friends_of(uow, people.a) == [] and friends_of(uow, people.c) == []
    [still] = social.list_requests(uow, actor=people.b)
    assert still.id == sent.id and still.status == "pending"


def test_decline_and_cancel_close_the_request_and_allow_a_new_one(
    uow: UnitOfWork, people: People
) -> None:
    first = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    assert social.decline_request(uow, actor=people.b, request_id=first.id).status == "declined"
    with pytest.raises(social.FriendRequestDecided):
        social.accept_request(uow, actor=people.b, request_id=first.id)
    assert friends_of(uow, people.a) == []
    second = social.send_request(uow, actor=people.a, to_user_id=people.b.user_id)
    assert second.id != first.id
    assert social.cancel_request(uow, actor=people.a, request_id=second.id).status == "cancelled"
    assert social.cancel_request(uow, actor=people.a, request_id=second.id).status == "cancelled"
    with pytest.raises(social.FriendRequestDecided):
        social.accept_request(uow, actor=people.b, request_id=second.id)
    assert social.list_requests(uow, actor=people.b) == []


def test_removing_a_friend_ends_it_for_both(uow: UnitOfWork, people: People) -> None:
    befriend(uow, people.a, people.b)
    befriend(uow, people.a, people.c)
    assert social.remove_friend(uow, actor=people.b, friend_id=people.a.user_id)
    assert friends_of(uow, people.a) == [people.c.user_id]
    assert friends_of(uow, people.b) == []
    assert not social.remove_friend(uow, actor=people.b, friend_id=people.a.user_id)


# --- blocks and people ------------------------------------------------------------------------


def test_block_ends_friendship_and_pending_requests(uow: UnitOfWork, people: People) -> None:
    befriend(uow, people.a, people.b)
    pending = social.send_request(uow, actor=people.c, to_user_id=people.a.user_id)
    social.block_user(uow, actor=people.a, user_id=people.b.user_id)
    social.block_user(uow, actor=people.a, user_id=people.c.user_id)
    social.block_user(uow, actor=people.a, user_id=people.c.user_id)  # idempotent
    assert friends_of(uow, people.a) == []
    assert social.list_requests(uow, actor=people.a) == []
    with uow.read() as session:
        assert session.get(FriendRequest, pending.id).status == "cancelled"  # type: ignore[union-attr]
    assert {p.user_id for p in social.list_blocks(uow, actor=people.a)} == {
        people.b.user_id,
        people.c.user_id,
    }
    assert social.list_blocks(uow, actor=people.b) == []
    social.unblock_user(uow, actor=people.a, user_id=people.b.user_id)
    assert [p.user_id for p in social.list_blocks(uow, actor=people.a)] == [people.c.user_id]
    assert friends_of(uow, people.a) == []  # unblocking does not restore the friendship
    with pytest.raises(social.NotYourself):
        social.block_user(uow, actor=people.a, user_id=people.a.user_id)


def test_find_people_by_exact_email_or_name_only(uow: UnitOfWork, people: People) -> None:
    a = people.a
    found = social.find_people(uow, actor=a, query=people.bob.email.upper())  # type: ignore[union-attr]
    assert [(p.user_id, p.relation) for p in found] == [(people.b.user_id, "none")]
    assert [p.user_id for p in social.find_people(uow, actor=a, query="  carol ")] == [
        people.c.user_id
    ]
    assert social.find_people(uow, actor=a, query="Car") == []  # no prefix listing
    assert social.find_people(uow, actor=a, query="Alice") == []  # not yourself
    assert social.find_people(uow, actor=a, query="%") == []
    social.send_request(uow, actor=a, to_user_id=people.b.user_id)
    assert social.find_people(uow, actor=a, query="bob")[0].relation == "outgoing"
    assert social.find_people(uow, actor=people.b, query="alice")[0].relation == "incoming"
    # Whoever blocked you cannot be found; whom you blocked shows as blocked.
    social.block_user(uow, actor=people.c, user_id=a.user_id)
    assert social.find_people(uow, actor=a, query="Carol") == []
    assert social.find_people(uow, actor=people.c, query="Alice")[0].relation == "blocked"


# --- store follows ----------------------------------------------------------------------------


def test_follow_and_unfollow_a_store(uow: UnitOfWork, people: People, shop: Shop) -> None:
    store_id = shop.store.id
    social.follow_store(uow, actor=people.a, store_id=store_id)
    social.follow_store(uow, actor=people.a, store_id=store_id)
    social.follow_store(uow, actor=people.b, store_id=store_id)
    assert social.follower_count(uow, store_id) == 2
    assert social.is_following(uow, actor=people.a, store_id=store_id)
    [followed] = social.followed_stores(uow, actor=people.a)
    assert (followed.store_id, followed.name_en) == (store_id, "Cloud Coats")
    social.unfollow_store(uow, actor=people.a, store_id=store_id)
    social.unfollow_store(uow, actor=people.a, store_id=store_id)
    assert social.follower_count(uow, store_id) == 1
    assert social.followed_stores(uow, actor=people.a) == []
    from agora.catalog import StoreNotFound

    with pytest.raises(StoreNotFound):
        social.follow_store(uow, actor=people.a, store_id=uuid.uuid4())


# --- moments ----------------------------------------------------------------------------------


def test_moment_rules(uow: UnitOfWork, people: People, shop: Shop) -> None:
    ids = [d.product.id for d in shop.products]
    with pytest.raises(InvalidInput):
        social.post_moment(uow, actor=people.a, text="   ", product_ids=[])
    with pytest.raises(InvalidInput):
        social.post_moment(uow, actor=people.a, text="x" * 1001, product_ids=[])
    with pytest.raises(InvalidInput):
        social.post_moment(uow, actor=people.a, text="hi", product_ids=[uuid.uuid4()])
    with pytest.raises(InvalidInput) as too_many:
        social.post_moment(
            uow, actor=people.a, text="hi", product_ids=[uuid.uuid4() for _ in range(10)]
        )
    assert too_many.value.extra["errors"] == [
        {"field": "product_ids", "message": "at most 9 products"}
    ]
    with pytest.raises(InvalidInput):
        social.post_moment(uow, actor=people.a, text="hi", product_ids=[], share_code="a b")
    assert count(uow, Moment) == 0
    # Cards only, duplicates folded, and a full-length text are fine.
    cards_only = social.post_moment(uow, actor=people.a, text="", product_ids=[ids[0], ids[0]])
    assert len(cards_only.cards) == 1 and cards_only.text == ""
    long = social.post_moment(uow, actor=people.a, text="y" * 1000, product_ids=ids)
    assert len(long.cards) == 3


def test_cards_are_snapshots(uow: UnitOfWork, people: People, shop: Shop) -> None:
    from agora import catalog

    detail = shop.products[0]
    posted = social.post_moment(uow, actor=people.a, text="", product_ids=[detail.product.id])
    with uow:
        product = uow.session.get(catalog.Product, detail.product.id)
        assert product is not None
        product.title_en = "Renamed"
    again = social.get_moment(uow, actor=people.a, moment_id=posted.id)
    assert again.cards[0].title_en == "Coat 0"


def test_a_non_friend_cannot_see_like_or_comment_a_moment(uow: UnitOfWork, people: People) -> None:
    a, b, c = people.a, people.b, people.c
    befriend(uow, a, b)
    posted = social.post_moment(uow, actor=a, text="friends only", product_ids=[])
    likes, comments = count(uow, MomentLike), count(uow, MomentComment)
    for action in (
        lambda: social.get_moment(uow, actor=c, moment_id=posted.id),
        lambda: social.like_moment(uow, actor=c, moment_id=posted.id),
        lambda: social.unlike_moment(uow, actor=c, moment_id=posted.id),
        lambda: social.comment_on(uow, actor=c, moment_id=posted.id, text="hello"),
        lambda: social.delete_moment(uow, actor=c, moment_id=posted.id),
    ):
        with pytest.raises(social.MomentNotFound):
            action()
    assert social.feed(uow, actor=c).items == []
    assert (count(uow, MomentLike), count(uow, MomentComment)) == (likes, comments)
    # The friend sees it; once unfriended, not any more.
    assert [m.id for m in social.feed(uow, actor=b).items] == [posted.id]
    social.remove_friend(uow, actor=a, friend_id=b.user_id)
    assert social.feed(uow, actor=b).items == []
    with pytest.raises(social.MomentNotFound):
        social.get_moment(uow, actor=b, moment_id=posted.id)
    assert social.get_moment(uow, actor=a, moment_id=posted.id).text == "friends only"


def test_likes_and_comments(uow: UnitOfWork, people: People) -> None:
    a, b, c = people.a, people.b, people.c
    befriend(uow, a, b)
    befriend(uow, a, c)
    posted = social.post_moment(uow, actor=a, text="hello", product_ids=[])
    social.like_moment(uow, actor=b, moment_id=posted.id)
    clock.freeze(utcnow() + timedelta(seconds=1))
    view = social.like_moment(uow, actor=c, moment_id=posted.id)
    view = social.like_moment(uow, actor=c, moment_id=posted.id)  # idempotent
    assert (view.like_count, view.liked_by_me, view.last_likers) == (2, True, ["Carol", "Bob"])
    assert social.unlike_moment(uow, actor=c, moment_id=posted.id).like_count == 1
    assert social.unlike_moment(uow, actor=c, moment_id=posted.id).like_count == 1

    mine = social.comment_on(uow, actor=b, moment_id=posted.id, text=" nice ")
    theirs = social.comment_on(uow, actor=c, moment_id=posted.id, text="<b>wow</b>")
    with pytest.raises(InvalidInput):
        social.comment_on(uow, actor=b, moment_id=posted.id, text="z" * 501)
    thread = social.get_moment(uow, actor=a, moment_id=posted.id).comments
    assert [(x.author_name, x.text) for x in thread] == [("Bob", "nice"), ("Carol", "<b>wow</b>")]

    # Bob may not delete Carol's comment on Alice's moment (he sees it, but it is not his).
    with pytest.raises(social.CommentNotFound):
        social.delete_comment(uow, actor=b, moment_id=posted.id, comment_id=theirs.id)
    assert count(uow, MomentComment) == 2
    # The comment's author and the moment's author may.
    social.delete_comment(uow, actor=b, moment_id=posted.id, comment_id=mine.id)
    social.delete_comment(uow, actor=a, moment_id=posted.id, comment_id=theirs.id)
    assert count(uow, MomentComment) == 0


def test_only_the_author_deletes_a_moment(uow: UnitOfWork, people: People) -> None:
    befriend(uow, people.a, people.b)
    posted = social.post_moment(uow, actor=people.a, text="mine", product_ids=[])
    social.like_moment(uow, actor=people.b, moment_id=posted.id)
    social.comment_on(uow, actor=people.b, moment_id=posted.id, text="hi")
    with pytest.raises(social.MomentNotFound):
        social.delete_moment(uow, actor=people.b, moment_id=posted.id)
    assert count(uow, Moment) == 1
    social.delete_moment(uow, actor=people.a, moment_id=posted.id)
    assert (count(uow, Moment), count(uow, MomentLike), count(uow, MomentComment)) == (0, 0, 0)


def test_feed_pages_newest_first_without_gaps_or_repeats(uow: UnitOfWork, people: People) -> None:
    a, b, c = people.a, people.b, people.c
    befriend(uow, a, b)
    start = utcnow()
    posted = []
    for n in range(7):
        # Two moments share each instant: the id breaks the tie in the cursor.
        clock.freeze(start + timedelta(seconds=n // 2))
        author = a if n % 2 else b
        posted.append(social.post_moment(uow, actor=author, text=f"m{n}", product_ids=[]).id)
    social.post_moment(uow, actor=c, text="not a friend", product_ids=[])
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = social.feed(uow, actor=a, cursor=cursor, limit=3)
        seen += [m.id for m in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == list(reversed(posted))
    with pytest.raises(InvalidInput):
        social.feed(uow, actor=a, cursor="not-a-cursor")


def test_a_friend_request_is_pushed_to_the_person_asked(db: Database, people: People) -> None:
    pushed: list[tuple[str, dict[str, Any]]] = []
    live = UnitOfWork(db, publisher=lambda topic, event: pushed.append((topic, event)))
    sent = social.send_request(live, actor=people.a, to_user_id=people.b.user_id, message="hey")
    assert pushed == [
        (
            f"user:{people.b.user_id}",
            {
                "type": "social.friend_request",
                "request_id": str(sent.id),
                "from_id": str(people.a.user_id),
                "from_name": "Alice",
                "message": "hey",
            },
        )
    ]
    social.send_request(live, actor=people.a, to_user_id=people.b.user_id)  # the pending one
    assert len(pushed) == 1
    social.accept_request(live, actor=people.b, request_id=sent.id)
    assert pushed[-1][0] == f"user:{people.a.user_id}"
    assert pushed[-1][1]["type"] == "social.friend_accepted"
