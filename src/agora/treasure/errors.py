"""Treasure errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, AgoraError, Conflict


class TreasureInsufficient(Conflict):
    code = "treasure_insufficient"
    title = N_("There is not that much money in your treasure.")


class TreasureDailyCapExceeded(Conflict):
    """Instant redemptions are capped per user and business day; ``remaining`` says what is
    left of today's cap."""

    code = "treasure_daily_cap"
    title = N_("That is more than you can take out of the treasure today.")


class TreasureAmountInvalid(AgoraError):
    status = 422
    code = "treasure_amount_invalid"
    title = N_("Enter an amount of at least ¥0.01.")


class TreasureRateInvalid(AgoraError):
    status = 422
    code = "treasure_rate_invalid"
    title = N_("A rate is published for today or an earlier day, between 0 and 5.0000 per 10,000.")


class TreasureRateAccrued(Conflict):
    code = "treasure_rate_accrued"
    title = N_("Income for this day has already been paid; its rate can no longer change.")
