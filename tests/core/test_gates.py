"""Memory gates: they only ever say "no", and never for longer than the scarcity lasts."""

from __future__ import annotations

import time

from agora.core.gates import Gate, Gates


def test_a_closed_gate_refuses_until_it_is_opened() -> None:
    gate = Gate("stock")
    gate.close("sku", observed_at=time.monotonic())
    assert gate.is_closed("sku")
    assert not gate.is_closed("other")

    gate.open("sku")

    assert not gate.is_closed("sku")


def test_a_close_observed_before_the_latest_open_is_ignored() -> None:
    # A batch read "nothing left" just before units came back, and reports it after the open
    gate = Gate("stock")
    observed = time.monotonic()
    gate.open("sku")

    gate.close("sku", observed_at=observed)

    assert not gate.is_closed("sku")


def test_a_close_expires_after_its_ttl() -> None:
    gate = Gate("stock", ttl_seconds=0.05)
    gate.close("sku", observed_at=time.monotonic())
    assert gate.is_closed("sku")

    time.sleep(0.08)

    assert not gate.is_closed("sku")


def test_an_opened_notice_from_the_hub_opens_the_named_gate() -> None:
    gates = Gates()
    gates["stock"].close("a", observed_at=time.monotonic())
    gates["stock"].close("b", observed_at=time.monotonic())
    gates["red_envelope"].close("a", observed_at=time.monotonic())

    gates.on_opened({"gate": "stock", "keys": ["a"]})

    assert not gates["stock"].is_closed("a")
    assert gates["stock"].is_closed("b")
    assert gates["red_envelope"].is_closed("a")
