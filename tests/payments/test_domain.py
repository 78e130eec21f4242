"""Pure payment rules: state transitions, amount limits, the signed canonical form."""

from __future__ import annotations

import uuid

import pytest

from agora.core.errors import InvalidInput
from agora.payments import domain
from agora.payments.domain import Notification

REF = uuid.UUID("0190f000-0000-7000-8000-000000000001")


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        ("pending", "succeeded", "succeeded"),
        ("pending", "failed", "failed"),
        ("pending", "expired", "expired"),
        ("expired", "succeeded", "succeeded"),  # late: the bank took the money
        ("expired", "failed", None),
        ("expired", "expired", None),
        ("succeeded", "failed", None),  # out of order: recorded, ignored
        ("succeeded", "succeeded", None),
        ("succeeded", "expired", None),
        ("failed", "succeeded", None),
        ("failed", "expired", None),
        ("unknown", "succeeded", None),
    ],
)
def test_charge_transitions(status: str, event: str, after: str | None) -> None:
    assert domain.charge_next(status, event) == after


def test_the_guarded_update_sources_match_the_transitions() -> None:
    assert domain.charge_sources("succeeded") == ("pending", "expired")
    assert domain.charge_sources("failed") == ("pending",)
    assert domain.charge_sources("expired") == ("pending",)


@pytest.mark.parametrize(
    ("status", "outcome", "after"),
    [
        ("pending", "succeeded", "succeeded"),
        ("pending", "failed", "failed"),
        ("succeeded", "failed", None),
        ("failed", "succeeded", None),
    ],
)
def test_withdrawal_transitions(status: str, outcome: str, after: str | None) -> None:
    assert domain.withdrawal_next(status, outcome) == after


@pytest.mark.parametrize("amount", [1, 500, 5_000_000])
def test_amounts_within_the_limits_pass(amount: int) -> None:
    domain.check_amount(amount, minimum=1, maximum=5_000_000)


@pytest.mark.parametrize("amount", [0, -1, 5_000_001, True, 1.5])
def test_amounts_outside_the_limits_are_refused(amount: object) -> None:
    with pytest.raises(InvalidInput):
        domain.check_amount(amount, minimum=1, maximum=5_000_000)  # type: ignore[arg-type]


def test_the_canonical_form_sorts_keys_and_has_no_spaces() -> None:
    assert domain.canonical({"b": 1, "a": "元"}) == '{"a":"元","b":1}'.encode()


def test_a_signature_verifies_only_for_the_same_fields_and_key() -> None:
    key = b"k" * 32
    fields = Notification("n-1", "charge", REF, "succeeded", 100).as_dict()
    signature = domain.sign(key, fields)
    assert len(signature) == 64
    assert domain.signature_ok(key, dict(reversed(list(fields.items()))), signature)
    assert domain.signature_ok(key, fields, signature.upper())
    assert not domain.signature_ok(key, {**fields, "amount": 1000}, signature)
    assert not domain.signature_ok(b"x" * 32, fields, signature)
    assert not domain.signature_ok(key, fields, "")


def test_a_notification_round_trips_through_its_fields() -> None:
    note = Notification("n-1", "payout", REF, "failed", 1013)
    assert note.as_dict() == {
        "id": "n-1",
        "type": "payout.failed",
        "object_id": str(REF),
        "amount": 1013,
        "currency": "CNY",
    }
    assert domain.parse_notification(note.as_dict()) == note


@pytest.mark.parametrize(
    "change",
    [
        {"type": "charge.maybe"},
        {"type": "refund.succeeded"},
        {"object_id": "nope"},
        {"id": ""},
        {"id": 7},
        {"amount": "100"},
        {"amount": True},
    ],
)
def test_notifications_that_do_not_make_sense_are_not_parsed(change: dict[str, object]) -> None:
    fields = {**Notification("n-1", "charge", REF, "succeeded", 100).as_dict(), **change}
    assert domain.parse_notification(fields) is None


def test_the_return_url_gets_the_charge() -> None:
    assert domain.with_query("/wallet", charge="c") == "/wallet?charge=c"
    assert domain.with_query("/orders?x=1", charge="c") == "/orders?x=1&charge=c"
