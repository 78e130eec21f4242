from __future__ import annotations

from agora.core.errors import AgoraError, Conflict, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    title = "The account or password is not correct."


class AccountExists(Conflict):
    code = "account_exists"
    title = "An account with this email or phone already exists."


class AccountSuspended(AgoraError):
    status = 403
    code = "account_suspended"
    title = "This account is suspended. Please contact support."
