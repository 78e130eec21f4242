"""Sending a message: the hottest write of chat, run as a command of the process's writer.

Every statement here is :class:`~agora.core.prepared.Prepared` (compiled once per dialect, run on
the session's cursor): a send is a handful of indexed statements, and through the ORM or
``Session.execute`` each of them would cost several times its own run (docs/performance.md, chat
fan-out). A group send is four statements:

1. one read that answers every question asked before writing: is the sender a member now, is
   this ``client_id`` already stored (a retry), when did the sender reach the rate limit, and
   who the peer of a direct chat is;
2. ``UPDATE chat_conversations SET last_seq = last_seq + 1 ... RETURNING last_seq``, the guarded
   sequence allocation: the row lock it takes orders concurrent senders, so seqs are gapless and
   unique without reading first, and a send that fails after taking its seq rolls back with it;
3. the message insert;
4. the sender's read cursor moved up to the new seq.

On PostgreSQL a per-sender advisory lock comes first, so that the rate-limit count in (1) and the
insert in (3) are atomic for one sender across processes (SQLite's write lock already is that).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, select, text, update
from sqlalchemy.exc import IntegrityError

from agora.chat import domain, kinds
from agora.chat.errors import ConversationNotFound, SendRateLimited
from agora.chat.messages import check_can_message
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.chat.views import MessageView, message_event
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal

_MESSAGES: Table = MessageRow.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = ConversationRow.__table__  # type: ignore[assignment]
_MEMBERS: Table = MemberRow.__table__  # type: ignore[assignment]

_stored = _MESSAGES.alias("stored")
_recent = _MESSAGES.alias("recent")
_peer = _MEMBERS.alias("peer")

# The ``skip + 1``-th most recent message the sender wrote inside the window (``since``), if any:
# the limit is reached when it exists. One row through ``ix_chat_messages_sender``, whatever the
# number of recent messages.
_LIMIT_REACHED_AT = (
    select(_recent.c.created_at)
    .where(
        _recent.c.sender_id == bindparam("user_id"),
        _recent.c.created_at > bindparam("since"),
        _recent.c.kind != domain.SYSTEM,
    )
    .order_by(_recent.c.created_at.desc())
    .offset(bindparam("skip"))
    .limit(1)
    .scalar_subquery()
)
# Someone else in the conversation: the peer, for a direct chat (meaningless for a group).
_PEER_ID = (
    select(_peer.c.user_id)
    .where(
        _peer.c.conversation_id == bindparam("conversation_id"),
        _peer.c.user_id != bindparam("user_id"),
    )
    .limit(1)
    .scalar_subquery()
)

# No row: the sender is not (or no longer) in the conversation.
_SEND_CHECK = Prepared(
    select(
        _CONVERSATIONS.c.kind,
        _stored.c.id,
        _stored.c.seq,
        _stored.c.kind,
        _stored.c.body,
        _stored.c.created_at,
        _stored.c.recalled_at,
        _LIMIT_REACHED_AT,
        _PEER_ID,
    )
    .select_from(
        _MEMBERS.join(_CONVERSATIONS, _CONVERSATIONS.c.id == _MEMBERS.c.conversation_id).outerjoin(
            _stored,
            and_(
                _stored.c.conversation_id == _MEMBERS.c.conversation_id,
                _stored.c.sender_id == _MEMBERS.c.user_id,
                _stored.c.client_id == bindparam("client_id"),
            ),
        )
    )
    .where(
        _MEMBERS.c.conversation_id == bindparam("conversation_id"),
        _MEMBERS.c.user_id == bindparam("user_id"),
        _MEMBERS.c.left_at.is_(None),
    )
)
_NEXT_SEQ = Prepared(
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("conversation_id"))
    .values(last_seq=_CONVERSATIONS.c.last_seq + 1, last_activity_at=bindparam("now"))
    .returning(_CONVERSATIONS.c.last_seq)
)
_INSERT = Prepared.insert(
    _MESSAGES,
    ["id", "conversation_id", "seq", "sender_id", "kind", "body", "client_id", "created_at"],
)
_SENDER_READ = Prepared(
    update(_MEMBERS)
    .where(
        _MEMBERS.c.conversation_id == bindparam("conversation_id"),
        _MEMBERS.c.user_id == bindparam("user_id"),
        _MEMBERS.c.read_seq < bindparam("seq"),
    )
    .values(read_seq=bindparam("seq"))
)
_ADVISORY_LOCK = Prepared(text("SELECT pg_advisory_xact_lock(:key)"))

SentHook = Callable[[UnitOfWork, MessageView], None]
_SENT_HOOKS: list[SentHook] = []


def on_sent(hook: SentHook) -> None:
    """Call ``hook(uow, view)`` inside the transaction of every new message a member sends.

    For contexts above chat (the shopping assistant) that react to what people write: chat
    imports none of them, they register here. A hook runs on the hottest write of chat, so it
    only schedules its work with ``uow.after_commit``; a retry that returns the stored message
    does not call it again.
    """
    if hook not in _SENT_HOOKS:
        _SENT_HOOKS.append(hook)


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
            N_("A message needs a client id of 1 to 64 characters."),
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
    settings = get_settings()
    window = timedelta(seconds=settings.chat_send_window_seconds)
    with uow:
        session = uow.session
        now = utcnow()
        if not uow.db.is_sqlite:
            _ADVISORY_LOCK.execute(session, {"key": _lock_key(actor.user_id)})
        found = _SEND_CHECK.first(
            session,
            {
                "conversation_id": conversation_id,
                "user_id": actor.user_id,
                "client_id": client_id,
                "since": now - window,
                "skip": settings.chat_send_limit - 1,
            },
        )
        if found is None:
            raise ConversationNotFound()
        (
            conversation_kind,
            stored_id,
            stored_seq,
            stored_kind,
            stored_body,
            stored_at,
            recalled_at,
            reached_at,
            peer_id,
        ) = found
        if stored_id is not None:
            return MessageView(
                id=stored_id,
                conversation_id=conversation_id,
                seq=stored_seq,
                sender_id=actor.user_id,
                kind=stored_kind,
                body={} if recalled_at is not None else dict(stored_body),
                client_id=client_id,
                created_at=stored_at,
                recalled=recalled_at is not None,
            )
        if conversation_kind == domain.DIRECT and peer_id is not None:
            check_can_message(session, actor.user_id, peer_id)
        normalized = kinds.normalize(session, actor, kind, body)
        if reached_at is not None:
            # Free again once the oldest of the last ``limit`` messages leaves the window.
            wait = (reached_at + window - now).total_seconds()
            raise SendRateLimited(retry_after=max(1, math.ceil(wait)))
        view = append(
            uow,
            conversation_id=conversation_id,
            sender_id=actor.user_id,
            kind=kind,
            body=normalized,
            client_id=client_id,
            now=now,
        )
        for hook in _SENT_HOOKS:
            hook(uow, view)
        return view


def append(
    uow: UnitOfWork,
    *,
    conversation_id: uuid.UUID,
    sender_id: uuid.UUID,
    kind: str,
    body: dict[str, Any],
    client_id: str,
    now: datetime | None = None,
) -> MessageView:
    """Give the message the conversation's next seq, store it, move the sender's read cursor,
    and publish it after commit. Inside the caller's unit of work; no access checks. ``now`` is
    the send's own moment when the caller already took it (the rate limit was checked at it)."""
    session = uow.session
    now = now or utcnow()
    seq = _NEXT_SEQ.scalar(session, {"conversation_id": conversation_id, "now": now})
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
    _INSERT.execute(
        session,
        {
            "id": view.id,
            "conversation_id": conversation_id,
            "seq": seq,
            "sender_id": sender_id,
            "kind": kind,
            "body": body,
            "client_id": client_id,
            "created_at": now,
        },
    )
    _SENDER_READ.execute(
        session, {"conversation_id": conversation_id, "user_id": sender_id, "seq": seq}
    )
    uow.publish(f"conv:{conversation_id}", message_event(view))
    return view


def _lock_key(user_id: uuid.UUID) -> int:
    digest = hashlib.blake2b(b"agora.chat.send:" + user_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
