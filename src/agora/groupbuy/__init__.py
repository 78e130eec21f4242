"""Group deals and teams (PRODUCT.md L): buy together at the group price.

A merchant sets a deal on a product (team size, group price, window, per-person limit, units set
aside); a shopper opens a team by paying and shares it; others join by paying; a full team's
orders go to fulfilment, a team whose deadline passes first is refunded in full.
"""

from agora.groupbuy import jobs as _jobs
from agora.groupbuy import targets as _targets
from agora.groupbuy.access import access_deal
from agora.groupbuy.deals import DealStats, MerchantDeals, create_deal, end_deal, merchant_deals
from agora.groupbuy.domain import (
    ACTIVE,
    COMPLETE,
    ENDED,
    FAILED,
    OPEN,
    TEAM_STATUSES,
    DealTerms,
    clock_text,
)
from agora.groupbuy.errors import (
    AlreadyInTeam,
    GroupDealEnded,
    GroupDealExists,
    GroupDealNotFound,
    GroupDealSoldOut,
    GroupLimitReached,
    SkuNotInDeal,
    TeamClosed,
    TeamFull,
    TeamNotFound,
)
from agora.groupbuy.models import GroupDeal, GroupDealBuyer, GroupTeam, GroupTeamMember
from agora.groupbuy.queries import (
    DealView,
    MemberView,
    MyPart,
    OpenTeam,
    ProductDeal,
    TeamView,
    my_teams,
    product_deal,
    team_view,
)
from agora.groupbuy.targets import TEAM
from agora.groupbuy.teams import (
    TEAM_EXPIRY,
    TeamOutcome,
    check_join,
    check_start,
    expire_team,
    join_team,
    start_team,
)

__all__ = [
    "ACTIVE",
    "COMPLETE",
    "ENDED",
    "FAILED",
    "OPEN",
    "TEAM",
    "TEAM_EXPIRY",
    "TEAM_STATUSES",
    "AlreadyInTeam",
    "DealStats",
    "DealTerms",
    "DealView",
    "GroupDeal",
    "GroupDealBuyer",
    "GroupDealEnded",
    "GroupDealExists",
    "GroupDealNotFound",
    "GroupDealSoldOut",
    "GroupLimitReached",
    "GroupTeam",
    "GroupTeamMember",
    "MemberView",
    "MerchantDeals",
    "MyPart",
    "OpenTeam",
    "ProductDeal",
    "SkuNotInDeal",
    "TeamClosed",
    "TeamFull",
    "TeamNotFound",
    "TeamOutcome",
    "TeamView",
    "access_deal",
    "check_join",
    "check_start",
    "clock_text",
    "create_deal",
    "end_deal",
    "expire_team",
    "join_team",
    "merchant_deals",
    "my_teams",
    "product_deal",
    "start_team",
    "team_view",
]

del _jobs, _targets
