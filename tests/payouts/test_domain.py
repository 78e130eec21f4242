"""Pure rules: payout accounts, masking, payout states, commission percentages, and the bank's
reason riding in a signed payout notification."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from agora.catalog.commission import basis_points
from agora.core.errors import InvalidInput
from agora.payments import domain as payments_domain
from agora.payments.domain import Notification
from agora.payouts import domain


def test_an_account_is_kept_as_typed_names_and_bare_digits() -> None:
    fields = domain.check_account(
        holder_name="  Li   Wei ", bank_name="Bank of China", account_number="6217-0000 1234 5678"
    )
    assert fields == domain.AccountFields("Li Wei", "Bank of China", "6217000012345678")


@pytest.mark.parametrize(
    ("holder", "bank", "number", "wrong"),
    [
        ("", "ICBC", "12345678", ["holder_name"]),
        ("Li", "x" * 81, "12345678", ["bank_name"]),
        ("Li", "ICBC", "1234567", ["account_number"]),
        ("Li", "ICBC", "1" * 31, ["account_number"]),
        ("Li", "ICBC", "1234 56a8", ["account_number"]),
        ("Li", "ICBC", "١٢٣٤٥٦٧٨٩", ["account_number"]),
        (" ", " ", "", ["holder_name", "bank_name", "account_number"]),
    ],
)
def test_a_wrong_account_names_every_wrong_field(
    holder: str, bank: str, number: str, wrong: list[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        domain.check_account(holder_name=holder, bank_name=bank, account_number=number)
    assert [e["field"] for e in refused.value.extra["errors"]] == wrong


def test_only_the_last_four_digits_are_shown() -> None:
    assert domain.mask("6217000012345678") == "•••• 5678"


def test_a_payout_is_requested_then_paid_or_failed() -> None:
    assert [domain.payout_status(s) for s in ("pending", "succeeded", "failed")] == [
        "requested",
        "paid",
        "failed",
    ]


@pytest.mark.parametrize(
    ("percent", "bps"), [("0", 0), ("5", 500), ("5.5", 550), ("7.25", 725), ("50.00", 5000)]
)
def test_a_commission_percentage_is_whole_basis_points(percent: str, bps: int) -> None:
    assert basis_points(Decimal(percent)) == bps


@pytest.mark.parametrize("percent", ["-1", "50.01", "0.001", "Infinity", "NaN"])
def test_other_commission_percentages_are_refused(percent: str) -> None:
    with pytest.raises(InvalidInput):
        basis_points(Decimal(percent))


def test_the_banks_reason_is_signed_with_the_payout_notification() -> None:
    ref = uuid.uuid4()
    note = Notification("n-1", "payout", ref, "failed", 1013, reason="declined")
    fields = note.as_dict()
    assert fields["reason"] == "declined"
    assert payments_domain.parse_notification(fields) == note
    # a notification without a reason is signed exactly as before
    assert "reason" not in Notification("n-2", "payout", ref, "succeeded", 100).as_dict()
    assert payments_domain.parse_notification({**fields, "reason": ""}) is None
    assert payments_domain.parse_notification({**fields, "reason": 13}) is None
