"""Domain errors with stable codes. The API renders them as RFC 9457 problem+json (always 4xx)."""

from __future__ import annotations

from typing import Any, ClassVar


def N_(message: str) -> str:  # noqa: N802 - the gettext convention pybabel extracts
    """Mark an English message for extraction; problem+json translates it when rendering."""
    return message


class AgoraError(Exception):
    """Base of every error a user can cause. ``code`` is stable; ``title`` is an English msgid."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str] = N_("The request cannot be processed.")

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.extra = extra


class InvalidInput(AgoraError):
    status = 422
    code = "invalid_input"
    title = N_("Some of the input is not valid.")

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, Any]] | None = None):
        super().__init__(detail, errors=errors or [])


class Unauthenticated(AgoraError):
    status = 401
    code = "unauthenticated"
    title = N_("Please sign in first.")


class Forbidden(AgoraError):
    status = 403
    code = "forbidden"
    title = N_("You are not allowed to do this.")


class NotFound(AgoraError):
    """Also what an actor gets for an object they may not see, so ids reveal nothing."""

    status = 404
    code = "not_found"
    title = N_("Not found.")


class Conflict(AgoraError):
    status = 409
    code = "conflict"
    title = N_("This conflicts with the current state.")


class RateLimited(AgoraError):
    status = 429
    code = "rate_limited"
    title = N_("Too many attempts. Please wait and try again.")


class IdempotencyMismatch(AgoraError):
    status = 422
    code = "idempotency_key_reused"
    title = N_("This Idempotency-Key was already used with a different request.")


class IdempotencyInProgress(AgoraError):
    status = 409
    code = "idempotency_key_in_progress"
    title = N_("A request with this Idempotency-Key is still being processed.")
