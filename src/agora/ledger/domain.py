"""Pure ledger rules: which account a reference names, and what makes a set of legs a transfer."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from agora.core.errors import N_, InvalidInput

PLATFORM = uuid.UUID(int=0)
"""The owner id of the platform's own accounts (escrow, revenue, gateway clearing)."""

SHARDS = 16
"""Platform accounts touched by every payment are split this many ways (no hot row)."""

_NAMESPACE = uuid.UUID("6f1c2a4e-4d0b-5b8e-9a57-0c1d2e3f4a5b")
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class AccountRef:
    """Names an account without a lookup: its id is derived from what it is.

    ``lower_bound`` is used when the account is opened on first use; ``None`` means unbounded
    (an account that mirrors money outside Agora, such as a bank gateway's clearing account).
    """

    owner_type: str
    owner_id: uuid.UUID
    kind: str
    currency: str = "CNY"
    shard: int = 0
    lower_bound: int | None = 0
    # Derived once: a batch of transfers asks for ids tens of thousands of times.
    id: uuid.UUID = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        name = f"{self.owner_type}:{self.owner_id}:{self.kind}:{self.currency}:{self.shard}"
        object.__setattr__(self, "id", _account_id(name))


@lru_cache(maxsize=65_536)
def _account_id(name: str) -> uuid.UUID:
    # Every payment names the same few accounts again (a wallet, escrow shards, points pools).
    return uuid.uuid5(_NAMESPACE, name)


def shard_of(key: uuid.UUID | str) -> int:
    """A stable shard for ``key``: every movement of one order lands on the same sub-account."""
    return zlib.crc32(str(key).encode()) % SHARDS


def platform_account(
    kind: str, *, shard_key: uuid.UUID | str | None = None, bounded: bool = True
) -> AccountRef:
    """A platform account; sharded by ``shard_key`` when given. Bounded ones never go below 0."""
    shard = shard_of(shard_key) if shard_key is not None else 0
    return AccountRef("platform", PLATFORM, kind, shard=shard, lower_bound=0 if bounded else None)


@dataclass(frozen=True, slots=True)
class Leg:
    account: AccountRef
    amount: int


def net_legs(legs: Iterable[Leg]) -> dict[AccountRef, int]:
    """Validate legs and net them per account. Raises InvalidInput unless they balance."""
    net: dict[AccountRef, int] = {}
    currencies = set()
    for leg in legs:
        if not isinstance(leg.amount, int) or isinstance(leg.amount, bool) or leg.amount == 0:
            raise InvalidInput(N_("Every leg of a transfer moves a non-zero whole number of fen."))
        net[leg.account] = net.get(leg.account, 0) + leg.amount
        currencies.add(leg.account.currency)
    if len(currencies) > 1:
        raise InvalidInput(N_("A transfer moves one currency."))
    if sum(net.values()) != 0:
        raise InvalidInput(N_("The legs of a transfer must sum to zero."))
    net = {account: amount for account, amount in net.items() if amount != 0}
    if len(net) < 2:
        raise InvalidInput(N_("A transfer moves money between at least two accounts."))
    return net


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(N_("A transfer key is 1 to 200 characters."))
