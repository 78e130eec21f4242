"""Pure referral rules: reward statuses, the fraud signals, and what a shopper is told."""

from __future__ import annotations

from collections.abc import Collection

GRANTED = "granted"
WITHHELD = "withheld"
RELEASED = "released"
STATUSES = (GRANTED, WITHHELD, RELEASED)

# Reason codes stored with a withheld reward (and shown to operators, never to shoppers: naming
# the signal that tripped would teach a cheat what to change).
SELF_REFERRAL = "self_referral"
DEVICE_CLUSTER = "device_cluster"
IP_CLUSTER = "ip_cluster"
REASONS = (SELF_REFERRAL, DEVICE_CLUSTER, IP_CLUSTER)

# What the referrer sees of each friend they brought.
WAITING = "waiting"
"""Signed up; no completed order yet."""
REWARDED = "rewarded"
UNDER_REVIEW = "under_review"

POINTS_KEY = "referral:{referee_id}"
POINTS_REASON = "referral"


def fraud_reasons(
    *,
    referee_browsers: Collection[str],
    referee_addresses: Collection[str],
    referrer_browsers: Collection[str],
    referrer_addresses: Collection[str],
    browser_signups: int,
    address_signups: int,
    cluster_size: int,
) -> list[str]:
    """The fraud signals of one referral, in a fixed order; empty when it looks genuine.

    - ``self_referral``: the referee and the referrer are one person by their browsers — a
      browser (visitor id) or an address hash known for both.
    - ``device_cluster`` / ``ip_cluster``: ``cluster_size`` or more credited sign-ups (this one
      included) came from the sign-up's browser / address.
    """
    reasons = []
    if set(referee_browsers) & set(referrer_browsers) or (
        set(referee_addresses) & set(referrer_addresses)
    ):
        reasons.append(SELF_REFERRAL)
    if browser_signups >= cluster_size:
        reasons.append(DEVICE_CLUSTER)
    if address_signups >= cluster_size:
        reasons.append(IP_CLUSTER)
    return reasons


def shopper_status(status: str | None) -> str:
    """What the referrer is told: waiting for a first completed order, rewarded, or under
    review (a withheld reward, without its reasons)."""
    if status is None:
        return WAITING
    return UNDER_REVIEW if status == WITHHELD else REWARDED
