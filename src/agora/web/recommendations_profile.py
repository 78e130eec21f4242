"""The "Why you see this" page: what Agora inferred from the shopper's behaviour, in plain words,
what it recorded, a button to clear it, and the way to the consent that allows it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from agora import recommendations
from agora.catalog.images import COLOURS
from agora.config import get_settings
from agora.core.errors import N_
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.http.deps import Actor, Uow
from agora.web.render import check_csrf, redirect, render

router = APIRouter(include_in_schema=False)
PATH = "/account/why"
PRIVACY_PATH = "/account/privacy"
PAGE = 20
SHOWN_CATEGORIES = 3
SHOWN_COLOURS = 3
SHOWN_PRICE_LEVELS = 4
Text = Annotated[str, Form(max_length=256)]

KIND_LABELS = {
    recommendations.VIEW: N_("Viewed"),
    recommendations.SEARCH: N_("Searched for"),
    recommendations.CART: N_("Added to cart"),
    recommendations.PURCHASE: N_("Bought"),
    recommendations.SHARE: N_("Shared"),
    recommendations.LIKE: N_("Liked"),
    recommendations.DISMISS: N_("Not interested"),
}


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C" — in the reader's language ("A、B和C")."""
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    head = _(", ").join(names[:-1])
    return _("%(first)s and %(last)s") % {"first": head, "last": names[-1]}


@dataclass(frozen=True, slots=True)
class PriceLine:
    category: str
    slug: str
    low: int
    high: int
    typical_max: int
    percent: int
    basis: int


def _price_lines(mine: recommendations.MyProfile) -> list[PriceLine]:
    rank = {category_id: n for n, (category_id, _w) in enumerate(mine.profile.categories)}
    lines = []
    for category_id, level in sorted(
        mine.profile.price_levels.items(),
        key=lambda item: (rank.get(item[0], len(rank)), -item[1].basis),
    ):
        category = mine.categories.get(category_id)
        if category is None:
            continue
        lines.append(
            PriceLine(
                category=lazy_pick(category.name_en, category.name_zh),
                slug=category.slug,
                low=level.low,
                high=level.high,
                typical_max=level.typical_max,
                percent=round(level.percentile * 100),
                basis=level.basis,
            )
        )
    # The categories the shopper cares most about first; a page of them would say nothing.
    return lines[:SHOWN_PRICE_LEVELS]


def _category_names(mine: recommendations.MyProfile, ids: list[uuid.UUID]) -> list[str]:
    found = (mine.categories.get(category_id) for category_id in ids)
    return [lazy_pick(c.name_en, c.name_zh) for c in found if c is not None]


@router.get(PATH)
def why_you_see_this(
    request: Request,
    actor: Actor,
    uow: Uow,
    cursor: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    settings = get_settings()
    mine = recommendations.my_profile(uow, actor=actor)
    profile = mine.profile
    page = (
        recommendations.my_events(uow, actor=actor, cursor=cursor or None, limit=PAGE)
        if mine.consent or mine.total_events
        else None
    )
    favourite = [category_id for category_id, _weight in profile.categories[:SHOWN_CATEGORIES]]
    colours = [
        lazy_pick(COLOURS[key].name_en, COLOURS[key].name_zh).lower() if key in COLOURS else key
        for key, _weight in profile.colours[:SHOWN_COLOURS]
    ]
    return render(
        request,
        "recommendations/why.html",
        consent=mine.consent,
        total_events=mine.total_events,
        categories_text=join_names(_category_names(mine, favourite)),
        colours_text=join_names(colours),
        price_lines=_price_lines(mine),
        overall_typical_max=profile.overall_typical_max,
        events=page.events if page else [],
        kind_labels={kind: _(label) for kind, label in KIND_LABELS.items()},
        next_url=f"{PATH}?{urlencode({'cursor': page.next_cursor})}"
        if page and page.next_cursor
        else None,
        first_page=not cursor,
        privacy_url=PRIVACY_PATH,
        retention_days=settings.behaviour_retention_days,
        half_life_days=f"{settings.behaviour_half_life_days:g}",
    )


@router.post(f"{PATH}/clear")
def clear_history(request: Request, actor: Actor, uow: Uow, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    recommendations.clear_my_events(uow, actor=actor)
    return redirect(
        request, PATH, flash=_("Your history is cleared: nothing recorded about you is left.")
    )
