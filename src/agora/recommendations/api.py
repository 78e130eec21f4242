"""Profile endpoints: what Agora inferred about me from my behaviour, what it recorded, and
clearing it. Only ever the caller's own: no route takes another shopper's id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from agora import recommendations
from agora.catalog.images import COLOURS
from agora.catalog.schemas import MoneyOut
from agora.core.i18n import lazy_pick
from agora.http.deps import Actor, Uow
from agora.http.routing import Router

router = Router(prefix="/api/v1", tags=["recommendations"])


class CategoryAffinityOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    weight: float = Field(description="Decayed affinity: recent and weighty events count more.")


class ColourAffinityOut(BaseModel):
    key: str
    name: str
    weight: float


class PriceLevelOut(BaseModel):
    category_id: uuid.UUID
    slug: str
    name: str
    percentile: float = Field(
        description="0..1: the share of the category's prices at or below the median price "
        "I paid there."
    )
    typical_max: MoneyOut = Field(description="The price up to which I usually buy there.")
    low: MoneyOut
    high: MoneyOut
    basis: int = Field(description="How many purchases the level rests on.")


class ProfileOut(BaseModel):
    consent: bool = Field(
        description="Whether the personalised-recommendations consent is on; without it "
        "nothing is recorded and the profile is empty."
    )
    events: int = Field(description="Events recorded about me.")
    categories: list[CategoryAffinityOut]
    colours: list[ColourAffinityOut]
    price_levels: list[PriceLevelOut]
    overall_typical_max: MoneyOut | None


class RecordedEventOut(BaseModel):
    id: uuid.UUID
    kind: str = Field(description="view, search, cart, purchase, share, like or dismiss.")
    occurred_at: datetime
    product_id: uuid.UUID | None
    product_title: str | None
    query: str | None
    amount: MoneyOut | None = Field(description="For a purchase: the price paid per unit.")


class RecordedEventsOut(BaseModel):
    items: list[RecordedEventOut]
    next_cursor: str | None
    """Pass as ``cursor`` for the next (older) page; ``null`` on the last page."""


class ClearedOut(BaseModel):
    deleted: int


def _money(amount: int | None) -> MoneyOut | None:
    return None if amount is None else MoneyOut(amount=amount)


def profile_out(mine: recommendations.MyProfile) -> ProfileOut:
    profile = mine.profile
    names = mine.categories

    def name(category_id: uuid.UUID) -> tuple[str, str]:
        category = names.get(category_id)
        if category is None:
            return "", ""
        return category.slug, lazy_pick(category.name_en, category.name_zh)

    return ProfileOut(
        consent=mine.consent,
        events=mine.total_events,
        categories=[
            CategoryAffinityOut(id=cid, slug=name(cid)[0], name=name(cid)[1], weight=weight)
            for cid, weight in profile.categories
        ],
        colours=[
            ColourAffinityOut(
                key=key,
                name=lazy_pick(COLOURS[key].name_en, COLOURS[key].name_zh)
                if key in COLOURS
                else key,
                weight=weight,
            )
            for key, weight in profile.colours
        ],
        price_levels=[
            PriceLevelOut(
                category_id=cid,
                slug=name(cid)[0],
                name=name(cid)[1],
                percentile=level.percentile,
                typical_max=MoneyOut(amount=level.typical_max),
                low=MoneyOut(amount=level.low),
                high=MoneyOut(amount=level.high),
                basis=level.basis,
            )
            for cid, level in profile.price_levels.items()
        ],
        overall_typical_max=_money(profile.overall_typical_max),
    )


@router.get("/me/profile", response_model=ProfileOut)
def my_profile(actor: Actor, uow: Uow) -> ProfileOut:
    """What my recorded behaviour says about me: the categories and colours I favour (recent
    and weighty events count more) and, per category I bought in, where my purchases sit among
    its prices."""
    return profile_out(recommendations.my_profile(uow, actor=actor))


@router.get("/me/events", response_model=RecordedEventsOut)
def my_events(
    actor: Actor,
    uow: Uow,
    cursor: Annotated[str | None, Query(max_length=100, description="`next_cursor`.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RecordedEventsOut:
    """What was recorded about me, newest first."""
    page = recommendations.my_events(uow, actor=actor, cursor=cursor, limit=limit)
    return RecordedEventsOut(
        items=[
            RecordedEventOut(
                id=event.id,
                kind=event.kind,
                occurred_at=event.occurred_at,
                product_id=event.product_id,
                product_title=lazy_pick(event.product_title_en, event.product_title_zh)
                if event.product_title_en is not None
                else None,
                query=event.query,
                amount=_money(event.amount),
            )
            for event in page.events
        ],
        next_cursor=page.next_cursor,
    )


@router.delete("/me/events", response_model=ClearedOut)
def clear_my_events(actor: Actor, uow: Uow) -> ClearedOut:
    """Delete everything recorded about my behaviour (the profile empties with it). The consent
    stays as it is: switch it off on the privacy page to stop recording."""
    return ClearedOut(deleted=recommendations.clear_my_events(uow, actor=actor))
