"""The pure ordering rules: transitions, commission rounding, payment and refund splits."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.ordering import domain
from agora.ordering.domain import SourcePaid


def test_the_happy_path_is_a_chain_of_allowed_transitions() -> None:
    path = ["pending_payment", "paid", "shipped", "delivered", "completed"]

    for current, target in itertools.pairwise(path):
        domain.require_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("pending_payment", "shipped"),
        ("paid", "cancelled"),
        ("shipped", "paid"),
        ("delivered", "shipped"),
        ("completed", "refunded"),
        ("cancelled", "paid"),
        ("refunded", "paid"),
        ("pending_payment", "refunded"),
    ],
)
def test_other_transitions_are_refused(current: str, target: str) -> None:
    assert not domain.can_transition(current, target)
    with pytest.raises(domain.TransitionRefused):
        domain.require_transition(current, target)


def test_closed_statuses_go_nowhere() -> None:
    for status in domain.CLOSED:
        assert domain.TRANSITIONS[status] == frozenset()


def test_the_guard_of_each_update_lists_where_it_may_come_from() -> None:
    assert domain.sources_into("cancelled") == {"pending_payment"}
    assert domain.sources_into("refunded") == {"paid", "shipped", "delivered"}
    assert domain.sources_into("completed") == {"delivered"}


def test_refund_kind_depends_on_whether_the_goods_left() -> None:
    assert domain.refund_kind("paid") == "refund"
    assert domain.refund_kind("shipped") == "return"
    assert domain.refund_kind("delivered") == "return"
    for status in ("pending_payment", "completed", "cancelled", "refunded"):
        with pytest.raises(domain.TransitionRefused):
            domain.refund_kind(status)


@pytest.mark.parametrize(
    ("gross", "rate", "commission"),
    [
        (10000, Decimal("0.05"), 500),
        (10, Decimal("0.05"), 1),  # 0.5 rounds half up to 1
        (9, Decimal("0.05"), 0),  # 0.45 rounds down
        (29900, Decimal("0.05"), 1495),
        (19950, Decimal("0.05"), 998),  # 997.5 -> 998
        (0, Decimal("0.05"), 0),
        (12345, Decimal("0"), 0),
        (12345, Decimal("1"), 12345),
    ],
)
def test_commission_rounds_half_up(gross: int, rate: Decimal, commission: int) -> None:
    assert domain.commission_for(gross, rate) == commission


def test_commission_refuses_impossible_rates() -> None:
    with pytest.raises(ValueError):
        domain.commission_for(100, Decimal("1.5"))
    with pytest.raises(ValueError):
        domain.commission_for(-1, Decimal("0.05"))


def test_sources_resolve_with_one_taking_the_rest() -> None:
    assert domain.resolve_sources(1000, [("wallet", None)]) == {"wallet": 1000}
    assert domain.resolve_sources(1000, [("wallet", 300), ("gateway:sandbox", None)]) == {
        "wallet": 300,
        "gateway:sandbox": 700,
    }
    assert domain.resolve_sources(1000, [("wallet", 1000), ("gateway:sandbox", None)]) == {
        "wallet": 1000
    }


@pytest.mark.parametrize(
    "requested",
    [
        [],
        [("wallet", 999)],
        [("wallet", 1001)],
        [("wallet", None), ("gateway:sandbox", None)],
        [("wallet", 500), ("wallet", 500)],
        [("wallet", 1200), ("gateway:sandbox", None)],
        [("wallet", -1), ("gateway:sandbox", 1001)],
    ],
)
def test_sources_that_do_not_add_up_are_refused(requested: list[tuple[str, int | None]]) -> None:
    with pytest.raises(ValueError):
        domain.resolve_sources(1000, requested)


def test_the_gateway_part_is_split_by_order_total() -> None:
    assert domain.split_over_orders([3000, 1000], 2000) == [1500, 500]
    assert domain.split_over_orders([1, 1, 1], 2) == [1, 1, 0]
    assert domain.split_over_orders([500, 700], 0) == [0, 0]
    assert domain.split_over_orders([500, 700], 1200) == [500, 700]


@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=6), st.data())
def test_gateway_parts_sum_to_the_whole_and_fit_each_order(
    totals: list[int], data: st.DataObject
) -> None:
    gateway = data.draw(st.integers(0, sum(totals)))

    parts = domain.split_over_orders(totals, gateway)

    assert sum(parts) == gateway
    assert all(0 <= p <= t for p, t in zip(parts, totals, strict=True))


def test_refunds_go_back_to_the_gateway_first() -> None:
    paid = [SourcePaid("wallet", 4000, 0), SourcePaid("gateway:sandbox", 6000, 0)]

    assert domain.refund_split(5000, paid) == {"gateway:sandbox": 5000}
    assert domain.refund_split(8000, paid) == {"gateway:sandbox": 6000, "wallet": 2000}


def test_refunds_skip_what_was_already_refunded() -> None:
    paid = [SourcePaid("wallet", 4000, 1000), SourcePaid("gateway:sandbox", 6000, 6000)]

    assert domain.refund_split(3000, paid) == {"wallet": 3000}
    with pytest.raises(ValueError):
        domain.refund_split(3001, paid)


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.data(),
)
def test_a_refund_split_never_gives_a_source_more_than_it_paid(
    wallet: int, gateway: int, data: st.DataObject
) -> None:
    paid = [SourcePaid("wallet", wallet, 0), SourcePaid("gateway:sandbox", gateway, 0)]
    if wallet + gateway == 0:
        return
    amount = data.draw(st.integers(1, wallet + gateway))

    parts = domain.refund_split(amount, paid)

    assert sum(parts.values()) == amount
    assert parts.get("wallet", 0) <= wallet
    assert parts.get("gateway:sandbox", 0) <= gateway
    if amount <= gateway:
        assert parts == {"gateway:sandbox": amount}
