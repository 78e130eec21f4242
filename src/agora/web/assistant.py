"""The shopping assistant's panel beside a conversation, and its actions: remove one understood
part, forget the conversation, switch the assistant on or off (also on the privacy page, as the
``chat_assistant`` consent).

Forms post and redirect back, so the panel works without JavaScript; ``static/js/assistant.js``
posts the same forms with ``Accept: application/json`` and redraws the panel from the answer
(and from the ``assistant`` events on the shopper's own socket).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import JSONResponse, Response

from agora import chat
from agora.assistant import service
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.identity import Principal
from agora.web.render import check_csrf, redirect

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
PartKey = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+(:[a-z_]+)?$")]


def panel(uow: UnitOfWork, actor: Principal, view: chat.ConversationView) -> service.AssistantView:
    """The panel of a conversation page, for its reader only. In every conversation the hook
    reads (store conversations too, for whoever writes there), so whatever it understood is in
    sight and can be removed."""
    return service.assistant_view(uow, actor=actor, conversation_id=view.id)


def panel_texts() -> str:
    """What ``assistant.js`` writes when it redraws the panel, in the page's language."""
    return json.dumps(
        {
            "remove": _("Remove"),
            "usual": _("Within what you usually spend (up to %(price)s)."),
        },
        ensure_ascii=False,
    )


def _id(raw: str) -> uuid.UUID:
    parsed = parse_id(raw.strip())
    if parsed is None:
        raise chat.ConversationNotFound()
    return parsed


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _answer(
    request: Request, conversation_id: uuid.UUID, event: dict[str, Any], flash: str
) -> Response:
    if _wants_json(request):
        return JSONResponse(event)
    return redirect(request, f"/chat/{conversation_id}#assistant", flash=flash)


@router.post("/chat/{conversation_id}/assistant/parts/{part}/remove")
def remove_part(
    request: Request,
    conversation_id: str,
    part: PartKey,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    view = service.remove_part(uow, actor=actor, conversation_id=cid, part=part)
    return _answer(request, cid, view.as_event(), _("Removed. The suggestions no longer use it."))


@router.post("/chat/{conversation_id}/assistant/forget")
def forget(
    request: Request, conversation_id: str, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    view = service.forget_conversation(uow, actor=actor, conversation_id=cid)
    return _answer(request, cid, view.as_event(), _("The assistant forgot this conversation."))


@router.post("/chat/{conversation_id}/assistant/switch")
def switch_here(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    enabled: Text = "",
) -> Response:
    """The switch on the panel: answers the panel as it stands after switching."""
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    # A conversation the reader is not in is refused before anything is switched.
    service.assistant_view(uow, actor=actor, conversation_id=cid)
    on = service.set_enabled(uow, actor=actor, enabled=enabled == "1")
    view = service.assistant_view(uow, actor=actor, conversation_id=cid)
    return _answer(request, cid, view.as_event(), _switched(on))


def _switched(on: bool) -> str:
    if on:
        return _("The shopping assistant is on. Only you see its suggestions.")
    return _("The shopping assistant is off, and everything it understood is deleted.")
