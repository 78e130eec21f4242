"""The merchant console's payouts page — the settled balance, the payout account, payouts and
their history — and the operator's commission rate per store. They call the same use cases as
the API; the store's owner only (other staff get 403 from the use cases).

The payout form carries a one-time key (web/forms.py): a double-clicked "Pay out" pays once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import catalog, identity, payments, payouts
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.web.forms import run_once, yuan_amount
from agora.web.merchant_orders import _console_nav, _store_choice
from agora.web.operator import _stores_page
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
PAGE = 20


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    store: str,
    *,
    before: uuid.UUID | None = None,
    status_code: int = 200,
    error: AgoraError | None = None,
    form: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    stores, current = _store_choice(uow, actor, store)
    page = payouts.store_payouts(uow, actor=actor, store_id=current.id, before=before, limit=PAGE)
    minimum, _maximum = payments.amount_limits()
    next_url = (
        f"/merchant/payouts?{urlencode({'store': str(current.id), 'before': page.next_before})}"
        if page.next_before
        else None
    )
    field_errors = {
        e["field"]: e["message"] for e in (error.extra.get("errors", []) if error else [])
    }
    return render(
        request,
        "merchant/payouts.html",
        status_code,
        console_nav=_console_nav(stores, "/merchant/payouts"),
        stores=stores,
        store=current,
        page=page,
        next_url=next_url,
        minimum=format_amount(minimum),
        form=form,
        error=_(error.detail or error.title) if error else None,
        field_errors=field_errors,
        values=values or {},
    )


@router.get("/merchant/payouts")
def payouts_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    store: Annotated[str, Query(max_length=40)] = "",
    before: uuid.UUID | None = None,
) -> Response:
    return _page(request, uow, actor, store, before=before)


def _submit(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    store: str,
    form: str,
    values: dict[str, str],
    act: Callable[[catalog.Store], str],
) -> Response:
    """One shape for both forms: ``act`` on the chosen store returns the flash, and back to the
    page; a refusal re-renders the page with the form as typed and the error beside it."""
    _stores, current = _store_choice(uow, actor, store)
    try:
        flash = act(current)
    except AgoraError as error:
        return _page(
            request,
            uow,
            actor,
            store,
            status_code=error.status,
            error=error,
            form=form,
            values=values,
        )
    return redirect(request, f"/merchant/payouts?store={current.id}", flash=flash)


@router.post("/merchant/payouts/account")
def set_account(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    store: Text = "",
    holder_name: Text = "",
    bank_name: Text = "",
    account_number: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def act(current: catalog.Store) -> str:
        account = payouts.set_payout_account(
            uow,
            actor=actor,
            store_id=current.id,
            holder_name=holder_name,
            bank_name=bank_name,
            account_number=account_number,
        )
        return _("Payouts now go to {bank} {number}.").format(
            bank=account.bank_name, number=account.masked_number
        )

    values = {"holder_name": holder_name, "bank_name": bank_name}
    return _submit(request, uow, actor, store=store, form="account", values=values, act=act)


@router.post("/merchant/payouts")
def request_payout(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    store: Text = "",
    amount: Text = "",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)

    def act(current: catalog.Store) -> str:
        fen = yuan_amount(amount)

        def action() -> dict[str, Any]:
            payout = payouts.request_payout(uow, actor=actor, store_id=current.id, amount=fen)
            return {"id": str(payout.id)}

        run_once(request, uow, actor, form_key, f"{current.id}:{fen}", action)
        return _("Payout of {amount} requested. The bank is paying it out.").format(
            amount=format_amount(fen)
        )

    values = {"amount": amount}
    return _submit(request, uow, actor, store=store, form="payout", values=values, act=act)


@router.post("/operator/stores/{store_id}/commission")
def set_commission(
    store_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    commission_percent: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    try:
        store = catalog.set_store_commission(
            uow, actor=actor, store_id=store_id, percent=_percent(commission_percent)
        )
    except AgoraError as error:
        return _stores_page(
            request,
            uow,
            actor,
            status_code=error.status,
            commission_error={"store_id": store_id, "text": _(error.detail or error.title)},
        )
    commission = catalog.store_commission(store)
    if commission.own is None:
        flash = _("“{name}” now pays the platform's commission ({percent} %).")
    else:
        flash = _("“{name}” now pays {percent} % commission.")
    return redirect(
        request,
        "/operator",
        flash=flash.format(
            name=lazy_pick(store.name_en, store.name_zh), percent=commission.effective
        ),
    )


def _percent(raw: str) -> Decimal | None:
    """The form's percentage: empty clears the store's own rate."""
    text = raw.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(_("Enter the commission as a percentage, e.g. 5.5.")) from exc
