"""Recommendations: behaviour events, the shopper profile, trained recommenders and their feeds.

Nothing below the pages imports this context (an import-linter contract): it learns of orders,
shares and consents through their events (``handlers``), and the pages and API call
``record_event`` for what a shopper looks at, searches for and puts in the cart.
"""

from agora.recommendations import handlers as _handlers
from agora.recommendations import jobs as _jobs
from agora.recommendations.domain import (
    CART,
    DISMISS,
    KINDS,
    LIKE,
    PURCHASE,
    SEARCH,
    SHARE,
    VIEW,
    PriceLevel,
    ShopperProfile,
)
from agora.recommendations.events import RECORDER, flush_events, record_event
from agora.recommendations.models import BehaviourEvent
from agora.recommendations.service import (
    EventsPage,
    MyProfile,
    RecordedEvent,
    clear_my_events,
    my_events,
    my_profile,
    price_level_for,
    price_levels_of,
    profile_of,
)

__all__ = [
    "CART",
    "DISMISS",
    "KINDS",
    "LIKE",
    "PURCHASE",
    "RECORDER",
    "SEARCH",
    "SHARE",
    "VIEW",
    "BehaviourEvent",
    "EventsPage",
    "MyProfile",
    "PriceLevel",
    "RecordedEvent",
    "ShopperProfile",
    "clear_my_events",
    "flush_events",
    "my_events",
    "my_profile",
    "price_level_for",
    "price_levels_of",
    "profile_of",
    "record_event",
]

del _handlers, _jobs
