"""The credit page: limit and what is available, the score explained, unbilled purchases,
statements, instalment plans with their APR, and the repay and convert forms. It calls the
same credit use cases as the API; money forms carry a one-time key (a double click repays
once)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import credit, identity, ordering, payments, treasure
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.web.forms import run_once, yuan_amount
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
MONTHS = (3, 6, 9, 12)
SOURCES = ("wallet", "treasure", "gateway:sandbox")


def _factors(evaluation: credit.Evaluation) -> list[dict[str, Any]]:
    rows = []
    for factor in evaluation.factors:
        value = format_amount(factor.value) if factor.name == "spending" else factor.value
        rows.append(
            {
                "name": factor.name,
                "points": factor.points,
                "text": _(factor.explanation).format(value=value, points=factor.points),
            }
        )
    return rows


def _quotes(amount: int) -> list[credit.Quote]:
    quotes = []
    for months in MONTHS:
        try:
            quotes.append(credit.quote(amount, months))
        except AgoraError:
            continue
    return quotes


def _page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    with uow.snapshot():
        summary = credit.summary(uow, actor=actor)
        wallet = payments.wallet_balance(uow, actor=actor)
        in_treasure = treasure.treasure_balance(uow, actor.user_id)
    convertible = [
        s
        for s in summary.statements
        if s.status == "open" and s.repaid == 0 and s.converted_plan_id is None
    ]
    return render(
        request,
        "credit/index.html",
        status_code,
        summary=summary,
        line=summary.line,
        factors=_factors(summary.evaluation),
        wallet=wallet,
        in_treasure=in_treasure,
        convertible=[(s, _quotes(s.amount)) for s in convertible],
        purchase_quotes=[(p, _quotes(p.amount - p.credited - p.repaid)) for p in summary.unbilled],
        order_numbers=ordering.order_numbers(
            uow, actor=actor, order_ids=[p.order_id for p in summary.unbilled]
        ),
        error=error,
        values=values or {},
    )


@router.get("/credit")
def credit_page(request: Request, actor: Actor, uow: Uow) -> Response:
    return _page(request, uow, actor)


def _refused(
    request: Request, uow: UnitOfWork, actor: identity.Principal, error: AgoraError, **values: str
) -> Response:
    return _page(
        request,
        uow,
        actor,
        status_code=error.status,
        error=_(error.detail or error.title),
        values=values,
    )


@router.post("/credit/open")
def open_line(request: Request, actor: Actor, uow: Uow, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        line = credit.open_line(uow, actor=actor)
    except AgoraError as error:
        return _refused(request, uow, actor, error)
    return redirect(
        request,
        "/credit",
        flash=_("Your credit line is open: {limit} to spend at Agora stores.").format(
            limit=format_amount(line.credit_limit)
        ),
    )


@router.post("/credit/repay")
def repay(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    kind: Text = "amount",
    amount: Text = "",
    source: Text = "wallet",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        fen = yuan_amount(amount) if kind == "amount" else None

        def action() -> dict[str, str]:
            repayment, charge = credit.repay(uow, actor=actor, amount=fen, kind=kind, source=source)
            if charge is not None:
                return {"redirect_url": charge.redirect_url}
            return {"applied": str(repayment.applied)}

        body = run_once(request, uow, actor, form_key, f"{kind}:{fen}:{source}", action)
    except AgoraError as error:
        return _refused(request, uow, actor, error, amount=amount, kind=kind, source=source)
    if "redirect_url" in body:
        return redirect(request, str(body["redirect_url"]))
    return redirect(
        request,
        "/credit",
        flash=_("Repaid {amount}. Thank you!").format(amount=format_amount(int(body["applied"]))),
    )


@router.post("/credit/convert")
def convert(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    target: Text = "",
    months: Text = "",
    form_key: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        kind, _sep, raw_id = target.partition(":")
        try:
            target_id = uuid.UUID(raw_id)
            count = int(months)
        except ValueError as exc:
            raise InvalidInput(_("Choose what to split and over how many months.")) from exc
        if kind not in ("statement", "purchase"):
            raise InvalidInput(_("Choose what to split and over how many months."))

        def action() -> dict[str, str]:
            plan = credit.convert(
                uow,
                actor=actor,
                months=count,
                statement_id=target_id if kind == "statement" else None,
                purchase_id=target_id if kind == "purchase" else None,
            )
            return {"months": str(plan.months), "apr": plan.apr}

        body = run_once(request, uow, actor, form_key, f"{target}:{count}", action)
    except AgoraError as error:
        return _refused(request, uow, actor, error)
    return redirect(
        request,
        "/credit",
        flash=_("Split into {months} monthly instalments (APR {apr}%).").format(
            months=body["months"], apr=body["apr"]
        ),
    )
