"""Chat endpoints: conversations, members, messages, read cursors, and the WebSocket at ``/ws``."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Path, Query, Response, WebSocket, status

from agora import chat
from agora.chat import gateway
from agora.chat.schemas import (
    ConversationOut,
    CreateGroupIn,
    DirectIn,
    HistoryOut,
    InviteIn,
    MessageIn,
    MessageOut,
    MuteIn,
    ReadIn,
    ReadOut,
    RenameIn,
    RoleIn,
    conversation_out,
    message_out,
)
from agora.core import i18n
from agora.core.fields import BIGINT_MAX
from agora.http.deps import SESSION_COOKIE, Actor, HotWriter, Uow, authenticate_cached
from agora.http.openapi import also
from agora.http.routing import Router

router = Router(tags=["chat"])
API = "/api/v1/conversations"
Seq = Annotated[
    int, Path(ge=1, le=BIGINT_MAX, description="A message's place in the conversation.")
]


@router.get(API, response_model=list[ConversationOut])
def list_conversations(actor: Actor, uow: Uow) -> list[ConversationOut]:
    """My conversations, most recently active first, with unread counts and the last message."""
    return [conversation_out(c, actor.user_id) for c in chat.list_conversations(uow, actor=actor)]


@router.post(API, status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
def create_group(body: CreateGroupIn, actor: Actor, uow: Uow) -> ConversationOut:
    """A group chat with some of my friends; I own it."""
    view = chat.create_group(uow, actor=actor, title=body.title, member_ids=body.member_ids)
    return conversation_out(view, actor.user_id)


@router.post(f"{API}/direct", response_model=ConversationOut)
def direct(body: DirectIn, actor: Actor, uow: Uow) -> ConversationOut:
    """My direct chat with a friend, created on first use (friends only, no blocks)."""
    view = chat.direct_conversation(uow, actor=actor, other_user_id=body.user_id)
    return conversation_out(view, actor.user_id)


@router.get(API + "/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> ConversationOut:
    view = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
    return conversation_out(view, actor.user_id)


@router.patch(API + "/{conversation_id}", response_model=ConversationOut)
def rename(conversation_id: uuid.UUID, body: RenameIn, actor: Actor, uow: Uow) -> ConversationOut:
    """Rename a group (owner or admin)."""
    view = chat.rename(uow, actor=actor, conversation_id=conversation_id, title=body.title)
    return conversation_out(view, actor.user_id)


@router.post(API + "/{conversation_id}/members", response_model=ConversationOut)
def invite(conversation_id: uuid.UUID, body: InviteIn, actor: Actor, uow: Uow) -> ConversationOut:
    """Add friends to a group (owner or admin)."""
    view = chat.invite(uow, actor=actor, conversation_id=conversation_id, user_ids=body.user_ids)
    return conversation_out(view, actor.user_id)


@router.delete(API + "/{conversation_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    conversation_id: uuid.UUID, user_id: uuid.UUID, actor: Actor, uow: Uow
) -> Response:
    """Remove someone (owner: anyone else; admin: members). Removing myself means leaving."""
    if user_id == actor.user_id:
        chat.leave(uow, actor=actor, conversation_id=conversation_id)
    else:
        chat.remove_member(uow, actor=actor, conversation_id=conversation_id, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(API + "/{conversation_id}/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave(conversation_id: uuid.UUID, actor: Actor, uow: Uow) -> Response:
    """Leave a group; an owner hands it to the longest-standing admin or member."""
    chat.leave(uow, actor=actor, conversation_id=conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    API + "/{conversation_id}/members/{user_id}/role", status_code=status.HTTP_204_NO_CONTENT
)
def set_role(
    conversation_id: uuid.UUID, user_id: uuid.UUID, body: RoleIn, actor: Actor, uow: Uow
) -> Response:
    """Make a member an admin, or an admin a member (owner only)."""
    chat.set_role(
        uow, actor=actor, conversation_id=conversation_id, user_id=user_id, role=body.role
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(API + "/{conversation_id}/mute", status_code=status.HTTP_204_NO_CONTENT)
def mute(conversation_id: uuid.UUID, body: MuteIn, actor: Actor, uow: Uow) -> Response:
    """Silence this conversation's notifications for me (or undo it)."""
    chat.set_muted(uow, actor=actor, conversation_id=conversation_id, muted=body.muted)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(API + "/{conversation_id}/messages", response_model=HistoryOut)
def history(
    conversation_id: uuid.UUID,
    actor: Actor,
    uow: Uow,
    before: Annotated[
        int | None, Query(ge=1, le=BIGINT_MAX, description="Older than this seq.")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=BIGINT_MAX, description="Newer than this seq.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> HistoryOut:
    """A page of messages in seq order: the newest (below ``before``), or those after ``after``."""
    items = chat.history(
        uow,
        actor=actor,
        conversation_id=conversation_id,
        before=before,
        after=after,
        limit=limit + 1,
    )
    more = len(items) > limit
    if after is not None:
        page = items[:limit]
        return HistoryOut(
            items=[message_out(m) for m in page],
            next_before=None,
            next_after=page[-1].seq if more else None,
        )
    page = items[-limit:]
    return HistoryOut(
        items=[message_out(m) for m in page],
        next_before=page[0].seq if more else None,
        next_after=None,
    )


@router.post(
    API + "/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageOut,
    responses=also(429),
)
async def send(
    conversation_id: uuid.UUID, body: MessageIn, actor: Actor, writer: HotWriter
) -> MessageOut:
    """Send a message. Retrying with the same ``client_id`` returns the stored message."""
    view = await writer.run(
        lambda uow: chat.send_message(
            uow,
            actor=actor,
            conversation_id=conversation_id,
            kind=body.kind,
            body=body.body,
            client_id=body.client_id,
        )
    )
    return message_out(view)


@router.post(API + "/{conversation_id}/messages/{seq}/recall", response_model=MessageOut)
def recall(conversation_id: uuid.UUID, seq: Seq, actor: Actor, uow: Uow) -> MessageOut:
    """Recall my own message within 2 minutes; it keeps its seq, its body is removed."""
    view = chat.recall_message(uow, actor=actor, conversation_id=conversation_id, seq=seq)
    return message_out(view)


@router.put(API + "/{conversation_id}/read", response_model=ReadOut)
def read(conversation_id: uuid.UUID, body: ReadIn, actor: Actor, uow: Uow) -> ReadOut:
    """Move my read cursor up to ``seq`` (it never moves back)."""
    cursor = chat.mark_read(uow, actor=actor, conversation_id=conversation_id, seq=body.seq)
    return ReadOut(read_seq=cursor)


def _same_origin(websocket: WebSocket) -> bool:
    """Cookie sign-in only from our own pages: a page elsewhere must not open a socket in the
    visitor's name (cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


@router.websocket("/ws")
async def websocket_gateway(websocket: WebSocket) -> None:
    """Chat in real time (protocol in docs/api.md). Sign in with the session cookie, or with
    ``?token=`` (an API token, as for ``Authorization: Bearer``)."""
    runtime = websocket.app.state.runtime
    token = websocket.query_params.get("token")
    by_cookie = not token
    if by_cookie:
        token = websocket.cookies.get(SESSION_COOKIE)
    await websocket.accept()
    if by_cookie and token and not _same_origin(websocket):
        await websocket.close(code=gateway.CLOSE_FORBIDDEN_ORIGIN, reason="origin not allowed")
        return
    actor = await authenticate_cached(runtime, token)
    if actor is None:
        await websocket.close(code=gateway.CLOSE_UNAUTHENTICATED, reason="sign in first")
        return
    locale = i18n.normalize(websocket.cookies.get("agora_lang")) or i18n.negotiate(
        websocket.headers.get("accept-language"), default=runtime.settings.default_locale
    )
    settings = runtime.settings
    connection = gateway.Connection(
        websocket,
        hub=runtime.hub,
        uow_factory=runtime.uow,
        writer=runtime.writer,
        actor=actor,
        queue_size=settings.chat_ws_queue,
        locale=locale,
        max_frame_chars=settings.chat_ws_max_frame_chars,
        frame_burst=settings.chat_ws_frame_burst,
        frames_per_second=settings.chat_ws_frames_per_second,
    )
    await connection.serve()
