"""Integer fields of request bodies: JSON integers only, and never more than a column holds.

Pydantic's lax mode reads ``"100"`` as 100 and ``true`` as 1; for money and counts that hides a
client's bug behind a charge, so every integer a request body carries is strict. Every one is also
bounded: each integer column is a ``BIGINT``, and a larger number must be a 422 at the edge rather
than an overflow in the database driver (a 500). Query and path integers arrive as text, so they
cannot be strict; they take ``le=BIGINT_MAX`` (or tighter) in their ``Query``/``Path``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

BIGINT_MAX = 2**63 - 1

MAX_AMOUNT = 10_000_000_000
"""Fen (¥100 million): the most one request may name, above any price, top-up, envelope or
credit line the platform offers."""

MAX_QUANTITY = 99
"""Units of one SKU in one line of a cart, an order, a refund or a team purchase."""

JsonInt = Annotated[int, Strict()]
"""A JSON integer; bound it where it is used: ``count: JsonInt = Field(ge=1, le=1000)``.

(Bounds inside this alias would win over a ``Field`` assigned to the attribute, so it has none;
``tests/core/test_request_fields.py`` fails for any request integer left without an upper bound.)
"""

Amount = Annotated[
    int, Strict(), Field(ge=1, le=MAX_AMOUNT, description="Minor units (fen), a JSON integer.")
]
"""A positive sum of money in fen."""

CheckedAmount = Annotated[
    int,
    Strict(),
    Field(
        ge=-MAX_AMOUNT,
        le=MAX_AMOUNT,
        description="Minor units (fen), a JSON integer; the service checks its range.",
    ),
]
"""Fen whose range a service checks itself, so that a refusal names the rule it broke (an
amount under the minimum top-up is ``amount_out_of_range``, not a bare validation error)."""

Quantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]
"""Units in one line (at least one)."""
