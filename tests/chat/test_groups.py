"""Groups: creation among friends, invitations, removal, roles, leaving, renaming, muting; each
membership change is a system message in the conversation."""

from __future__ import annotations

import pytest

from agora import chat, social
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from chat.conftest import Trio
from chat.world import Recorder, befriend, person


def events(uow: UnitOfWork, actor: Principal, conversation_id) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [
        (m.body["event"], m.body["names"])
        for m in chat.history(uow, actor=actor, conversation_id=conversation_id)
        if m.kind == "system"
    ]


def members(uow: UnitOfWork, actor: Principal, conversation_id) -> dict[str, str]:  # type: ignore[no-untyped-def]
    view = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
    return {m.display_name: m.role for m in view.members}


def test_a_group_starts_with_its_owner_and_chosen_friends(uow: UnitOfWork, trio: Trio) -> None:
    group = chat.create_group(
        uow,
        actor=trio.alice,
        title="  Weekend   deals ",
        member_ids=[trio.bob.user_id, trio.carol.user_id],
    )

    assert (group.kind, group.title, group.owner_id) == (
        "group",
        "Weekend deals",
        trio.alice.user_id,
    )
    assert members(uow, trio.bob, group.id) == {
        "Alice": "owner",
        "Bob": "member",
        "Carol": "member",
    }
    assert events(uow, trio.carol, group.id) == [("created", ["Bob", "Carol"])]
    # The creator wrote the system message, so only the others have it unread.
    unread = {c.id: c.unread for c in chat.list_conversations(uow, actor=trio.bob)}
    assert unread[group.id] == 1
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=group.id).unread == 0


def test_an_invited_friend_sees_messages_from_the_invitation_on(
    uow: UnitOfWork, trio: Trio
) -> None:
    dave = person(uow, "Dave")
    befriend(uow, trio.alice, dave)
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])
    chat.send_message(
        uow,
        actor=trio.bob,
        conversation_id=group.id,
        kind="text",
        body={"text": "before"},
        client_id="1",
    )

    chat.invite(uow, actor=trio.alice, conversation_id=group.id, user_ids=[dave.user_id])
    chat.send_message(
        uow,
        actor=trio.bob,
        conversation_id=group.id,
        kind="text",
        body={"text": "after"},
        client_id="2",
    )

    seen = chat.history(uow, actor=dave, conversation_id=group.id)
    assert [(m.seq, m.kind) for m in seen] == [(3, "system"), (4, "text")]
    assert seen[0].body["event"] == "invited" and seen[0].body["names"] == ["Dave"]
    view = chat.get_conversation(uow, actor=dave, conversation_id=group.id)
    assert (view.joined_seq, view.unread) == (2, 2)


def test_roles_decide_who_may_remove_whom(uow: UnitOfWork, trio: Trio) -> None:
    dave = person(uow, "Dave")
    befriend(uow, trio.alice, dave)
    group = chat.create_group(
        uow,
        actor=trio.alice,
        title="G",
        member_ids=[trio.bob.user_id, trio.carol.user_id, dave.user_id],
    )
    chat.set_role(
        uow, actor=trio.alice, conversation_id=group.id, user_id=trio.bob.user_id, role="admin"
    )
    chat.set_role(
        uow, actor=trio.alice, conversation_id=group.id, user_id=trio.carol.user_id, role="admin"
    )

    # An admin cannot remove the owner or another admin; a member cannot remove anyone.
    for actor, target in [(trio.bob, trio.alice), (trio.bob, trio.carol), (dave, trio.carol)]:
        with pytest.raises(chat.NotAllowedInGroup):
            chat.remove_member(uow, actor=actor, conversation_id=group.id, user_id=target.user_id)
    with pytest.raises(chat.NotAllowedInGroup):
        chat.set_role(
            uow, actor=trio.bob, conversation_id=group.id, user_id=dave.user_id, role="admin"
        )
    assert members(uow, trio.alice, group.id) == {
        "Alice": "owner",
        "Bob": "admin",
        "Carol": "admin",
        "Dave": "member",
    }

    chat.remove_member(uow, actor=trio.bob, conversation_id=group.id, user_id=dave.user_id)
    chat.remove_member(uow, actor=trio.alice, conversation_id=group.id, user_id=trio.carol.user_id)

    assert members(uow, trio.alice, group.id) == {"Alice": "owner", "Bob": "admin"}
    with pytest.raises(chat.ConversationNotFound):
        chat.history(uow, actor=dave, conversation_id=group.id)
    assert events(uow, trio.alice, group.id)[-2:] == [("removed", ["Dave"]), ("removed", ["Carol"])]


def test_the_owner_leaving_hands_the_group_to_the_longest_standing_admin(
    uow: UnitOfWork, trio: Trio
) -> None:
    group = chat.create_group(
        uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id, trio.carol.user_id]
    )
    chat.set_role(
        uow, actor=trio.alice, conversation_id=group.id, user_id=trio.carol.user_id, role="admin"
    )

    chat.leave(uow, actor=trio.alice, conversation_id=group.id)

    view = chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id)
    assert view.owner_id == trio.carol.user_id
    assert members(uow, trio.bob, group.id) == {"Bob": "member", "Carol": "owner"}
    [*_, left] = chat.history(uow, actor=trio.bob, conversation_id=group.id)
    assert left.body["event"] == "left" and left.body["new_owner_name"] == "Carol"
    assert group.id not in {c.id for c in chat.list_conversations(uow, actor=trio.alice)}


def test_without_admins_the_longest_standing_member_inherits_and_the_last_closes(
    uow: UnitOfWork, trio: Trio
) -> None:
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])

    chat.leave(uow, actor=trio.alice, conversation_id=group.id)
    assert (
        chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id).owner_id
        == trio.bob.user_id
    )
    chat.leave(uow, actor=trio.bob, conversation_id=group.id)

    assert chat.list_conversations(uow, actor=trio.bob) == []
    with pytest.raises(chat.ConversationNotFound):
        chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id)


def test_rename_by_admin_and_mute_for_oneself(db, trio: Trio) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    uow = recorder.uow(db)
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])

    renamed = chat.rename(uow, actor=trio.alice, conversation_id=group.id, title="Coats 2026")
    chat.set_muted(uow, actor=trio.bob, conversation_id=group.id, muted=True)
    with pytest.raises(chat.NotAllowedInGroup):
        chat.rename(uow, actor=trio.bob, conversation_id=group.id, title="Mine")

    assert renamed.title == "Coats 2026"
    assert chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id).muted is True
    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=group.id).muted is False
    assert events(uow, trio.bob, group.id)[-1] == ("renamed", [])
    assert ("user", "conversation_added") in recorder.types()


def test_inviting_a_non_friend_or_a_blocker_is_refused_and_changes_nothing(
    uow: UnitOfWork, trio: Trio
) -> None:
    group = chat.create_group(uow, actor=trio.bob, title="G", member_ids=[trio.alice.user_id])
    before = chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id)

    with pytest.raises(chat.NotFriends):  # Bob and Carol are not friends
        chat.invite(uow, actor=trio.bob, conversation_id=group.id, user_ids=[trio.carol.user_id])
    with pytest.raises(chat.NotFriends):
        chat.create_group(uow, actor=trio.bob, title="H", member_ids=[trio.carol.user_id])
    social.block_user(uow, actor=trio.alice, user_id=trio.bob.user_id)
    with pytest.raises((chat.ChatBlocked, chat.NotFriends)):
        chat.create_group(uow, actor=trio.bob, title="H", member_ids=[trio.alice.user_id])

    after = chat.get_conversation(uow, actor=trio.bob, conversation_id=group.id)
    assert (after.last_seq, after.members) == (before.last_seq, before.members)
    assert [c.id for c in chat.list_conversations(uow, actor=trio.bob)] == [group.id]


def test_a_plain_member_cannot_invite(uow: UnitOfWork, trio: Trio) -> None:
    group = chat.create_group(uow, actor=trio.alice, title="G", member_ids=[trio.bob.user_id])
    befriend(uow, trio.bob, trio.carol)

    with pytest.raises(chat.NotAllowedInGroup):
        chat.invite(uow, actor=trio.bob, conversation_id=group.id, user_ids=[trio.carol.user_id])
    with pytest.raises(chat.AlreadyMembers):
        chat.invite(uow, actor=trio.alice, conversation_id=group.id, user_ids=[trio.bob.user_id])

    assert chat.get_conversation(uow, actor=trio.alice, conversation_id=group.id).last_seq == 1
