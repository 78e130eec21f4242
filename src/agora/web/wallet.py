"""Wallet pages (balance, top-up, withdrawal, history, and the shopper's points), the sandbox
bank's page, and the operator's payment switches. They call the same payments and points use
cases as the API.

Money forms carry a one-time key (rendered with the form) used as an idempotency key, so a
double-clicked "Withdraw" withdraws once.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import catalog, credit, identity, ordering, payments, points, treasure
from agora.catalog.errors import StoreNotFound
from agora.config import get_settings
from agora.core.errors import AgoraError, InvalidInput
from agora.core.fields import BIGINT_MAX
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.core.ids import parse_id
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.web.forms import run_once, yuan_amount
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
PAGE = 20
POINTS_PAGE = 10


def _wallet_page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    before: int | None = None,
    points_before: int | None = None,
    charge_id: uuid.UUID | None = None,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    # One snapshot: a top-up's status and the balance it changed must agree on the page.
    with uow.snapshot():
        lines = payments.wallet_statement(uow, actor=actor, before=before, limit=PAGE + 1)
        charge = None
        if charge_id is not None:
            try:
                charge = payments.access_charge(uow, actor=actor, charge_id=charge_id)
            except AgoraError:
                charge = None
        balance = payments.wallet_balance(uow, actor=actor)
        waiting = payments.waiting_top_ups(uow, actor=actor)
        withdrawals = payments.recent_withdrawals(uow, actor=actor, limit=5)
        my_points = points.my_summary(uow, actor=actor)
        saved = treasure.treasure_balance(uow, actor.user_id)
        with uow.read() as session:
            line = session.get(credit.CreditLine, actor.user_id)
        points_lines = points.history(uow, actor=actor, before=points_before, limit=POINTS_PAGE + 1)
        order_numbers = _order_numbers(uow, actor, lines[:PAGE], points_lines[:POINTS_PAGE])
    minimum, maximum = payments.amount_limits()
    points_next = (
        f"/wallet?points_before={points_lines[POINTS_PAGE - 1].entry_id}#points"
        if len(points_lines) > POINTS_PAGE
        else None
    )
    return render(
        request,
        "wallet/index.html",
        status_code,
        balance=balance,
        treasure_balance=saved,
        credit_line=line,
        lines=lines[:PAGE],
        next_url=f"/wallet?before={lines[PAGE - 1].entry_id}" if len(lines) > PAGE else None,
        withdrawals=withdrawals,
        points=my_points,
        points_rules=_points_rules(),
        points_lines=points_lines[:POINTS_PAGE],
        order_numbers=order_numbers,
        points_next_url=points_next,
        charge=charge,
        waiting=[w for w in waiting if charge is None or w.id != charge.id],
        limits=(format_amount(minimum), format_amount(maximum)),
        error=error,
        values=values or {},
    )


def _order_numbers(
    uow: UnitOfWork, actor: identity.Principal, lines: list[Any], points_lines: list[Any]
) -> dict[str, str]:
    """The numbers of the orders the history's lines name (a payment, a refund, points earned
    on one), by the order id as text, so each line can say which order it was."""
    ids = {parse_id(str(line.memo.get("order_id", ""))) for line in lines}
    ids |= {line.order_id for line in points_lines}
    found = ordering.order_numbers(uow, actor=actor, order_ids=[i for i in ids if i is not None])
    return {str(order_id): number for order_id, number in found.items()}


def _points_rules() -> dict[str, str]:
    settings = get_settings()
    return {
        "per_cny": str(settings.points_per_cny),
        "rate": str(settings.points_per_cny_redeemed),
        "share": f"{(settings.points_max_redeem_share * 100).normalize():f}",
        "months": str(settings.points_expiry_months),
    }


@router.get("/wallet")
def wallet(
    request: Request,
    actor: Actor,
    uow: Uow,
    before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    points_before: Annotated[int | None, Query(ge=1, le=BIGINT_MAX)] = None,
    charge: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    charge_id = None
    if charge:
        try:
            charge_id = uuid.UUID(charge)
        except ValueError:
            charge_id = None
    return _wallet_page(
        request, uow, actor, before=before, points_before=points_before, charge_id=charge_id
    )


@router.post("/wallet/top-up")
def top_up(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    amount: Text = "",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        fen = yuan_amount(amount)

        def action() -> dict[str, str]:
            charge = payments.start_top_up(uow, actor=actor, amount=fen)
            return {"redirect_url": charge.redirect_url}

        body = run_once(request, uow, actor, form_key, str(fen), action)
    except AgoraError as error:
        return _wallet_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=_(error.detail or error.title),
            values={"top_up": amount},
        )
    return redirect(request, str(body["redirect_url"]))


@router.post("/wallet/withdraw")
def withdraw(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    amount: Text = "",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        fen = yuan_amount(amount)

        def action() -> dict[str, str]:
            withdrawal = payments.request_withdrawal(uow, actor=actor, amount=fen)
            return {"id": str(withdrawal.id)}

        run_once(request, uow, actor, form_key, str(fen), action)
    except AgoraError as error:
        return _wallet_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=_(error.detail or error.title),
            values={"withdraw": amount},
        )
    return redirect(
        request,
        "/wallet",
        flash=_("Withdrawal of {amount} requested. The bank is paying it out.").format(
            amount=format_amount(fen)
        ),
    )


@router.get("/sandbox/bank/{charge_id}")
def sandbox_bank(charge_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    charge = payments.access_charge(uow, actor=actor, charge_id=charge_id)
    return render(
        request,
        "sandbox/bank.html",
        charge=charge,
        decision=payments.sandbox.decision(uow, charge.id),
    )


@router.post("/sandbox/bank/{charge_id}")
def sandbox_bank_submit(
    charge_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    decision: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    if decision not in ("pay", "decline"):
        raise InvalidInput(_("Choose Pay or Decline."))
    back = payments.submit_sandbox_payment(
        uow, actor=actor, charge_id=charge_id, approve=decision == "pay"
    )
    return redirect(request, safe_next(back, "/wallet"))


def _switches_page(request: Request, uow: UnitOfWork, actor: identity.Principal) -> Response:
    switches = payments.list_switches(uow, actor=actor)
    stores = catalog.list_stores(uow, include_inactive=True)
    by_store = {(s.store_id, s.source): s.enabled for s in switches if s.store_id is not None}
    return render(
        request,
        "operator/payments.html",
        console_nav=operator_nav("payments"),
        sources=payments.SOURCES,
        platform=[s for s in switches if s.store_id is None],
        stores=stores,
        by_store=by_store,
    )


@router.get("/operator/payments")
def switches(request: Request, actor: Actor, uow: Uow) -> Response:
    return _switches_page(request, uow, actor)


@router.post("/operator/payments")
def set_switch(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    source: Text = "",
    enabled: Text = "",
    store_id: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    store = None
    if store_id:
        try:
            wanted = uuid.UUID(store_id)
        except ValueError as exc:
            raise StoreNotFound() from exc
        with uow.read() as session:
            store = session.get(catalog.Store, wanted)
        if store is None:
            raise StoreNotFound()
    payments.set_switch(
        uow,
        actor=actor,
        source=source,
        enabled=enabled == "1",
        store_id=store.id if store else None,
    )
    where = lazy_pick(store.name_en, store.name_zh) if store else _("the whole platform")
    state = _("on") if enabled == "1" else _("off")
    return redirect(
        request,
        "/operator/payments",
        flash=_("{source} is now {state} for {where}.").format(
            source=_source_label(source), state=state, where=where
        ),
    )


def _source_label(source: str) -> str:
    labels = {
        payments.WALLET: _("Wallet"),
        payments.GATEWAY_SANDBOX: _("Sandbox bank"),
        "points": _("Points"),
    }
    return labels.get(source, source)
