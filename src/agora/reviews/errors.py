"""Review errors, each with a stable code. A line, an order or a review the actor may not act on
is "not found", so ids reveal nothing."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, NotFound


class LineNotFound(NotFound):
    code = "order_line_not_found"
    title = N_("This order line does not exist.")


class ReviewNotFound(NotFound):
    code = "review_not_found"
    title = N_("This review does not exist.")


class NotDeliveredYet(Conflict):
    code = "review_too_early"
    title = N_("You can review what you bought once it has been delivered.")


class ReviewWindowClosed(Conflict):
    code = "review_window_closed"
    title = N_("Reviews are open for 30 days after delivery.")


class LineRefunded(Conflict):
    code = "review_line_refunded"
    title = N_("A line refunded in full cannot be reviewed.")


class AlreadyReviewed(Conflict):
    code = "review_exists"
    title = N_("You have reviewed this already.")


class AlreadyReplied(Conflict):
    code = "review_replied"
    title = N_("The store has replied to this review already.")


class OwnReview(Conflict):
    code = "review_own"
    title = N_("You cannot report your own review.")
