"""Chat pages: the conversation list (with a "new group" form), a conversation with its history,
send box and members panel, and ``/chat/with/{user}`` that opens the direct chat with a friend.

The pages call the chat use cases the API calls. They work without JavaScript (forms post and
redirect back); ``static/js/chat.js`` makes them live over ``/ws``.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from agora import chat, identity, social
from agora.assistant.cards import price_text
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.fields import BIGINT_MAX
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow, get_uow, optional_actor
from agora.web import assistant as assistant_panel
from agora.web.red_envelopes import card_states as envelope_cards
from agora.web.render import check_csrf, env, redirect, render
from agora.web.store_chat import store_chat_parts

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Ids = Annotated[list[str], Form()]
PAGE = 50


def _id(raw: str) -> uuid.UUID:
    parsed = parse_id(raw.strip())
    if parsed is None:
        raise chat.ConversationNotFound()
    return parsed


def _system_templates() -> dict[str, str]:
    """How membership events read; ``%(actor)s``, ``%(names)s``, ``%(title)s`` are filled in."""
    return {
        "created": _("%(actor)s created the group “%(title)s”"),
        "invited": _("%(actor)s invited %(names)s"),
        "removed": _("%(actor)s removed %(names)s"),
        "left": _("%(names)s left the group"),
        "admin": _("%(actor)s made %(names)s an admin"),
        "member": _("%(actor)s made %(names)s a member"),
        "renamed": _("%(actor)s renamed the group to “%(title)s”"),
        "new_owner": _("%(names)s is now the owner"),
    }


def system_line(body: dict[str, Any]) -> str:
    """One system message as a sentence (plain text; the template escapes it)."""
    templates = _system_templates()
    event = str(body.get("event", ""))
    key = str(body.get("role", "")) if event == "role" else event
    names = ", ".join(str(n) for n in body.get("names") or [])
    values = {
        "actor": str(body.get("actor_name", "")),
        "names": names,
        "title": str(body.get("title", "")),
    }
    line = templates.get(key, "%(actor)s") % values
    if body.get("new_owner_name"):
        line += " · " + templates["new_owner"] % {"names": str(body["new_owner_name"])}
    return line


def _texts() -> dict[str, str]:
    """The strings chat.js shows, in the page's language."""
    return {
        **{f"sys_{key}": value for key, value in _system_templates().items()},
        "recalled": _("This message was recalled."),
        "recall": _("Recall"),
        "sending": _("Sending…"),
        "failed": _("Not sent"),
        "offline": _("Reconnecting…"),
        "unsupported": _("This message cannot be shown here."),
        "view_product": _("View product"),
        "open_link": _("Open"),
        "red_envelope": _("Red envelope"),
        "order": _("Order"),
        "product": _("Product"),
        "message": _("Chat message"),
        "new_messages": _("New messages — reload to see this conversation."),
    }


@router.get("/chat")
def chat_list(request: Request, actor: Actor, uow: Uow) -> Response:
    return _list_page(request, uow, actor)


def _list_page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    title: str = "",
) -> Response:
    conversations = chat.list_conversations(uow, actor=actor)
    friends = social.list_friends(uow, actor=actor)
    return render(
        request,
        "chat/list.html",
        status_code,
        conversations=conversations,
        friends=friends,
        me=actor.user_id,
        error=error,
        title_value=title,
        system_line=system_line,
        texts=json.dumps(_texts()),
    )


@router.post("/chat/groups")
def create_group(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    title: Text = "",
    member_ids: Ids = [],  # noqa: B006 - FastAPI copies form defaults
) -> Response:
    check_csrf(request, csrf_token)
    try:
        ids = [parsed for raw in member_ids if (parsed := parse_id(raw)) is not None]
        group = chat.create_group(uow, actor=actor, title=title, member_ids=ids)
    except AgoraError as error:
        return _list_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=_(error.detail or error.title),
            title=title,
        )
    return redirect(request, f"/chat/{group.id}", flash=_("Group created."))


@router.get("/chat/with/{user_id}")
def chat_with(request: Request, user_id: str, actor: Actor, uow: Uow) -> Response:
    """Open (creating on first use) the direct chat with a friend."""
    other = parse_id(user_id)
    if other is None:
        raise chat.ConversationNotFound()
    conversation = chat.direct_conversation(uow, actor=actor, other_user_id=other)
    return redirect(request, f"/chat/{conversation.id}")


@router.get("/chat/{conversation_id}")
def conversation_page(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    order: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _conversation_page(
        request, uow, actor, _id(conversation_id), before=before, chosen_order=order
    )


def _conversation_page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    conversation_id: uuid.UUID,
    *,
    before: int | None = None,
    status_code: int = 200,
    error: str | None = None,
    draft: str = "",
    chosen_order: str = "",
) -> Response:
    with uow.snapshot():
        view = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
        messages = chat.history(
            uow, actor=actor, conversation_id=conversation_id, before=before, limit=PAGE + 1
        )
        older = messages[0].seq if len(messages) > PAGE else None
        messages = messages[-PAGE:]
        # Envelope cards say where each envelope stands for this reader (one query for all).
        envelopes = envelope_cards(uow, actor, messages)
    latest = before is None
    if latest and view.last_seq > view.read_seq:
        chat.mark_read(uow, actor=actor, conversation_id=conversation_id, seq=view.last_seq)
    names = {str(m.user_id): m.display_name for m in view.members}
    for message in messages:
        # Former members keep their names in the history.
        if str(message.sender_id) not in names:
            user = identity.get_user(uow, message.sender_id)
            names[str(message.sender_id)] = user.display_name if user else "—"
    # A store conversation: the store's name on its staff's messages, and the order picker.
    store_chat = store_chat_parts(uow, actor, view, messages) if view.store_id else None
    if store_chat is not None:
        names.update(store_chat.names)
    friends = []
    if view.kind == "group" and view.my_role in ("owner", "admin"):
        inside = {m.user_id for m in view.members}
        friends = [f for f in social.list_friends(uow, actor=actor) if f.user_id not in inside]
    recall_after = utcnow().timestamp() - get_settings().chat_recall_seconds
    # The shopping assistant's panel: the reader's own, never anyone else's (web/assistant.py).
    assistant = assistant_panel.panel(uow, actor, view) if latest else None
    return render(
        request,
        "chat/conversation.html",
        status_code,
        conversation=view,
        title_text=(
            store_chat.default_name
            if store_chat and view.my_role != "staff"
            else view.name_for(actor.user_id)
        ),
        messages=messages,
        names=names,
        names_json=json.dumps(names, ensure_ascii=False),
        envelopes=envelopes,
        me=actor.user_id,
        older_url=f"/chat/{conversation_id}?before={older}" if older else None,
        newest_url=f"/chat/{conversation_id}" if not latest else None,
        live=latest,
        last_seq=messages[-1].seq if messages and latest else view.last_seq,
        recall_after=recall_after,
        recall_seconds=get_settings().chat_recall_seconds,
        friends=friends,
        client_id=uuid.uuid4().hex,
        error=error,
        draft=draft,
        system_line=system_line,
        texts=json.dumps(_texts(), ensure_ascii=False),
        store_chat=store_chat,
        chosen_order=chosen_order,
        assistant=assistant,
        assistant_texts=assistant_panel.panel_texts() if assistant else "",
        assistant_price=price_text,
    )


def _back(request: Request, conversation_id: uuid.UUID, flash: str | None = None) -> Response:
    return redirect(request, f"/chat/{conversation_id}#composer", flash=flash)


def _refused(
    request: Request, uow: UnitOfWork, actor: identity.Principal, cid: uuid.UUID, error: AgoraError
) -> Response:
    if isinstance(error, chat.ConversationNotFound):
        raise error
    return _conversation_page(
        request, uow, actor, cid, status_code=error.status, error=_(error.detail or error.title)
    )


@router.post("/chat/{conversation_id}/messages")
def send(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    product_id: Text = "",
    client_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    kind, body = (
        ("product_card", {"product_id": product_id}) if product_id else ("text", {"text": text})
    )
    try:
        chat.send_message(
            uow,
            actor=actor,
            conversation_id=cid,
            kind=kind,
            body=body,
            client_id=client_id[:64] or uuid.uuid4().hex,
        )
    except AgoraError as error:
        if isinstance(error, chat.ConversationNotFound):
            raise
        return _conversation_page(
            request,
            uow,
            actor,
            cid,
            status_code=error.status,
            error=_(error.detail or error.title),
            draft=text,
        )
    return _back(request, cid)


@router.post("/chat/{conversation_id}/messages/{seq}/recall")
def recall(
    request: Request,
    conversation_id: str,
    seq: Annotated[int, Path(ge=1, le=BIGINT_MAX)],
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    try:
        chat.recall_message(uow, actor=actor, conversation_id=cid, seq=seq)
    except AgoraError as error:
        return _refused(request, uow, actor, cid, error)
    return _back(request, cid, _("Message recalled."))


def _member_action(
    request: Request, conversation_id: str, actor: identity.Principal, uow: UnitOfWork, action: Any
) -> Response:
    cid = _id(conversation_id)
    try:
        flash, target = action(cid)
    except AgoraError as error:
        return _refused(request, uow, actor, cid, error)
    return redirect(request, target or f"/chat/{cid}", flash=flash)


@router.post("/chat/{conversation_id}/members")
def invite(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    user_ids: Ids = [],  # noqa: B006
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, None]:
        ids = [parsed for raw in user_ids if (parsed := parse_id(raw)) is not None]
        if not ids:
            raise InvalidInput(_("Choose at least one friend."))
        chat.invite(uow, actor=actor, conversation_id=cid, user_ids=ids)
        return _("Invited."), None

    return _member_action(request, conversation_id, actor, uow, action)


@router.post("/chat/{conversation_id}/members/{user_id}/remove")
def remove(
    request: Request,
    conversation_id: str,
    user_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, None]:
        chat.remove_member(uow, actor=actor, conversation_id=cid, user_id=_id(user_id))
        return _("Removed from the group."), None

    return _member_action(request, conversation_id, actor, uow, action)


@router.post("/chat/{conversation_id}/members/{user_id}/role")
def role(
    request: Request,
    conversation_id: str,
    user_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    role: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, None]:
        chat.set_role(uow, actor=actor, conversation_id=cid, user_id=_id(user_id), role=role)
        return _("Role changed."), None

    return _member_action(request, conversation_id, actor, uow, action)


@router.post("/chat/{conversation_id}/leave")
def leave(
    request: Request, conversation_id: str, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, str]:
        chat.leave(uow, actor=actor, conversation_id=cid)
        return _("You left the group."), "/chat"

    return _member_action(request, conversation_id, actor, uow, action)


@router.post("/chat/{conversation_id}/mute")
def mute(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    muted: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, None]:
        on = muted == "1"
        chat.set_muted(uow, actor=actor, conversation_id=cid, muted=on)
        return (_("Notifications muted.") if on else _("Notifications are back on.")), None

    return _member_action(request, conversation_id, actor, uow, action)


@router.post("/chat/{conversation_id}/rename")
def rename(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    title: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def action(cid: uuid.UUID) -> tuple[str, None]:
        chat.rename(uow, actor=actor, conversation_id=cid, title=title)
        return _("Group renamed."), None

    return _member_action(request, conversation_id, actor, uow, action)


def chat_unread(request: Request) -> int:
    """The chat tab's badge: what the signed-in shopper has not read (one query)."""
    actor = optional_actor(request)
    if actor is None:
        return 0
    return chat.unread_total(get_uow(request), actor=actor)


env.globals.update(chat_unread=chat_unread)
