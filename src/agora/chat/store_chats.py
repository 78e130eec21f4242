"""Store conversations (customer service, PRODUCT.md J): a shopper and a store, one conversation
per pair, with the store's staff in it as members of the role ``staff``.

Staff are ordinary members for everything chat does — sequence numbers, sending (the same hot
path), history, resume over the socket, recall — so nothing here is on a message's way. Two
things differ: the shopper sees the store, never the people answering for it (the members a
shopper is shown leave the staff out, and pages name their messages after the store), and the
store's read state is shared: the store has read a conversation as far as any of its staff has.

These are building blocks for the context that knows who a store's staff are
(``agora.customer_service``): they take the staff's ids from the caller and check nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select, tuple_
from sqlalchemy.orm import Session

from agora.chat import domain
from agora.chat.conversations import _view_of, keyed_conversation, open_keyed_conversation
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.chat.views import ConversationView, MessageView, message_view
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User


@dataclass(frozen=True, slots=True)
class StoreConversationView:
    """A line of a store's inbox: the shopper, the last message and what the store has not read."""

    id: uuid.UUID
    store_id: uuid.UUID
    shopper_id: uuid.UUID
    shopper_name: str
    last_seq: int
    unread: int
    last_message: MessageView | None
    last_activity_at: datetime


@dataclass(frozen=True, slots=True)
class StoreParties:
    """Who a store conversation is between."""

    conversation_id: uuid.UUID
    store_id: uuid.UUID
    shopper_id: uuid.UUID


def open_store_conversation(
    uow: UnitOfWork, *, shopper: Principal, store_id: uuid.UUID, staff_ids: list[uuid.UUID]
) -> ConversationView:
    """The shopper's conversation with the store, created on first use, with ``staff_ids`` in it
    (those not in it yet join it). The caller checked that the store takes conversations."""
    with uow:
        session = uow.session
        key = domain.store_key(store_id, shopper.user_id)
        conversation_id = keyed_conversation(session, key) or open_keyed_conversation(
            uow, key=key, kind=domain.STORE, member_ids=[shopper.user_id], store_id=store_id
        )
        staff = [uid for uid in staff_ids if uid != shopper.user_id]
        _join(uow, [conversation_id], staff)
        return _view_of(session, shopper.user_id, conversation_id)


def join_store_staff(uow: UnitOfWork, *, store_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Make a staff member a member of each of the store's conversations they are not in yet
    (staff who joined the store after a conversation began); returns how many. A read finds
    there is nothing to do, so opening the inbox writes only the first time."""
    with uow.read() as session:
        if not session.scalar(select(_missing(store_id, user_id).exists())):
            return 0
    with uow:
        missing = list(uow.session.scalars(_missing(store_id, user_id)))
        _join(uow, missing, [user_id])
        return len(missing)


def _missing(store_id: uuid.UUID, user_id: uuid.UUID) -> Select[uuid.UUID]:
    return select(ConversationRow.id).where(
        ConversationRow.store_id == store_id,
        ~exists().where(
            MemberRow.conversation_id == ConversationRow.id,
            MemberRow.user_id == user_id,
            MemberRow.left_at.is_(None),
        ),
    )


def _join(uow: UnitOfWork, conversation_ids: list[uuid.UUID], staff_ids: list[uuid.UUID]) -> None:
    """Staff join conversations (from the start of their history: they answer for the store).
    A row of a former member is taken up again; the shopper's own row is never turned into
    staff (someone who became staff of a store they had written to stays its customer there)."""
    if not conversation_ids or not staff_ids:
        return
    session = uow.session
    rows = {
        (row.conversation_id, row.user_id): row
        for row in session.scalars(
            select(MemberRow).where(
                MemberRow.conversation_id.in_(conversation_ids), MemberRow.user_id.in_(staff_ids)
            )
        )
    }
    now = utcnow()
    joined: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for conversation_id in conversation_ids:
        for user_id in staff_ids:
            row = rows.get((conversation_id, user_id))
            if row is not None and (row.left_at is None or row.role != domain.STAFF):
                continue
            if row is None:
                row = MemberRow(conversation_id=conversation_id, user_id=user_id)
                session.add(row)
            row.role, row.joined_at, row.left_at = domain.STAFF, now, None
            row.joined_seq, row.read_seq, row.muted = 0, 0, False
            joined[user_id].append(conversation_id)
    session.flush()
    for user_id, ids in joined.items():
        for conversation_id in ids:
            # Their sockets follow it (as for any conversation); their own chat list, which
            # leaves store conversations to the inbox, knows to ignore it.
            uow.publish(
                f"user:{user_id}",
                {
                    "type": "conversation_added",
                    "conversation_id": str(conversation_id),
                    "as_staff": True,
                },
            )


def store_parties(session: Session, conversation_id: uuid.UUID) -> StoreParties | None:
    """The store and the shopper of a store conversation; None for any other conversation."""
    row = session.execute(
        select(ConversationRow.store_id, MemberRow.user_id)
        .join(MemberRow, MemberRow.conversation_id == ConversationRow.id)
        .where(
            ConversationRow.id == conversation_id,
            ConversationRow.kind == domain.STORE,
            MemberRow.role != domain.STAFF,
        )
        .limit(1)
    ).first()
    if row is None or row.store_id is None:
        return None
    return StoreParties(conversation_id, row.store_id, row.user_id)


def store_inbox(
    uow: UnitOfWork,
    *,
    store_id: uuid.UUID,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[StoreConversationView]:
    """The store's conversations, most recently active first (keyset-paged below ``before``),
    with the shopper, the last message and the store's unread count: three queries a page."""
    limit = max(1, min(limit, domain.HISTORY_MAX))
    query = select(ConversationRow).where(ConversationRow.store_id == store_id)
    if before is not None:
        query = query.where(
            tuple_(ConversationRow.last_activity_at, ConversationRow.id) < tuple_(*before)
        )
    with uow.read() as session:
        conversations = list(
            session.scalars(
                query.order_by(
                    ConversationRow.last_activity_at.desc(), ConversationRow.id.desc()
                ).limit(limit)
            )
        )
        if not conversations:
            return []
        ids = [c.id for c in conversations]
        shoppers: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
        staff_reads: dict[uuid.UUID, list[int]] = defaultdict(list)
        for row in session.execute(
            select(MemberRow.conversation_id, MemberRow.user_id, MemberRow.role, MemberRow.read_seq)
            .add_columns(User.display_name)
            .join(User, User.id == MemberRow.user_id)
            .where(MemberRow.conversation_id.in_(ids), MemberRow.left_at.is_(None))
        ):
            if row.role == domain.STAFF:
                staff_reads[row.conversation_id].append(row.read_seq)
            else:
                shoppers[row.conversation_id] = (row.user_id, row.display_name)
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
    views = []
    for conversation in conversations:
        shopper_id, shopper_name = shoppers.get(conversation.id, (conversation.id, "—"))
        message = last.get(conversation.id)
        views.append(
            StoreConversationView(
                id=conversation.id,
                store_id=store_id,
                shopper_id=shopper_id,
                shopper_name=shopper_name,
                last_seq=conversation.last_seq,
                unread=domain.store_unread(conversation.last_seq, staff_reads[conversation.id]),
                last_message=message_view(message) if message is not None else None,
                last_activity_at=conversation.last_activity_at,
            )
        )
    return views


def store_unread_total(uow: UnitOfWork, *, store_ids: list[uuid.UUID]) -> int:
    """Messages the stores have not read, over all their conversations (one query: the inbox
    link's badge)."""
    if not store_ids:
        return 0
    staff_read = func.coalesce(func.max(MemberRow.read_seq), 0)
    per_conversation = (
        select(ConversationRow.last_seq.label("last_seq"), staff_read.label("read_seq"))
        .outerjoin(
            MemberRow,
            (MemberRow.conversation_id == ConversationRow.id)
            & (MemberRow.role == domain.STAFF)
            & MemberRow.left_at.is_(None),
        )
        .where(ConversationRow.store_id.in_(store_ids))
        .group_by(ConversationRow.id, ConversationRow.last_seq)
        .having(ConversationRow.last_seq > staff_read)
        .subquery()
    )
    unread = per_conversation.c.last_seq - per_conversation.c.read_seq
    with uow.read() as session:
        total = session.scalar(select(func.coalesce(func.sum(unread), 0)))
    return int(total or 0)
