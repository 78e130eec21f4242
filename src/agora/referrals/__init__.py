"""Referral rewards (PRODUCT.md K): points for bringing a new shopper, withheld on fraud signals."""

from agora.referrals import handlers as _handlers
from agora.referrals.domain import (
    DEVICE_CLUSTER,
    GRANTED,
    IP_CLUSTER,
    REASONS,
    RELEASED,
    REWARDED,
    SELF_REFERRAL,
    STATUSES,
    UNDER_REVIEW,
    WAITING,
    WITHHELD,
)
from agora.referrals.errors import RewardNotFound, RewardNotWithheld
from agora.referrals.models import ReferralReward
from agora.referrals.service import (
    MyReferral,
    ReferralSummary,
    RewardView,
    list_rewards,
    my_referrals,
    my_summary,
    release_reward,
    reward_first_order,
    withheld_count,
)

__all__ = [
    "DEVICE_CLUSTER",
    "GRANTED",
    "IP_CLUSTER",
    "REASONS",
    "RELEASED",
    "REWARDED",
    "SELF_REFERRAL",
    "STATUSES",
    "UNDER_REVIEW",
    "WAITING",
    "WITHHELD",
    "MyReferral",
    "ReferralReward",
    "ReferralSummary",
    "RewardNotFound",
    "RewardNotWithheld",
    "RewardView",
    "list_rewards",
    "my_referrals",
    "my_summary",
    "release_reward",
    "reward_first_order",
    "withheld_count",
]

del _handlers
