"""The referral rules without a database: the fraud signals and what a referrer is told."""

from __future__ import annotations

from typing import Any

import pytest

from agora.referrals import domain


def _reasons(**overrides: Any) -> list[str]:
    facts: dict[str, Any] = {
        "referee_browsers": {"browser-new"},
        "referee_addresses": {"addr-new"},
        "referrer_browsers": {"browser-sharer"},
        "referrer_addresses": {"addr-sharer"},
        "browser_signups": 1,
        "address_signups": 1,
        "cluster_size": 3,
    }
    facts.update(overrides)
    return domain.fraud_reasons(**facts)


def test_a_genuine_referral_has_no_signal() -> None:
    assert _reasons() == []
    assert _reasons(browser_signups=2, address_signups=2) == []
    assert _reasons(referee_addresses=set(), referrer_addresses=set()) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"referee_browsers": {"browser-new", "browser-sharer"}},
        {"referrer_addresses": {"addr-sharer", "addr-new"}},
    ],
)
def test_a_browser_or_an_address_of_both_is_self_referral(overrides: dict[str, Any]) -> None:
    assert _reasons(**overrides) == [domain.SELF_REFERRAL]


def test_clusters_start_at_the_configured_size_and_signals_keep_their_order() -> None:
    assert _reasons(browser_signups=3) == [domain.DEVICE_CLUSTER]
    assert _reasons(address_signups=4) == [domain.IP_CLUSTER]
    assert _reasons(browser_signups=2, cluster_size=2) == [domain.DEVICE_CLUSTER]
    assert _reasons(referee_browsers={"browser-sharer"}, browser_signups=5, address_signups=5) == [
        domain.SELF_REFERRAL,
        domain.DEVICE_CLUSTER,
        domain.IP_CLUSTER,
    ]


def test_the_referrer_is_told_waiting_rewarded_or_under_review_never_why() -> None:
    assert domain.shopper_status(None) == domain.WAITING
    assert domain.shopper_status(domain.GRANTED) == domain.REWARDED
    assert domain.shopper_status(domain.RELEASED) == domain.REWARDED
    assert domain.shopper_status(domain.WITHHELD) == domain.UNDER_REVIEW
