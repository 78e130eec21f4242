from __future__ import annotations

from agora.core.errors import N_, AgoraError, Conflict, Unauthenticated


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"
    title = N_("The account or password is not correct.")


class AccountExists(Conflict):
    code = "account_exists"
    title = N_("An account with this email or phone already exists.")


class AccountSuspended(AgoraError):
    status = 403
    code = "account_suspended"
    title = N_("This account is suspended. Please contact support.")
