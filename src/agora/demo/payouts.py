"""The demo's payouts: every demo store's owner has set a payout account and paid half of what
has settled out to it (the sandbox bank pays it), and the first store also has a payout the bank
declined (an amount ending in .13: the money came back) — so /merchant/payouts shows a history.

Each step runs once as the store's owner, keyed by store (demo/steps.py); the bank's answers
arrive when the outbox is relayed at the end.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

from agora import catalog, ledger, payments, payouts
from agora.core.uow import UnitOfWork
from agora.demo.steps import relay, run_once, store_owner
from agora.identity import Principal, User

STEP_PREFIX = "agora-demo:payouts:"
DECLINED = 1013
"""¥10.13: the sandbox bank declines payouts whose amount ends in .13."""
BANKS = ("ICBC", "China Merchants Bank", "Bank of China", "China Construction Bank")


def seed_payouts(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Payout accounts and payouts of the demo stores; how many steps ran now."""
    ran = sum(_seed_store(uow, key, store, n) for n, (key, store) in enumerate(stores.items()))
    relay(uow)
    return {"payout_steps_run": ran}


def _seed_store(uow: UnitOfWork, key: str, store: catalog.Store, n: int) -> int:
    owner = store_owner(uow, store.id)

    def set_account() -> dict[str, Any]:
        account = payouts.set_payout_account(
            uow,
            actor=owner,
            store_id=store.id,
            holder_name=f"{store.name_en} Co., Ltd.",
            bank_name=BANKS[n % len(BANKS)],
            account_number=f"6222 0200 {n:04d} {4321 + n * 1111:04d}",
        )
        return {"account": account.masked_number}

    ran = int(run_once(uow, owner, f"{STEP_PREFIX}account:{key}", set_account)[0])
    available = ledger.balance(uow, payments.store_settlement_of(store.id))
    # Half of what settled, in whole yuan; the rest stays for the merchant to try.
    steps = [("paid", available // 2 // 100 * 100)] + ([("declined", DECLINED)] if n == 0 else [])
    for name, amount in steps:
        if not 0 < amount <= available:
            continue
        pay_out = functools.partial(_pay_out, uow, owner, store.id, amount)
        ran += run_once(uow, owner, f"{STEP_PREFIX}{name}:{key}", pay_out)[0]
        available -= amount
    return ran


def _pay_out(uow: UnitOfWork, owner: Principal, store_id: uuid.UUID, amount: int) -> dict[str, Any]:
    payout = payouts.request_payout(uow, actor=owner, store_id=store_id, amount=amount)
    return {"payout_id": str(payout.id)}
