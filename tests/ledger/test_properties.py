"""Property test: random sequences of transfers against a reference model of the balances."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora import ledger
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.ledger import AccountRef, InsufficientFunds, Leg, platform_account
from conftest import clean

BANK = platform_account("gateway:test", bounded=False)
WALLETS = [AccountRef("user", uuid.UUID(int=n + 1), "wallet") for n in range(3)]

operations = st.lists(
    st.tuples(
        st.sampled_from(["top_up", "pay", "retry"]),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(1, 5_000),
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_balances_follow_the_model_and_the_ledger_replays(db: Database, ops: list) -> None:  # type: ignore[type-arg]
    clean(db)
    uow = UnitOfWork(db)
    model = {wallet: 0 for wallet in WALLETS}
    last_key: str | None = None
    last_legs: list[Leg] = []
    for n, (op, a, b, amount) in enumerate(ops):
        if op == "top_up":
            key, legs = f"t{n}", [Leg(BANK, -amount), Leg(WALLETS[a], amount)]
        elif op == "pay" and a != b:
            key, legs = f"p{n}", [Leg(WALLETS[a], -amount), Leg(WALLETS[b], amount)]
        elif op == "retry" and last_key is not None:
            key, legs = last_key, last_legs  # a retried request: must move nothing
        else:
            continue
        try:
            result = ledger.transfer(uow, key=key, kind=op, legs=legs)
        except InsufficientFunds:
            assert any(model[leg.account] + leg.amount < 0 for leg in legs if leg.account in model)
            continue
        if result.created:
            for leg in legs:
                if leg.account in model:
                    model[leg.account] += leg.amount
        last_key, last_legs = key, legs
        assert ledger.balances(uow, WALLETS) == model
        assert ledger.check(uow).ok
