"""Reading, recalling and marking messages read, and the access checks chat's use cases share.

Sending lives in ``chat/sending.py``: it is the hot path and is written with prepared statements.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, Table, bindparam, exists, select, update
from sqlalchemy.orm import Session

from agora import social
from agora.chat import domain
from agora.chat.errors import (
    ChatBlocked,
    ConversationNotFound,
    MessageNotFound,
    NotFriends,
    NotYourMessage,
    RecallWindowPassed,
)
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.chat.views import MessageView, message_view
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal

_ACCESS = (
    select(ConversationRow, MemberRow)
    .join(MemberRow, MemberRow.conversation_id == ConversationRow.id)
    .where(MemberRow.left_at.is_(None))
)


def access_member(
    session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID
) -> tuple[ConversationRow, MemberRow]:
    """The conversation and the user's membership; not found unless they are in it now."""
    row = session.execute(
        _ACCESS.where(ConversationRow.id == conversation_id, MemberRow.user_id == user_id)
    ).first()
    if row is None:
        raise ConversationNotFound()
    return row[0], row[1]


def is_member(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> bool:
    """Whether the user is in the conversation now: one indexed lookup, for contexts that act
    inside a chat (a red envelope's grab) without loading the conversation and its members."""
    found = _IS_MEMBER.first(session, {"conversation_id": conversation_id, "user_id": user_id})
    return found is not None


_members: Table = MemberRow.__table__  # type: ignore[assignment]


def _in_now(
    conversation_id: ColumnElement[uuid.UUID], user_id: ColumnElement[uuid.UUID]
) -> tuple[ColumnElement[bool], ...]:
    return (
        _members.c.conversation_id == conversation_id,
        _members.c.user_id == user_id,
        _members.c.left_at.is_(None),
    )


def member_now(
    conversation_id: ColumnElement[uuid.UUID], user_id: ColumnElement[uuid.UUID]
) -> ColumnElement[bool]:
    """SQL for "the user is in the conversation now", for a context that folds the check into
    its own read (a red envelope's grab reads the envelope and this in one statement)."""
    return exists().where(*_in_now(conversation_id, user_id))


# Prepared (core.prepared): asked wherever someone acts inside a chat.
_IS_MEMBER = Prepared(
    select(_members.c.user_id).where(*_in_now(bindparam("conversation_id"), bindparam("user_id")))
)


def check_can_message(session: Session, a: uuid.UUID, b: uuid.UUID) -> None:
    """Direct messages and invitations: friends only, and neither has blocked the other.

    Raises NotFriends, ChatBlocked.
    """
    if social.blocked_between(session, a, b):
        raise ChatBlocked()
    if not social.are_friends(session, a, b):
        raise NotFriends()


def history(
    uow: UnitOfWork,
    *,
    actor: Principal,
    conversation_id: uuid.UUID,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[MessageView]:
    """A page of messages in seq order: the newest ``limit`` (below ``before`` if given), or the
    oldest ``limit`` after ``after``. Only what was sent after the actor joined."""
    limit = max(1, min(limit, domain.HISTORY_MAX))
    with uow.read() as session:
        _conversation, member = access_member(session, actor.user_id, conversation_id)
        query = select(MessageRow).where(
            MessageRow.conversation_id == conversation_id,
            MessageRow.seq > member.joined_seq,
        )
        if after is not None:
            rows = session.scalars(
                query.where(MessageRow.seq > after).order_by(MessageRow.seq).limit(limit)
            ).all()
            return [message_view(row) for row in rows]
        if before is not None:
            query = query.where(MessageRow.seq < before)
        rows = session.scalars(query.order_by(MessageRow.seq.desc()).limit(limit)).all()
        return [message_view(row) for row in reversed(rows)]


def recall_message(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, seq: int
) -> MessageView:
    """Recall one's own message within the window; it keeps its seq, its body is removed.

    Raises ConversationNotFound, MessageNotFound, NotYourMessage, RecallWindowPassed.
    """
    window = timedelta(seconds=get_settings().chat_recall_seconds)
    with uow:
        session = uow.session
        _conversation, member = access_member(session, actor.user_id, conversation_id)
        row = session.scalar(
            select(MessageRow).where(
                MessageRow.conversation_id == conversation_id,
                MessageRow.seq == seq,
                MessageRow.seq > member.joined_seq,
            )
        )
        if row is None:
            raise MessageNotFound()
        if row.sender_id != actor.user_id or row.kind == domain.SYSTEM:
            raise NotYourMessage()
        if row.recalled_at is not None:
            return message_view(row)
        now = utcnow()
        if not domain.recall_open(row.created_at, now, window):
            raise RecallWindowPassed()
        row.recalled_at = now
        row.body = {}
        session.flush()
        uow.publish(
            f"conv:{conversation_id}",
            {
                "type": "recalled",
                "conversation_id": str(conversation_id),
                "seq": row.seq,
                "message_id": str(row.id),
            },
        )
        return message_view(row)


def mark_read(uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, seq: int) -> int:
    """Move the actor's read cursor up to ``seq`` (never back, never past the last message);
    returns the cursor."""
    with uow:
        session = uow.session
        conversation, member = access_member(session, actor.user_id, conversation_id)
        target = max(0, min(seq, conversation.last_seq))
        if target <= member.read_seq:
            return member.read_seq
        session.execute(
            update(MemberRow)
            .where(
                MemberRow.conversation_id == conversation_id,
                MemberRow.user_id == actor.user_id,
                MemberRow.read_seq < target,
            )
            .values(read_seq=target)
            .execution_options(synchronize_session=False)
        )
        uow.publish(
            f"conv:{conversation_id}",
            {
                "type": "read",
                "conversation_id": str(conversation_id),
                "user_id": str(actor.user_id),
                "read_seq": target,
            },
        )
        return target
