"""Red-envelope pages: the send form reached from a chat ("Red envelope" on the conversation
page), the envelope page with its open button or result, and :func:`card_states` — the live
state of the envelope cards on a chat page (web/chat.py passes it to the message template as
``ctx.envelopes``).

Sending moves money: the form carries a one-time key (``form_key()``), so a double click sends
once. A refusal shows the form (or the envelope page) again with the reason and its 4xx status.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import chat, ledger, payments, red_envelopes, treasure
from agora.config import get_settings
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.core.money import format_amount, parse_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.identity import Principal
from agora.web.forms import run_once
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=1000)]


def card_states(
    uow: UnitOfWork, actor: Principal, messages: Iterable[chat.MessageView]
) -> dict[str, dict[str, Any]]:
    """``{envelope id: state}`` for the red-envelope cards among ``messages``: ``status``
    (open/finished/expired), ``label`` (what the card says: "Open it", "Opened · ¥1.23", "All
    taken", "Expired"), ``mine`` (fen or None), ``can_grab``."""
    ids: list[uuid.UUID] = []
    for m in messages:
        if m.kind == red_envelopes.RED_ENVELOPE and not m.recalled:
            try:
                ids.append(uuid.UUID(str(m.body.get("envelope_id", ""))))
            except ValueError:
                continue
    states = red_envelopes.card_states(uow, actor=actor, envelope_ids=ids)
    return {
        str(envelope_id): {
            "status": state.status,
            "label": card_label(state.status, state.mine, state.can_grab),
            "mine": state.mine,
            "can_grab": state.can_grab,
        }
        for envelope_id, state in states.items()
    }


def card_label(status: str, mine: int | None, can_grab: bool) -> str:
    if mine is not None:
        return _("Opened · %(amount)s") % {"amount": format_amount(mine)}
    if can_grab:
        return _("Open it")
    if status == "finished":
        return _("All taken")
    if status == "expired":
        return _("Expired")
    return _("View")


def _balances(uow: UnitOfWork, actor: Principal) -> tuple[int, int]:
    return (
        ledger.balance(uow, payments.wallet_of(actor.user_id)),
        treasure.treasure_balance(uow, actor.user_id),
    )


def _form_page(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    conversation: chat.ConversationView,
    *,
    values: dict[str, str] | None = None,
    error: AgoraError | None = None,
) -> Response:
    wallet, in_treasure = _balances(uow, actor)
    direct = conversation.kind == "direct"
    fields = {
        "kind": "single" if direct else "lucky",
        "amount": "",
        "shares": "1" if direct else str(min(3, len(conversation.members))),
        "greeting": "",
        "source": "wallet",
        **(values or {}),
    }
    field_errors: dict[str, str] = {}
    if error is not None:
        for item in error.extra.get("errors") or []:
            field_errors.setdefault(str(item.get("field", "")), str(item.get("message", "")))
    return render(
        request,
        "red_envelopes/new.html",
        status_code=error.status if error else 200,
        conversation=conversation,
        title_text=conversation.name_for(actor.user_id),
        direct=direct,
        max_shares=min(red_envelopes_max_shares(), len(conversation.members)),
        values=fields,
        wallet=wallet,
        in_treasure=in_treasure,
        error=_(error.detail or error.title) if error else None,
        error_code=error.code if error else None,
        field_errors=field_errors,
    )


def red_envelopes_max_shares() -> int:
    return get_settings().red_envelope_max_shares


@router.get("/chat/{conversation_id}/red-envelopes/new")
def new_envelope(conversation_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    conversation = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
    return _form_page(request, uow, actor, conversation)


@router.post("/chat/{conversation_id}/red-envelopes")
def send_envelope(
    conversation_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    kind: Text = "lucky",
    amount: Text = "",
    shares: Text = "1",
    greeting: Text = "",
    source: Text = "wallet",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    conversation = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
    values = {
        "kind": kind,
        "amount": amount,
        "shares": shares,
        "greeting": greeting,
        "source": source,
    }
    try:
        money, count = _numbers(amount, shares)
        # An equal envelope is asked for per share (as WeChat does); the others for the total.
        per_share = money if kind == red_envelopes.EQUAL else None
        total = None if per_share is not None else money

        def send() -> dict[str, str]:
            envelope = red_envelopes.send(
                uow,
                actor=actor,
                conversation_id=conversation_id,
                kind=kind,
                shares=count,
                total=total,
                per_share=per_share,
                greeting=greeting,
                source=source,
                client_id=f"form:{form_key}"[:64] if form_key else None,
            )
            return {"envelope_id": str(envelope.id)}

        run_once(
            request,
            uow,
            actor,
            form_key,
            f"{conversation_id}:{kind}:{money}:{count}:{greeting}:{source}",
            send,
        )
    except AgoraError as error:
        return _form_page(request, uow, actor, conversation, values=values, error=error)
    return redirect(
        request, f"/chat/{conversation_id}", flash=_("Your red envelope is in the chat.")
    )


def _numbers(amount: str, shares: str) -> tuple[int, int]:
    try:
        money = parse_amount(amount)
    except (ArithmeticError, ValueError) as exc:
        raise red_envelopes.EnvelopeInvalid(
            _("Enter an amount in yuan, such as 8.88."),
            errors=[{"field": "amount", "message": _("Enter an amount in yuan, such as 8.88.")}],
        ) from exc
    try:
        count = int(shares.strip() or "1")
    except ValueError as exc:
        raise red_envelopes.EnvelopeInvalid(
            _("The number of shares must be a whole number."),
            errors=[{"field": "shares", "message": _("a whole number")}],
        ) from exc
    return money, count


def _envelope_page(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    envelope_id: uuid.UUID,
    *,
    error: AgoraError | None = None,
) -> Response:
    envelope = red_envelopes.envelope_view(uow, actor=actor, envelope_id=envelope_id)
    return render(
        request,
        "red_envelopes/envelope.html",
        status_code=error.status if error else 200,
        envelope=envelope,
        error=_(error.detail or error.title) if error else None,
        error_code=error.code if error else None,
    )


@router.get("/red-envelopes/{envelope_id}")
def envelope_page(envelope_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    return _envelope_page(request, uow, actor, envelope_id)


@router.post("/red-envelopes/{envelope_id}/open")
def open_envelope(
    envelope_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        outcome = red_envelopes.grab(uow, actor=actor, envelope_id=envelope_id)
    except red_envelopes.EnvelopeNotFound:
        raise
    except AgoraError as error:
        return _envelope_page(request, uow, actor, envelope_id, error=error)
    return redirect(
        request,
        f"/red-envelopes/{envelope_id}",
        flash=_("You got %(amount)s. It is in your wallet.")
        % {"amount": format_amount(outcome.amount)},
    )
