"""Conversations: the direct chat of two friends, groups and their membership, and the reads that
list them with unread counts.

Membership changes are written into the conversation as ``system`` messages (who did what, with
the names as they were), so history shows them and clients learn of them in sequence.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agora import catalog
from agora.chat import domain
from agora.chat.errors import (
    AlreadyMembers,
    ConversationNotFound,
    GroupFull,
    NotAGroup,
    NotAllowedInGroup,
    NotInGroup,
    PersonNotFound,
)
from agora.chat.messages import access_member, check_can_message
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.chat.sending import append
from agora.chat.views import ConversationView, MemberView, message_view
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User


def _names(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def _system(
    uow: UnitOfWork,
    conversation_id: uuid.UUID,
    actor: Principal,
    event: str,
    user_ids: list[uuid.UUID] | None = None,
    **extra: Any,
) -> int:
    """Write a membership event into the conversation; returns its seq."""
    ids = user_ids or []
    names = _names(uow.session, ids)
    body = {
        "event": event,
        "actor_id": str(actor.user_id),
        "actor_name": actor.display_name,
        "user_ids": [str(i) for i in ids],
        "names": [names.get(i, "") for i in ids],
        **extra,
    }
    view = append(
        uow,
        conversation_id=conversation_id,
        sender_id=actor.user_id,
        kind=domain.SYSTEM,
        body=body,
        client_id=f"system:{new_id()}",
    )
    return view.seq


def _announce(uow: UnitOfWork, conversation_id: uuid.UUID, user_ids: list[uuid.UUID]) -> None:
    """Tell each person's connections to start following the conversation."""
    for user_id in user_ids:
        uow.publish(
            f"user:{user_id}",
            {"type": "conversation_added", "conversation_id": str(conversation_id)},
        )


def _group_member(
    session: Session, actor: Principal, conversation_id: uuid.UUID
) -> tuple[ConversationRow, MemberRow]:
    conversation, member = access_member(session, actor.user_id, conversation_id)
    if conversation.kind != domain.GROUP:
        raise NotAGroup()
    return conversation, member


def _active_member(session: Session, conversation_id: uuid.UUID, user_id: uuid.UUID) -> MemberRow:
    member = session.get(MemberRow, (conversation_id, user_id))
    if member is None or member.left_at is not None:
        raise NotInGroup()
    return member


# --- direct chats -----------------------------------------------------------------------------


def direct_conversation(
    uow: UnitOfWork, *, actor: Principal, other_user_id: uuid.UUID
) -> ConversationView:
    """The actor's direct chat with a friend, created on first use. An existing chat opens even
    if they are no longer friends (its history stays readable; sending is refused).

    Raises InvalidInput (oneself), PersonNotFound, NotFriends, ChatBlocked.
    """
    if other_user_id == actor.user_id:
        raise InvalidInput(N_("You cannot start a chat with yourself."))
    with uow:
        session = uow.session
        other = session.get(User, other_user_id)
        if other is None or other.status != "active":
            raise PersonNotFound()
        key = domain.direct_key(actor.user_id, other_user_id)
        conversation_id = keyed_conversation(session, key)
        if conversation_id is None:
            check_can_message(session, actor.user_id, other_user_id)
            conversation_id = open_keyed_conversation(
                uow, key=key, kind=domain.DIRECT, member_ids=[actor.user_id, other_user_id]
            )
        return _view_of(session, actor.user_id, conversation_id)


def keyed_conversation(session: Session, key: str) -> uuid.UUID | None:
    """The conversation of a pair (a direct chat's two people, a shopper and a store)."""
    return session.scalar(select(ConversationRow.id).where(ConversationRow.direct_key == key))


def open_keyed_conversation(
    uow: UnitOfWork,
    *,
    key: str,
    kind: str,
    member_ids: list[uuid.UUID],
    store_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Create the conversation of ``key`` with ``member_ids`` as its members and tell them;
    opened twice at once, the unique key keeps one and the other reads it (inside ``with uow:``)."""
    session = uow.session
    now = utcnow()
    created: uuid.UUID | None = session.execute(
        upsert_insert(session, ConversationRow)
        .values(
            id=new_id(),
            kind=kind,
            store_id=store_id,
            direct_key=key,
            last_seq=0,
            created_at=now,
            last_activity_at=now,
        )
        .on_conflict_do_nothing(index_elements=["direct_key"])
        .returning(ConversationRow.id)
    ).scalar_one_or_none()
    if created is None:
        found = keyed_conversation(session, key)
        assert found is not None
        return found
    session.add_all(
        MemberRow(
            conversation_id=created,
            user_id=user_id,
            role=domain.MEMBER,
            joined_at=now,
            joined_seq=0,
            read_seq=0,
            muted=False,
        )
        for user_id in member_ids
    )
    session.flush()
    _announce(uow, created, member_ids)
    return created


# --- groups -----------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    clean = domain.clean_title(title)
    if clean is None:
        raise InvalidInput(
            N_("A group name needs 1 to 40 characters."), errors=[{"field": "title"}]
        )
    return clean


def create_group(
    uow: UnitOfWork, *, actor: Principal, title: str, member_ids: list[uuid.UUID]
) -> ConversationView:
    """A group owned by the actor with some of their friends.

    Raises InvalidInput (title, nobody chosen), NotFriends / ChatBlocked (a chosen person),
    GroupFull.
    """
    name = _clean_title(title)
    others = [uid for uid in dict.fromkeys(member_ids) if uid != actor.user_id]
    if not others:
        raise InvalidInput(N_("Choose at least one friend."), errors=[{"field": "member_ids"}])
    if len(others) + 1 > get_settings().chat_group_max_members:
        raise GroupFull()
    with uow:
        session = uow.session
        for user_id in others:
            check_can_message(session, actor.user_id, user_id)
        now = utcnow()
        conversation = ConversationRow(
            id=new_id(),
            kind=domain.GROUP,
            title=name,
            owner_id=actor.user_id,
            last_seq=0,
            created_at=now,
            last_activity_at=now,
        )
        session.add(conversation)
        session.flush()
        for user_id in [actor.user_id, *others]:
            session.add(
                MemberRow(
                    conversation_id=conversation.id,
                    user_id=user_id,
                    role=domain.OWNER if user_id == actor.user_id else domain.MEMBER,
                    joined_at=now,
                    joined_seq=0,
                    read_seq=0,
                    muted=False,
                )
            )
        session.flush()
        _system(uow, conversation.id, actor, "created", others, title=name)
        _announce(uow, conversation.id, [actor.user_id, *others])
        return _view_of(session, actor.user_id, conversation.id)


def invite(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> ConversationView:
    """Add friends of the actor (owner or admin) to a group; they see messages from here on.

    Raises ConversationNotFound, NotAGroup, NotAllowedInGroup, AlreadyMembers, NotFriends,
    ChatBlocked, GroupFull.
    """
    with uow:
        session = uow.session
        conversation, me = _group_member(session, actor, conversation_id)
        if not domain.can_manage(me.role):
            raise NotAllowedInGroup()
        rows = {
            row.user_id: row
            for row in session.scalars(
                select(MemberRow).where(MemberRow.conversation_id == conversation_id)
            )
        }
        active = {uid for uid, row in rows.items() if row.left_at is None}
        joining = [uid for uid in dict.fromkeys(user_ids) if uid not in active]
        if not joining:
            raise AlreadyMembers()
        for user_id in joining:
            check_can_message(session, actor.user_id, user_id)
        if len(active) + len(joining) > get_settings().chat_group_max_members:
            raise GroupFull()
        seq = _system(uow, conversation_id, actor, "invited", joining)
        now = utcnow()
        for user_id in joining:
            # They see the invitation itself (seq), and nothing before it.
            row = rows.get(user_id)
            if row is None:
                row = MemberRow(conversation_id=conversation_id, user_id=user_id)
                session.add(row)
            row.role, row.joined_at, row.left_at = domain.MEMBER, now, None
            row.joined_seq, row.read_seq, row.muted = seq - 1, seq - 1, False
        session.flush()
        _announce(uow, conversation_id, joining)
        return _view_of(session, actor.user_id, conversation.id)


def remove_member(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """The owner removes anyone else; an admin removes plain members.

    Raises ConversationNotFound, NotAGroup, NotAllowedInGroup, NotFound (not in the group).
    """
    if user_id == actor.user_id:
        raise InvalidInput(N_("To leave the group, use Leave."))
    with uow:
        session = uow.session
        _conversation, me = _group_member(session, actor, conversation_id)
        if not domain.can_manage(me.role):
            raise NotAllowedInGroup()
        target = _active_member(session, conversation_id, user_id)
        if not domain.can_remove(me.role, target.role):
            raise NotAllowedInGroup(N_("Admins can only remove members, not the owner or admins."))
        _system(uow, conversation_id, actor, "removed", [user_id])
        target.left_at, target.role = utcnow(), domain.MEMBER
        session.flush()


def leave(uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID) -> None:
    """Leave a group. An owner leaving hands the group to the longest-standing admin (else
    member); the last one out closes it."""
    with uow:
        session = uow.session
        conversation, me = _group_member(session, actor, conversation_id)
        extra: dict[str, Any] = {}
        if me.role == domain.OWNER:
            successor = session.scalar(
                select(MemberRow)
                .where(
                    MemberRow.conversation_id == conversation_id,
                    MemberRow.left_at.is_(None),
                    MemberRow.user_id != actor.user_id,
                )
                .order_by((MemberRow.role != domain.ADMIN), MemberRow.joined_at, MemberRow.user_id)
                .limit(1)
            )
            if successor is None:
                conversation.closed_at, conversation.owner_id = utcnow(), None
                extra["closed"] = True
            else:
                successor.role, conversation.owner_id = domain.OWNER, successor.user_id
                extra["new_owner_id"] = str(successor.user_id)
                extra["new_owner_name"] = _names(session, [successor.user_id]).get(
                    successor.user_id, ""
                )
        _system(uow, conversation_id, actor, "left", [actor.user_id], **extra)
        me.left_at, me.role = utcnow(), domain.MEMBER
        session.flush()


def set_role(
    uow: UnitOfWork,
    *,
    actor: Principal,
    conversation_id: uuid.UUID,
    user_id: uuid.UUID,
    role: str,
) -> None:
    """The owner makes a member an admin or an admin a member again."""
    if role not in (domain.ADMIN, domain.MEMBER):
        raise InvalidInput(N_("The role must be admin or member."), errors=[{"field": "role"}])
    with uow:
        session = uow.session
        _conversation, me = _group_member(session, actor, conversation_id)
        if me.role != domain.OWNER:
            raise NotAllowedInGroup(N_("Only the group's owner can change roles."))
        target = _active_member(session, conversation_id, user_id)
        if target.role == domain.OWNER:
            raise InvalidInput(N_("The owner's role cannot be changed."))
        if target.role == role:
            return
        target.role = role
        session.flush()
        _system(uow, conversation_id, actor, "role", [user_id], role=role)


def rename(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, title: str
) -> ConversationView:
    name = _clean_title(title)
    with uow:
        session = uow.session
        conversation, me = _group_member(session, actor, conversation_id)
        if not domain.can_manage(me.role):
            raise NotAllowedInGroup()
        if conversation.title != name:
            conversation.title = name
            session.flush()
            _system(uow, conversation_id, actor, "renamed", title=name)
        return _view_of(session, actor.user_id, conversation_id)


def set_muted(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, muted: bool
) -> None:
    """Silence (or not) this conversation's notifications for the actor alone."""
    with uow:
        _conversation, me = access_member(uow.session, actor.user_id, conversation_id)
        me.muted = muted
        uow.session.flush()


# --- reads ------------------------------------------------------------------------------------


def list_conversations(uow: UnitOfWork, *, actor: Principal) -> list[ConversationView]:
    """The actor's conversations, most recently active first, with unread counts, the last
    message and the members (four queries, whatever the number of conversations; a fifth names
    the stores of store conversations). The conversations a store's staff answer for the store
    are in the store's inbox, not here."""
    with uow.read() as session:
        pairs = session.execute(
            select(ConversationRow, MemberRow)
            .join(MemberRow, MemberRow.conversation_id == ConversationRow.id)
            .where(
                MemberRow.user_id == actor.user_id,
                MemberRow.left_at.is_(None),
                MemberRow.role != domain.STAFF,
            )
            .order_by(ConversationRow.last_activity_at.desc(), ConversationRow.id)
        ).all()
        return _views(session, [(row[0], row[1]) for row in pairs])


def unread_total(uow: UnitOfWork, *, actor: Principal) -> int:
    """Messages waiting in the actor's own conversations, for the chat tab's badge (one query).
    Muted conversations do not count, and neither do those answered for a store."""
    unread = ConversationRow.last_seq - MemberRow.read_seq
    with uow.read() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(unread), 0))
            .select_from(MemberRow)
            .join(ConversationRow, ConversationRow.id == MemberRow.conversation_id)
            .where(
                MemberRow.user_id == actor.user_id,
                MemberRow.left_at.is_(None),
                MemberRow.role != domain.STAFF,
                MemberRow.muted.is_(False),
                ConversationRow.last_seq > MemberRow.read_seq,
            )
        )
    return int(total or 0)


def get_conversation(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> ConversationView:
    with uow.read() as session:
        return _view_of(session, actor.user_id, conversation_id)


def conversation_cursors(uow: UnitOfWork, *, actor: Principal) -> dict[uuid.UUID, tuple[int, int]]:
    """``{conversation_id: (joined_seq, last_seq)}`` for the actor's conversations (the
    WebSocket gateway's starting point)."""
    with uow.read() as session:
        rows = session.execute(
            select(MemberRow.conversation_id, MemberRow.joined_seq, ConversationRow.last_seq)
            .join(ConversationRow, ConversationRow.id == MemberRow.conversation_id)
            .where(MemberRow.user_id == actor.user_id, MemberRow.left_at.is_(None))
        )
        return {row.conversation_id: (row.joined_seq, row.last_seq) for row in rows}


def _view_of(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> ConversationView:
    conversation, member = access_member(session, user_id, conversation_id)
    views = _views(session, [(conversation, member)])
    if not views:
        raise ConversationNotFound()
    return views[0]


def _views(
    session: Session, pairs: list[tuple[ConversationRow, MemberRow]]
) -> list[ConversationView]:
    if not pairs:
        return []
    ids = [conversation.id for conversation, _ in pairs]
    members: dict[uuid.UUID, list[MemberView]] = defaultdict(list)
    for row in session.execute(
        select(MemberRow.conversation_id, MemberRow.user_id, MemberRow.role, MemberRow.joined_at)
        .add_columns(User.display_name)
        .join(User, User.id == MemberRow.user_id)
        .where(MemberRow.conversation_id.in_(ids), MemberRow.left_at.is_(None))
        .order_by(MemberRow.joined_at, MemberRow.user_id)
    ):
        members[row.conversation_id].append(
            MemberView(row.user_id, row.display_name, row.role, row.joined_at)
        )
    last = {
        row.conversation_id: row
        for row in session.scalars(
            select(MessageRow)
            .join(
                ConversationRow,
                (ConversationRow.id == MessageRow.conversation_id)
                & (MessageRow.seq == ConversationRow.last_seq),
            )
            .where(ConversationRow.id.in_(ids))
        )
    }
    store_ids = {c.store_id for c, _ in pairs if c.store_id is not None}
    stores = (
        {
            row.id: row
            for row in session.execute(
                select(catalog.Store.id, catalog.Store.name_en, catalog.Store.name_zh).where(
                    catalog.Store.id.in_(store_ids)
                )
            )
        }
        if store_ids
        else {}
    )
    views = []
    for conversation, member in pairs:
        message = last.get(conversation.id)
        visible = message is not None and message.seq > member.joined_seq
        people = members.get(conversation.id, [])
        if conversation.store_id is not None and member.role != domain.STAFF:
            # The shopper talks to the store, not to the people who answer for it.
            people = [m for m in people if m.role != domain.STAFF]
        store = stores.get(conversation.store_id) if conversation.store_id else None
        views.append(
            ConversationView(
                id=conversation.id,
                kind=conversation.kind,
                title=conversation.title,
                owner_id=conversation.owner_id,
                last_seq=conversation.last_seq,
                read_seq=member.read_seq,
                joined_seq=member.joined_seq,
                unread=domain.unread(conversation.last_seq, member.read_seq),
                muted=member.muted,
                my_role=member.role,
                members=tuple(people),
                last_message=message_view(message) if visible and message else None,
                last_activity_at=conversation.last_activity_at,
                store_id=conversation.store_id,
                store_name_en=store.name_en if store else None,
                store_name_zh=store.name_zh if store else None,
            )
        )
    return views
