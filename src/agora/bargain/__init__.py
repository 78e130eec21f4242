"""Bargains (PRODUCT.md L): friends help cut the price down to the floor.

A merchant offers one SKU from a start price down to a floor with the help of a disclosed number
of friends; a shopper starts a campaign, shares it, each friend helps once and cuts the next
amount of the schedule drawn at the start; at the last helper the price meets the floor exactly,
and the shopper buys at it within the window. Importing this package registers the share target
``bargain``, the expiry deadline and the reaction to unpaid orders.
"""

from agora.bargain import handlers as _handlers
from agora.bargain import jobs as _jobs
from agora.bargain import target as _target
from agora.bargain.campaigns import (
    EXPIRY,
    Bought,
    Helped,
    Started,
    access_bargain,
    buy_bargain,
    expire_bargain,
    help_bargain,
    my_bargains,
    my_live_bargain,
    release_order,
    start_bargain,
)
from agora.bargain.domain import DEAL_KIND, draw_cuts
from agora.bargain.errors import (
    AlreadyBought,
    AlreadyHelped,
    AlreadyOrdered,
    BargainComplete,
    BargainExpired,
    BargainNotFound,
    NotReached,
    OfferEnded,
    OfferExists,
    OfferNotFound,
    OfferSoldOut,
    OwnBargain,
)
from agora.bargain.models import Bargain, BargainHelp, BargainOffer
from agora.bargain.offers import create_offer, end_offer, product_offer, product_offers
from agora.bargain.target import TARGET_TYPE
from agora.bargain.views import BargainView, HelpView, OfferStats, OfferView

__all__ = [
    "DEAL_KIND",
    "EXPIRY",
    "TARGET_TYPE",
    "AlreadyBought",
    "AlreadyHelped",
    "AlreadyOrdered",
    "Bargain",
    "BargainComplete",
    "BargainExpired",
    "BargainHelp",
    "BargainNotFound",
    "BargainOffer",
    "BargainView",
    "Bought",
    "HelpView",
    "Helped",
    "NotReached",
    "OfferEnded",
    "OfferExists",
    "OfferNotFound",
    "OfferSoldOut",
    "OfferStats",
    "OfferView",
    "OwnBargain",
    "Started",
    "access_bargain",
    "buy_bargain",
    "create_offer",
    "draw_cuts",
    "end_offer",
    "expire_bargain",
    "help_bargain",
    "my_bargains",
    "my_live_bargain",
    "product_offer",
    "product_offers",
    "release_order",
    "start_bargain",
]

del _handlers, _jobs, _target
