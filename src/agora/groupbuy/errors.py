"""Group-deal errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound

__all__ = ["N_"]


class GroupDealNotFound(NotFound):
    code = "group_deal_not_found"
    title = N_("This group deal does not exist.")


class TeamNotFound(NotFound):
    code = "team_not_found"
    title = N_("This team does not exist.")


class GroupDealExists(Conflict):
    code = "group_deal_exists"
    title = N_("This product already has a group deal running. End it first.")


class GroupDealEnded(Conflict):
    code = "group_deal_ended"
    title = N_("This group deal has ended.")


class GroupDealSoldOut(Conflict):
    code = "group_deal_sold_out"
    title = N_("The units set aside for this group deal are all taken.")


class GroupLimitReached(Conflict):
    code = "group_limit_reached"
    title = N_("You have bought as many units of this group deal as one person may.")


class TeamFull(Conflict):
    code = "team_full"
    title = N_("This team is already full. Start a team of your own.")


class TeamClosed(Conflict):
    code = "team_closed"
    title = N_("This team has closed. Start a team of your own.")


class AlreadyInTeam(Conflict):
    code = "already_in_team"
    title = N_("You are already in this team.")


class SkuNotInDeal(InvalidInput):
    code = "sku_not_in_deal"
    title = N_("Choose a colour and size of this product.")
