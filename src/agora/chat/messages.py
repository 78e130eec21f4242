"""Sending, reading, recalling and marking messages read.

Sequence numbers come from one guarded statement in the send transaction,
``UPDATE chat_conversations SET last_seq = last_seq + 1 ... RETURNING last_seq``: the row lock it
takes orders concurrent senders, so seqs are gapless and unique without reading first. A send that
fails after taking its seq rolls back with it, so no gap is left either.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agora import social
from agora.chat import domain, kinds
from agora.chat.errors import (
    ChatBlocked,
    ConversationNotFound,
    MessageNotFound,
    NotFriends,
    NotYourMessage,
    RecallWindowPassed,
    SendRateLimited,
)
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.chat.views import MessageView, message_event, message_view
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.identity import Principal

_ACCESS = (
    select(ConversationRow, MemberRow)
    .join(MemberRow, MemberRow.conversation_id == ConversationRow.id)
    .where(MemberRow.left_at.is_(None))
)

# The send path's statements, built once and only bound per call: every message takes this path,
# and building a statement costs more than running it (see docs/performance.md, chat fan-out).
_MESSAGES: Table = MessageRow.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = ConversationRow.__table__  # type: ignore[assignment]
_MEMBERS: Table = MemberRow.__table__  # type: ignore[assignment]
_SENDER_KIND = (
    select(_CONVERSATIONS.c.kind)
    .join(_MEMBERS, _MEMBERS.c.conversation_id == _CONVERSATIONS.c.id)
    .where(
        _CONVERSATIONS.c.id == bindparam("conversation_id"),
        _MEMBERS.c.user_id == bindparam("user_id"),
        _MEMBERS.c.left_at.is_(None),
    )
)
_STORED = select(_MESSAGES).where(
    _MESSAGES.c.conversation_id == bindparam("conversation_id"),
    _MESSAGES.c.sender_id == bindparam("user_id"),
    _MESSAGES.c.client_id == bindparam("client_id"),
)
_PEER = select(_MEMBERS.c.user_id).where(
    _MEMBERS.c.conversation_id == bindparam("conversation_id"),
    _MEMBERS.c.user_id != bindparam("user_id"),
)
# The ``limit``-th most recent message of the sender inside the window, if there is one.
_LIMIT_REACHED_AT = (
    select(_MESSAGES.c.created_at)
    .where(
        _MESSAGES.c.sender_id == bindparam("user_id"),
        _MESSAGES.c.created_at > bindparam("since"),
        _MESSAGES.c.kind != domain.SYSTEM,
    )
    .order_by(_MESSAGES.c.created_at.desc())
    .offset(bindparam("skip"))
    .limit(1)
)
_NEXT_SEQ = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("p_conversation_id"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_activity_at=bindparam("p_now"))
    .returning(_CONVERSATIONS.c.last_seq)
)
_INSERT = insert(_MESSAGES)
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_SENDER_READ = (
    update(_MEMBERS)
    .where(
        _MEMBERS.c.conversation_id == bindparam("p_conversation_id"),
        _MEMBERS.c.user_id == bindparam("p_user_id"),
        _MEMBERS.c.read_seq < bindparam("p_seq"),
    )
    .values(read_seq=bindparam("p_seq"))
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
    found = session.scalar(
        select(MemberRow.user_id).where(
            MemberRow.conversation_id == conversation_id,
            MemberRow.user_id == user_id,
            MemberRow.left_at.is_(None),
        )
    )
    return found is not None


def check_can_message(session: Session, a: uuid.UUID, b: uuid.UUID) -> None:
    """Direct messages and invitations: friends only, and neither has blocked the other.

    Raises NotFriends, ChatBlocked.
    """
    if social.blocked_between(session, a, b):
        raise ChatBlocked()
    if not social.are_friends(session, a, b):
        raise NotFriends()


def append(
    uow: UnitOfWork,
    *,
    conversation_id: uuid.UUID,
    sender_id: uuid.UUID,
    kind: str,
    body: dict[str, Any],
    client_id: str,
) -> MessageView:
    """Give the message the conversation's next seq, store it, move the sender's read cursor,
    and publish it after commit. Inside the caller's unit of work; no access checks."""
    session = uow.session
    now = utcnow()
    seq = session.execute(
        _NEXT_SEQ, {"p_conversation_id": conversation_id, "p_now": now}
    ).scalar_one()
    view = MessageView(
        id=new_id(),
        conversation_id=conversation_id,
        seq=seq,
        sender_id=sender_id,
        kind=kind,
        body=body,
        client_id=client_id,
        created_at=now,
        recalled=False,
    )
    session.execute(
        _INSERT,
        {
            "id": view.id,
            "conversation_id": conversation_id,
            "seq": seq,
            "sender_id": sender_id,
            "kind": kind,
            "body": body,
            "client_id": client_id,
            "created_at": now,
            "recalled_at": None,
        },
    )
    session.execute(
        _SENDER_READ, {"p_conversation_id": conversation_id, "p_user_id": sender_id, "p_seq": seq}
    )
    uow.publish(f"conv:{conversation_id}", message_event(view))
    return view


def send_message(
    uow: UnitOfWork,
    *,
    actor: Principal,
    conversation_id: uuid.UUID,
    kind: str,
    body: dict[str, Any],
    client_id: str,
) -> MessageView:
    """Store and publish a message; a retry with the same ``client_id`` returns the stored one.

    Raises ConversationNotFound (not a member), UnknownKind / InvalidInput (body), NotFriends or
    ChatBlocked (direct chats), SendRateLimited.
    """
    if not isinstance(client_id, str) or not domain.valid_client_id(client_id):
        raise InvalidInput(
            "A message needs a client id of 1 to 64 characters.",
            errors=[{"field": "client_id"}],
        )
    try:
        return _send(uow, actor, conversation_id, kind, body, client_id)
    except IntegrityError:
        # Two sends with one client id raced (PostgreSQL): the loser rolled back, seq and all;
        # now the winner's message is stored and this returns it.
        return _send(uow, actor, conversation_id, kind, body, client_id)


def _send(
    uow: UnitOfWork,
    actor: Principal,
    conversation_id: uuid.UUID,
    kind: str,
    body: dict[str, Any],
    client_id: str,
) -> MessageView:
    with uow:
        session = uow.session
        who = {"conversation_id": conversation_id, "user_id": actor.user_id}
        conversation_kind = session.execute(_SENDER_KIND, who).scalar()
        if conversation_kind is None:
            raise ConversationNotFound()
        stored = session.execute(_STORED, {**who, "client_id": client_id}).first()
        if stored is not None:
            return message_view(stored)
        if conversation_kind == domain.DIRECT:
            peer = session.execute(_PEER, who).scalar()
            if peer is not None:
                check_can_message(session, actor.user_id, peer)
        stored_body = kinds.normalize(session, actor, kind, body)
        _check_rate(session, actor.user_id, utcnow())
        return append(
            uow,
            conversation_id=conversation_id,
            sender_id=actor.user_id,
            kind=kind,
            body=stored_body,
            client_id=client_id,
        )


def _lock_key(user_id: uuid.UUID) -> int:
    digest = hashlib.blake2b(b"agora.chat.send:" + user_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _check_rate(session: Session, user_id: uuid.UUID, now: datetime) -> None:
    """At most ``chat_send_limit`` messages per sliding window, counted from stored messages so
    the limit holds across processes. On PostgreSQL a per-user advisory lock makes the count and
    the insert atomic for one sender (SQLite's write lock already does)."""
    settings = get_settings()
    limit, window = settings.chat_send_limit, timedelta(seconds=settings.chat_send_window_seconds)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_ADVISORY_LOCK, {"key": _lock_key(user_id)})
    reached_at = session.execute(
        _LIMIT_REACHED_AT, {"user_id": user_id, "since": now - window, "skip": limit - 1}
    ).scalar()
    if reached_at is not None:
        # Free again once the oldest of the last ``limit`` messages leaves the window.
        wait = (reached_at + window - now).total_seconds()
        raise SendRateLimited(retry_after=max(1, math.ceil(wait)))


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
