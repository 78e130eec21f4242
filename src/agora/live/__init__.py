"""Live selling rooms and flash deals (PRODUCT.md M): a store's staff schedule a room with the
products it will sell, go live, pin a product and start a flash deal on it — a countdown, then a
few minutes in which viewers buy its units at the deal's price without leaving the room.

A deal's units are set aside from the SKU's stock when it opens and what is unsold goes back when
it closes; each purchase is an ordinary order paid from the wallet, placed through the writer,
never oversold, within a per-buyer limit; sold out is answered from memory.
"""

from agora.live import handlers as _handlers
from agora.live import jobs as _jobs
from agora.live.access import access_room
from agora.live.buying import FlashPurchase, buy, refuse_sold_out
from agora.live.domain import (
    CLOSED,
    COUNTING_DOWN,
    DEAL_KIND,
    ENDED,
    LIVE,
    OPEN,
    ROOM_STATUSES,
    SCHEDULED,
    FlashTerms,
    RoomDraft,
    masked_name,
)
from agora.live.errors import (
    FlashDealClosed,
    FlashDealNotFound,
    FlashDealNotOpen,
    FlashDealRunning,
    FlashDealSoldOut,
    FlashLimitReached,
    RoomNotFound,
    RoomNotLive,
    RoomStateConflict,
)
from agora.live.flash import (
    FLASH_CLOSES,
    FLASH_GATE,
    FLASH_OPENS,
    close_deal,
    end_deal,
    expire_deal,
    open_deal,
    start_deal,
)
from agora.live.models import FlashDeal, FlashDealBuyer, LiveRoom, LiveRoomProduct
from agora.live.queries import (
    DealView,
    ProductCard,
    RoomView,
    flash_deal,
    list_rooms,
    room_detail,
)
from agora.live.returns import return_to_deal
from agora.live.rooms import end_room, go_live, pin_product, schedule_room

__all__ = [
    "CLOSED",
    "COUNTING_DOWN",
    "DEAL_KIND",
    "ENDED",
    "FLASH_CLOSES",
    "FLASH_GATE",
    "FLASH_OPENS",
    "LIVE",
    "OPEN",
    "ROOM_STATUSES",
    "SCHEDULED",
    "DealView",
    "FlashDeal",
    "FlashDealBuyer",
    "FlashDealClosed",
    "FlashDealNotFound",
    "FlashDealNotOpen",
    "FlashDealRunning",
    "FlashDealSoldOut",
    "FlashLimitReached",
    "FlashPurchase",
    "FlashTerms",
    "LiveRoom",
    "LiveRoomProduct",
    "ProductCard",
    "RoomDraft",
    "RoomNotFound",
    "RoomNotLive",
    "RoomStateConflict",
    "RoomView",
    "access_room",
    "buy",
    "close_deal",
    "end_deal",
    "end_room",
    "expire_deal",
    "flash_deal",
    "go_live",
    "list_rooms",
    "masked_name",
    "open_deal",
    "pin_product",
    "refuse_sold_out",
    "return_to_deal",
    "room_detail",
    "schedule_room",
    "start_deal",
]

del _handlers, _jobs
