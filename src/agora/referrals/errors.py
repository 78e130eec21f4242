"""Referral errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, NotFound


class RewardNotFound(NotFound):
    code = "referral_reward_not_found"
    title = N_("This referral reward does not exist.")


class RewardNotWithheld(Conflict):
    code = "referral_reward_not_withheld"
    title = N_("Only a withheld referral reward can be released; this one has been decided.")
