"""Treasure pages: the shopper's treasure (balance, what earns and from when, income chart,
deposit and redeem forms, movements) and the operator's daily rates. They call the same treasure
use cases as the API.

Money forms carry a one-time key (rendered with the form) used as an idempotency key, so a
double-clicked "Redeem" redeems once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora import identity, payments, treasure
from agora.config import get_settings
from agora.core.clock import business_zone, local, local_today, utcnow
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.money import format_amount
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor, Uow
from agora.web.forms import run_once, yuan_amount
from agora.web.operator import _nav as operator_nav
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
MOVEMENTS = 15
CHART_WIDTH = 600
CHART_HEIGHT = 120


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    day: date
    amount: int


def chart_bars(incomes: list[treasure.DailyIncome]) -> list[Bar]:
    """The income chart's bars, drawn server-side: one per day, scaled to the largest."""
    if not incomes:
        return []
    top = max(i.amount for i in incomes) or 1
    slot = CHART_WIDTH // len(incomes)
    width = max(1, slot - 4)
    bars = []
    for n, income in enumerate(incomes):
        height = round(income.amount * (CHART_HEIGHT - 4) / top) if income.amount else 0
        if income.amount and height < 2:
            height = 2
        bars.append(
            Bar(n * slot + 2, CHART_HEIGHT - height, width, height, income.day, income.amount)
        )
    return bars


def next_cutoff(now: datetime) -> datetime:
    """The next daily cut-off (``treasure_cutoff_hour`` in the business zone): money in before it
    earns from the next day, after it from the day after."""
    hour = get_settings().treasure_cutoff_hour
    day = local(now).date()
    cutoff = datetime.combine(day, time(hour), tzinfo=business_zone()).astimezone(UTC)
    if now >= cutoff:
        cutoff = datetime.combine(day + timedelta(days=1), time(hour), tzinfo=business_zone())
    return cutoff.astimezone(UTC)


def _treasure_page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    with uow.snapshot():
        mine = treasure.summary(uow, user_id=actor.user_id)
        wallet = payments.wallet_balance(uow, actor=actor)
        lines = treasure.movements(uow, user_id=actor.user_id, limit=MOVEMENTS)
    return render(
        request,
        "treasure/index.html",
        status_code,
        mine=mine,
        wallet=wallet,
        lines=lines,
        bars=chart_bars(mine.incomes),
        chart=(CHART_WIDTH, CHART_HEIGHT),
        top_income=max((i.amount for i in mine.incomes), default=0),
        next_cutoff=next_cutoff(utcnow()),
        error=error,
        values=values or {},
    )


@router.get("/treasure")
def treasure_page(request: Request, actor: Actor, uow: Uow) -> Response:
    return _treasure_page(request, uow, actor)


@router.post("/treasure/deposit")
def deposit(
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

        def action() -> dict[str, Any]:
            made = treasure.deposit(uow, actor=actor, amount=fen)
            return {"earns_from": made.confirm_on.isoformat()}

        body = run_once(request, uow, actor, form_key, str(fen), action)
    except AgoraError as error:
        return _treasure_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=_(error.detail or error.title),
            values={"deposit": amount},
        )
    return redirect(
        request,
        "/treasure",
        flash=_("{amount} moved into your treasure. It earns from {day}.").format(
            amount=format_amount(fen), day=body["earns_from"]
        ),
    )


@router.post("/treasure/redeem")
def redeem(
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

        def action() -> dict[str, Any]:
            done = treasure.redeem(uow, actor=actor, amount=fen)
            return {"remaining": done.remaining_today}

        run_once(request, uow, actor, form_key, str(fen), action)
    except AgoraError as error:
        message = _(error.detail or error.title)
        if isinstance(error, treasure.TreasureDailyCapExceeded):
            message = _("You can take out {amount} more today.").format(
                amount=format_amount(int(error.extra.get("remaining", 0)))
            )
        return _treasure_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=message,
            values={"redeem": amount},
        )
    return redirect(
        request,
        "/treasure",
        flash=_("{amount} is in your wallet.").format(amount=format_amount(fen)),
    )


# --- operator ---------------------------------------------------------------------------------


def _rates_page(
    request: Request,
    uow: UnitOfWork,
    actor: identity.Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    identity.require_operator(actor)
    return render(
        request,
        "treasure/operator.html",
        status_code,
        console_nav=operator_nav("treasure"),
        rates=treasure.list_rates(uow, limit=60),
        seven_day_yield=treasure.seven_day_yield(uow),
        today=local_today(),
        error=error,
        values=values or {},
    )


@router.get("/operator/treasure")
def rates_page(request: Request, actor: Actor, uow: Uow) -> Response:
    return _rates_page(request, uow, actor)


def _per_10k(raw: str) -> int:
    """ "0.4560" (yuan per ¥10,000) → 4560."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation as exc:
        raise InvalidInput(_("Enter the income per ¥10,000 in yuan, e.g. 0.4560.")) from exc
    scaled = value * 10_000
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise InvalidInput(_("Enter the income per ¥10,000 in yuan, e.g. 0.4560."))
    return int(scaled)


@router.post("/operator/treasure")
def publish_rate(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    day: Text = "",
    per_10k: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    try:
        try:
            when = date.fromisoformat(day.strip())
        except ValueError as exc:
            raise InvalidInput(_("Choose a day.")) from exc
        rate = treasure.publish_rate(uow, actor=actor, day=when, per_10k=_per_10k(per_10k))
    except AgoraError as error:
        return _rates_page(
            request,
            uow,
            actor,
            status_code=error.status,
            error=_(error.detail or error.title),
            values={"day": day, "per_10k": per_10k},
        )
    return redirect(
        request,
        "/operator/treasure",
        flash=_("Rate for {day} published: ¥{rate} per ¥10,000.").format(
            day=rate.day.isoformat(), rate=rate.per_10k_text
        ),
    )
