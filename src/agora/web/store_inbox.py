"""The store's inbox in the merchant console: its customers' conversations with the store's unread
counts, and a conversation to read and answer as the store (text, order cards, recall).

The pages call the use cases the API calls (``customer_service`` and chat's). They work without
JavaScript (forms post and redirect back); ``static/js/chat.js`` makes them live over ``/ws``.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from agora import catalog, chat, customer_service
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import AgoraError, Forbidden
from agora.core.fields import BIGINT_MAX
from agora.core.i18n import gettext as _
from agora.core.ids import parse_id
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.identity import Principal
from agora.web.chat import _texts as chat_texts
from agora.web.chat import system_line
from agora.web.merchant import _nav
from agora.web.render import check_csrf, redirect, render
from agora.web.store_chat import order_texts, post_order_card, store_chat_parts

router = APIRouter(prefix="/merchant/inbox", include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
PAGE = 50
INBOX = "/merchant/inbox"


def _console_nav(stores: list[catalog.Store]) -> list[tuple[str, str, bool]]:
    return [(href, label, href == INBOX) for href, label, _on in _nav(stores, None)]


def _id(raw: str) -> uuid.UUID:
    parsed = parse_id(raw.strip())
    if parsed is None:
        raise chat.ConversationNotFound()
    return parsed


@router.get("")
def inbox(
    request: Request,
    actor: Actor,
    uow: Uow,
    store: Annotated[str, Query(max_length=40)] = "",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    stores = catalog.stores_of(uow, actor.user_id)
    if not stores:
        raise Forbidden(
            _("The merchant console is for store staff. Ask your store owner to add you.")
        )
    current = next((s for s in stores if str(s.id) == store), stores[0])
    page = customer_service.store_inbox(
        uow, actor=actor, store_id=current.id, cursor=cursor, limit=PAGE
    )
    return render(
        request,
        "store_inbox/inbox.html",
        page=page,
        store=current,
        stores=stores,
        me=actor.user_id,
        next_url=(
            f"{INBOX}?store={current.id}&cursor={page.next_cursor}" if page.next_cursor else None
        ),
        console_nav=_console_nav(stores),
        texts=json.dumps({**chat_texts(), "order": _("Order")}, ensure_ascii=False),
    )


@router.get("/{conversation_id}")
def conversation(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    order: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _page(request, uow, actor, _id(conversation_id), before=before, chosen=order)


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    conversation_id: uuid.UUID,
    *,
    before: int | None = None,
    chosen: str = "",
    status_code: int = 200,
    error: str | None = None,
    draft: str = "",
) -> Response:
    view, access = customer_service.staff_conversation(
        uow, actor=actor, conversation_id=conversation_id
    )
    with uow.snapshot():
        messages = chat.history(
            uow, actor=actor, conversation_id=conversation_id, before=before, limit=PAGE + 1
        )
    older = messages[0].seq if len(messages) > PAGE else None
    messages = messages[-PAGE:]
    latest = before is None
    if latest and view.last_seq > view.read_seq:
        # Read by one of the staff is read for the store.
        chat.mark_read(uow, actor=actor, conversation_id=conversation_id, seq=view.last_seq)
    parts = store_chat_parts(uow, actor, view, messages)
    stores = catalog.stores_of(uow, actor.user_id)
    store = next((s for s in stores if s.id == access.store_id), None)
    base = f"{INBOX}/{conversation_id}"
    return render(
        request,
        "store_inbox/conversation.html",
        status_code,
        conversation=view,
        store=store,
        title_text=view.name_for(actor.user_id),
        messages=messages,
        names=parts.names,
        names_json=json.dumps(parts.names, ensure_ascii=False),
        parts=parts,
        chosen=chosen,
        me=actor.user_id,
        older_url=f"{base}?before={older}" if older else None,
        newest_url=base if not latest else None,
        live=latest,
        last_seq=messages[-1].seq if messages and latest else view.last_seq,
        recall_after=utcnow().timestamp() - get_settings().chat_recall_seconds,
        recall_seconds=get_settings().chat_recall_seconds,
        client_id=uuid.uuid4().hex,
        error=error,
        draft=draft,
        system_line=system_line,
        texts=json.dumps(chat_texts(), ensure_ascii=False),
        order_texts=json.dumps(order_texts(), ensure_ascii=False),
        console_nav=_console_nav(stores),
    )


@router.post("/{conversation_id}/messages")
def send(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    text: Text = "",
    client_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    cid = _id(conversation_id)
    customer_service.staff_conversation(uow, actor=actor, conversation_id=cid)
    try:
        chat.send_message(
            uow,
            actor=actor,
            conversation_id=cid,
            kind="text",
            body={"text": text},
            client_id=client_id[:64] or uuid.uuid4().hex,
        )
    except AgoraError as error:
        if isinstance(error, chat.ConversationNotFound):
            raise
        return _page(
            request,
            uow,
            actor,
            cid,
            status_code=error.status,
            error=_(error.detail or error.title),
            draft=text,
        )
    return redirect(request, f"{INBOX}/{cid}#composer")


@router.post("/{conversation_id}/messages/{seq}/recall")
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
    customer_service.staff_conversation(uow, actor=actor, conversation_id=cid)
    try:
        chat.recall_message(uow, actor=actor, conversation_id=cid, seq=seq)
    except AgoraError as error:
        if isinstance(error, chat.ConversationNotFound):
            raise
        return _page(
            request, uow, actor, cid, status_code=error.status, error=_(error.detail or error.title)
        )
    return redirect(request, f"{INBOX}/{cid}#composer", flash=_("Message recalled."))


@router.post("/{conversation_id}/order-cards")
def send_order_card(
    request: Request,
    conversation_id: str,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    order_id: Text = "",
    client_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    customer_service.staff_conversation(uow, actor=actor, conversation_id=_id(conversation_id))
    return post_order_card(
        request, uow, actor, conversation_id, order_id, client_id, back=INBOX + "/{id}"
    )
