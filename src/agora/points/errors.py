"""Points errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, AgoraError, Conflict


class PointsInsufficient(Conflict):
    code = "points_insufficient"
    title = N_("You do not have that many points.")


class PointsOverLimit(AgoraError):
    status = 422
    code = "points_over_limit"
    title = N_("Points can pay only part of each order. Use fewer points.")


class PointsAmountInvalid(AgoraError):
    status = 422
    code = "points_amount_invalid"
    title = N_("Use a whole number of points.")
