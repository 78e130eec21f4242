"""Pure red-envelope rules: what an envelope may hold and how it is cut into shares.

No I/O here. An envelope's shares are drawn when it is sent, by the same rule a draw at each
grab would follow, and stored; each grab then takes the next share with one guarded UPDATE on a
counter. Drawing ahead keeps the grab a single statement on the hot row (1,000 members racing
for 100 shares), and the shares are fixed the moment the sender's money leaves.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

LUCKY, EQUAL = "lucky", "equal"
SPLITS = (LUCKY, EQUAL)

MIN_SHARE = 1
"""Every share is at least one fen."""

_system_random = secrets.SystemRandom()


def lucky_draw(
    remaining: int,
    count: int,
    rng: random.Random | random.SystemRandom,
    *,
    max_share: int | None = None,
) -> int:
    """One lucky share of ``remaining`` fen still to hand out over ``count`` shares.

    The last share takes the rest; any other is drawn uniformly from [1 fen, 2 × remaining /
    count) — in whole fen: 1 up to ``ceil(2 × remaining / count) − 1``. That bound never leaves
    the shares after it with less than a fen each: for count ≥ 2 and remaining ≥ count,
    2 × remaining / count ≤ remaining − count + 2, so the draw is at most remaining − (count − 1).
    With ``max_share`` the range is also kept to what lets every share stay at or under the cap:
    at most ``max_share``, and at least what leaves the others no more than ``max_share`` each
    (the range is never empty while remaining ≤ max_share × count).
    """
    if count < 1:
        raise ValueError("no share left to draw")
    if remaining < count * MIN_SHARE:
        raise ValueError("less than one fen per share is left")
    if max_share is not None and remaining > max_share * count:
        raise ValueError("more than the cap per share is left")
    if count == 1:
        return remaining
    lower, upper = MIN_SHARE, -(-2 * remaining // count) - 1  # ceil(2r / n) − 1: half-open
    if max_share is not None:
        lower = max(lower, remaining - max_share * (count - 1))
        upper = min(upper, max_share)
    return rng.randint(lower, upper)


def lucky_split(
    total: int,
    count: int,
    rng: random.Random | random.SystemRandom | None = None,
    *,
    max_share: int | None = None,
) -> list[int]:
    """``count`` shares of ``total`` fen in the order they will be grabbed, each drawn by
    :func:`lucky_draw` from what the earlier ones left; they sum to ``total`` exactly."""
    source = rng or _system_random
    shares = []
    remaining = total
    for left in range(count, 0, -1):
        share = lucky_draw(remaining, left, source, max_share=max_share)
        shares.append(share)
        remaining -= share
    assert remaining == 0
    return shares


def equal_split(total: int, count: int) -> list[int]:
    """``count`` equal shares; ``total`` must divide by ``count`` (an equal envelope is sent as
    an amount per share times the number of shares)."""
    if count < 1 or total % count:
        raise ValueError("an equal envelope is a whole number of fen per share")
    return [total // count] * count


def split(
    kind: str,
    total: int,
    count: int,
    rng: random.Random | random.SystemRandom | None = None,
    *,
    max_share: int | None = None,
) -> list[int]:
    if kind == LUCKY:
        return lucky_split(total, count, rng, max_share=max_share)
    if kind == EQUAL:
        return equal_split(total, count)
    raise ValueError(f"unknown split {kind!r}")


def envelope_errors(
    kind: str, total: int, count: int, *, max_share: int, max_count: int
) -> list[dict[str, str]]:
    """What is wrong with an envelope's numbers (empty when it may be sent): the split is lucky
    or equal; 1 to ``max_count`` shares; at least a fen per share; an equal envelope divides
    evenly; the total at most ``max_share`` per share (lucky draws then keep under the cap)."""
    errors: list[dict[str, str]] = []

    def wrong(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    if kind not in SPLITS:
        wrong("split", "lucky or equal")
    if not 1 <= count <= max_count:
        wrong("shares", f"between 1 and {max_count}")
    if total < max(count, 1) * MIN_SHARE:
        wrong("amount", "at least one fen per share")
    if kind == EQUAL and count >= 1 and total % count:
        wrong("amount", "an equal envelope divides evenly between its shares")
    if count >= 1 and total > max_share * count:
        wrong("amount", "more than the most one share may hold")
    return errors


def luckiest(shares: Sequence[int]) -> int | None:
    """The position of the largest share grabbed so far (the first of equals), or None."""
    if not shares:
        return None
    best = max(shares)
    return shares.index(best)
