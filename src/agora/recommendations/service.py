"""Use cases of the shopper profile: what the recorded events say (``profile_of``), what was
recorded (``my_events``), and clearing it. Each reads in a few statements, never one per event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from agora import privacy
from agora.catalog import Category, Product, Sku
from agora.config import get_settings
from agora.core.clock import as_utc, utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.recommendations import domain
from agora.recommendations.domain import PURCHASE, PriceLevel, ShopperProfile, Signal
from agora.recommendations.events import RECORDER
from agora.recommendations.models import BehaviourEvent


def profile_of(session: Session, user_id: uuid.UUID) -> ShopperProfile:
    """The shopper's profile from their recorded events (empty without any). Three statements:
    the events with their products' categories, the products' colours, and the price lists of
    the categories they bought in.

    Callers check who asks: a shopper reads their own (``my_profile``); feeds read it for the
    signed-in shopper only.
    """
    settings = get_settings()
    now = utcnow()
    since = now - timedelta(days=settings.behaviour_retention_days)
    rows = session.execute(
        select(
            BehaviourEvent.kind,
            BehaviourEvent.occurred_at,
            BehaviourEvent.product_id,
            BehaviourEvent.amount,
            Product.category_id,
        )
        .join(Product, Product.id == BehaviourEvent.product_id)
        .where(BehaviourEvent.user_id == user_id, BehaviourEvent.occurred_at >= since)
    ).all()
    if not rows:
        return ShopperProfile(user_id=user_id)
    colours = _colours_of(session, {row.product_id for row in rows})
    signals = [
        Signal(row.kind, row.occurred_at, row.category_id, colours.get(row.product_id, ()))
        for row in rows
    ]
    categories, colour_weights = domain.affinities(
        signals, now=now, half_life_days=settings.behaviour_half_life_days
    )
    paid: dict[uuid.UUID, list[int]] = defaultdict(list)
    for row in rows:
        if row.kind == PURCHASE and row.amount is not None and row.amount > 0:
            paid[row.category_id].append(row.amount)
    levels = _price_levels(session, paid)
    return ShopperProfile(
        user_id=user_id,
        categories=categories,
        colours=colour_weights,
        price_levels=levels,
        overall_typical_max=domain.overall_typical_max(levels.values()),
        events=len(rows),
    )


def price_level_for(
    session: Session, user_id: uuid.UUID, category_id: uuid.UUID
) -> PriceLevel | None:
    """The shopper's price level in one category (two statements), or ``None`` before any
    purchase there."""
    since = utcnow() - timedelta(days=get_settings().behaviour_retention_days)
    paid = list(
        session.execute(
            select(BehaviourEvent.amount)
            .join(Product, Product.id == BehaviourEvent.product_id)
            .where(
                BehaviourEvent.user_id == user_id,
                BehaviourEvent.kind == PURCHASE,
                BehaviourEvent.occurred_at >= since,
                BehaviourEvent.amount > 0,
                Product.category_id == category_id,
            )
        ).scalars()
    )
    if not paid:
        return None
    return _price_levels(session, {category_id: [int(a or 0) for a in paid]}).get(category_id)


def price_levels_of(
    session: Session, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, PriceLevel]]:
    """Every price level of each of ``user_ids`` (those with purchases only), for a trainer that
    reads all shoppers at once: one statement per thousand shoppers for their purchases, one for
    the price lists of every category they bought in — not one per shopper and category."""
    since = utcnow() - timedelta(days=get_settings().behaviour_retention_days)
    paid: dict[uuid.UUID, dict[uuid.UUID, list[int]]] = defaultdict(lambda: defaultdict(list))
    wanted = list(dict.fromkeys(user_ids))
    for start in range(0, len(wanted), 1000):
        for user_id, category_id, amount in session.execute(
            select(BehaviourEvent.user_id, Product.category_id, BehaviourEvent.amount)
            .join(Product, Product.id == BehaviourEvent.product_id)
            .where(
                BehaviourEvent.user_id.in_(wanted[start : start + 1000]),
                BehaviourEvent.kind == PURCHASE,
                BehaviourEvent.occurred_at >= since,
                BehaviourEvent.amount > 0,
            )
        ):
            paid[user_id][category_id].append(int(amount or 0))
    prices = _category_prices(session, {c for by_category in paid.values() for c in by_category})
    levels: dict[uuid.UUID, dict[uuid.UUID, PriceLevel]] = {}
    for user_id, by_category in paid.items():
        found = {}
        for category_id, amounts in by_category.items():
            level = domain.price_level(amounts, prices.get(category_id, []))
            if level is not None:
                found[category_id] = level
        levels[user_id] = found
    return levels


def _colours_of(session: Session, product_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[str, ...]]:
    if not product_ids:
        return {}
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    for product_id, colour in session.execute(
        select(Sku.product_id, Sku.colour)
        .where(Sku.product_id.in_(product_ids), Sku.active.is_(True), Sku.colour != "")
        .distinct()
    ):
        found[product_id].add(colour)
    return {product_id: tuple(sorted(keys)) for product_id, keys in found.items()}


def _price_levels(
    session: Session, paid: dict[uuid.UUID, list[int]]
) -> dict[uuid.UUID, PriceLevel]:
    """Price levels for the categories in ``paid``, against each category's active SKU prices
    (one statement for all of them)."""
    if not paid:
        return {}
    prices = _category_prices(session, set(paid))
    levels: dict[uuid.UUID, PriceLevel] = {}
    for category_id, amounts in paid.items():
        level = domain.price_level(amounts, prices.get(category_id, []))
        if level is not None:
            levels[category_id] = level
    return levels


def _category_prices(session: Session, category_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[int]]:
    """Each category's active SKU prices, ascending (one statement)."""
    if not category_ids:
        return {}
    prices: dict[uuid.UUID, list[int]] = defaultdict(list)
    for category_id, price in session.execute(
        select(Product.category_id, Sku.price)
        .join(Sku, Sku.product_id == Product.id)
        .where(
            Product.category_id.in_(list(category_ids)),
            Product.status == "active",
            Sku.active.is_(True),
        )
    ):
        prices[category_id].append(price)
    return {category_id: sorted(listed) for category_id, listed in prices.items()}


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One recorded event as its shopper sees it."""

    id: uuid.UUID
    kind: str
    occurred_at: datetime
    product_id: uuid.UUID | None
    product_title_en: str | None
    product_title_zh: str | None
    query: str | None
    amount: int | None


@dataclass(frozen=True, slots=True)
class EventsPage:
    events: list[RecordedEvent]
    next_cursor: str | None
    """Pass as ``cursor`` for the next (older) page; ``None`` on the last."""


def _cursor_of(event: RecordedEvent) -> str:
    return f"{event.occurred_at.isoformat()}_{event.id}"


def _parse_cursor(raw: str) -> tuple[datetime, uuid.UUID]:
    moment, _, ident = raw.rpartition("_")
    try:
        return as_utc(datetime.fromisoformat(moment)), uuid.UUID(ident)
    except (ValueError, OverflowError) as exc:  # OverflowError: a year 1 or 9999 moved to UTC
        raise InvalidInput(
            N_("This page link is not valid; start from the first page."),
            errors=[{"field": "cursor", "message": "not a cursor"}],
        ) from exc


@dataclass(frozen=True, slots=True)
class NamedCategory:
    id: uuid.UUID
    slug: str
    name_en: str
    name_zh: str | None


@dataclass(frozen=True, slots=True)
class MyProfile:
    """The actor's own profile with what it needs to be read: category names, the consent."""

    consent: bool
    profile: ShopperProfile
    categories: dict[uuid.UUID, NamedCategory]
    total_events: int


def my_profile(uow: UnitOfWork, *, actor: Principal) -> MyProfile:
    """The actor's own profile (there is no way to ask for another shopper's)."""
    with uow.read() as session:
        consent = privacy.consent_granted(
            session, actor.user_id, privacy.PERSONALISED_RECOMMENDATIONS
        )
        profile = profile_of(session, actor.user_id)
        wanted = {category_id for category_id, _ in profile.categories} | set(profile.price_levels)
        named = (
            {
                row.id: NamedCategory(row.id, row.slug, row.name_en, row.name_zh)
                for row in session.execute(
                    select(Category.id, Category.slug, Category.name_en, Category.name_zh).where(
                        Category.id.in_(wanted)
                    )
                )
            }
            if wanted
            else {}
        )
        total = session.execute(
            select(func.count())
            .select_from(BehaviourEvent)
            .where(BehaviourEvent.user_id == actor.user_id)
        ).scalar_one()
    return MyProfile(consent, profile, named, int(total))


def my_events(
    uow: UnitOfWork, *, actor: Principal, cursor: str | None = None, limit: int = 20
) -> EventsPage:
    """The actor's own recorded events, newest first, ``limit`` at a time (one statement).

    Raises InvalidInput for a cursor this function did not make.
    """
    limit = max(1, min(limit, 100))
    query = (
        select(
            BehaviourEvent.id,
            BehaviourEvent.kind,
            BehaviourEvent.occurred_at,
            BehaviourEvent.product_id,
            Product.title_en,
            Product.title_zh,
            BehaviourEvent.query,
            BehaviourEvent.amount,
        )
        .outerjoin(Product, Product.id == BehaviourEvent.product_id)
        .where(BehaviourEvent.user_id == actor.user_id)
        .order_by(BehaviourEvent.occurred_at.desc(), BehaviourEvent.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        moment, ident = _parse_cursor(cursor)
        query = query.where(
            or_(
                BehaviourEvent.occurred_at < moment,
                and_(BehaviourEvent.occurred_at == moment, BehaviourEvent.id < ident),
            )
        )
    with uow.read() as session:
        rows = session.execute(query).all()
    events = [RecordedEvent(*row) for row in rows[:limit]]
    return EventsPage(events, _cursor_of(events[-1]) if len(rows) > limit else None)


def clear_my_events(uow: UnitOfWork, *, actor: Principal) -> int:
    """Delete every event recorded about the actor, stored or still waiting in this process's
    buffer; answers how many stored ones went."""
    RECORDER.forget(actor.user_id)
    with uow:
        return forget_user(uow, user_id=actor.user_id)


def forget_user(uow: UnitOfWork, *, user_id: uuid.UUID) -> int:
    """Delete every event recorded about ``user_id`` (consent withdrawn, history cleared)."""
    with uow:
        result = uow.session.execute(
            delete(BehaviourEvent).where(BehaviourEvent.user_id == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sweep_expired(uow: UnitOfWork) -> int:
    """Delete events older than the retention period; answers how many went."""
    cutoff = utcnow() - timedelta(days=get_settings().behaviour_retention_days)
    with uow:
        result = uow.session.execute(
            delete(BehaviourEvent).where(BehaviourEvent.occurred_at < cutoff)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
