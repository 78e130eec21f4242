"""Recommendation rows on the shop's pages ("Guess you like", "Friends bought" on the home page;
"Similar items", "Bought together" on a product page) and "Not interested" on their cards."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from agora.catalog import ProductCard
from agora.core.i18n import gettext as _
from agora.core.uow import UnitOfWork
from agora.http.deps import Actor
from agora.identity import Principal
from agora.recommendations import feeds
from agora.web.render import check_csrf, redirect, safe_next

router = APIRouter(include_in_schema=False)
HOME_PICKS = 10  # two full rows of the desktop's five columns, five of the phone's two
FRIEND_PICKS = 5  # one row
SIMILAR_PICKS = 10
TOGETHER_PICKS = 6


@dataclass(frozen=True, slots=True)
class FeedCard:
    """One card of a row and the words of its "Why?"."""

    recommendation: feeds.Recommendation
    why: str

    @property
    def card(self) -> ProductCard | None:
        return self.recommendation.card


def _cards(recommendations: list[feeds.Recommendation]) -> list[FeedCard]:
    return [FeedCard(r, feeds.reason_text(r)) for r in recommendations if r.card is not None]


def home_rows(uow: UnitOfWork, actor: Principal | None) -> dict[str, Any]:
    """The signed-in shopper's rows; none for a visitor (the home page's popular row serves)."""
    if actor is None:
        return {"guess_you_like": [], "friends_bought": []}
    with uow.read() as session:
        mine = feeds.guess_you_like(actor.user_id, HOME_PICKS, session=session)
        friends = feeds.friends_bought(session, actor.user_id, FRIEND_PICKS)
    return {"guess_you_like": _cards(mine), "friends_bought": _cards(friends)}


def product_rows(uow: UnitOfWork, product_id: uuid.UUID) -> dict[str, Any]:
    with uow.read() as session:
        similar = feeds.similar_items(product_id, SIMILAR_PICKS, session=session)
        together = feeds.bought_together(product_id, TOGETHER_PICKS, session=session)
    return {"similar_items": _cards(similar), "bought_together": _cards(together)}


@router.post("/recommendations/dismiss")
def dismiss(
    request: Request,
    actor: Actor,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    product_id: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Not interested: the card leaves this shopper's feeds."""
    check_csrf(request, csrf_token)
    back = safe_next(next)
    try:
        chosen = uuid.UUID(product_id)
    except ValueError:
        return redirect(request, back, flash=_("That product could not be found."), kind="error")
    feeds.dismiss(actor.user_id, chosen)
    return redirect(request, back, flash=_("Got it — we will show you less like this."))
