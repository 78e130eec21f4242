"""Live-selling errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, NotFound

__all__ = ["N_"]


class RoomNotFound(NotFound):
    code = "live_room_not_found"
    title = N_("This live room does not exist.")


class RoomStateConflict(Conflict):
    code = "live_room_state"
    title = N_("The live room is not in a state that allows this.")


class RoomNotLive(Conflict):
    code = "live_room_not_live"
    title = N_("The live room is not live.")


class FlashDealNotFound(NotFound):
    code = "flash_deal_not_found"
    title = N_("This flash deal does not exist.")


class FlashDealRunning(Conflict):
    code = "flash_deal_running"
    title = N_("A flash deal is already running in this room. End it first.")


class FlashDealNotOpen(Conflict):
    code = "flash_deal_not_open"
    title = N_("This flash deal is not open yet. Wait for the countdown.")


class FlashDealClosed(Conflict):
    code = "flash_deal_closed"
    title = N_("This flash deal has closed.")


class FlashDealSoldOut(Conflict):
    code = "flash_deal_sold_out"
    title = N_("The units of this flash deal are all taken.")


class FlashLimitReached(Conflict):
    code = "flash_limit_reached"
    title = N_("You have bought as many units of this flash deal as one person may.")
