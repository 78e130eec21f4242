"""Identity and sign-in (PRODUCT.md part A): accounts, sessions, API tokens, roles, audit log."""

from agora.identity.domain import Principal
from agora.identity.errors import AccountExists, AccountSuspended, InvalidCredentials
from agora.identity.models import AuthSession, SecurityEvent, User
from agora.identity.service import (
    Client,
    SignedIn,
    authenticate,
    find_user,
    get_user,
    list_tokens,
    list_users,
    register,
    require_operator,
    revoke_session,
    security_log,
    set_time_zone,
    set_user_status,
    sign_in,
    sign_out,
)

__all__ = [
    "AccountExists",
    "AccountSuspended",
    "AuthSession",
    "Client",
    "InvalidCredentials",
    "Principal",
    "SecurityEvent",
    "SignedIn",
    "User",
    "authenticate",
    "find_user",
    "get_user",
    "list_tokens",
    "list_users",
    "register",
    "require_operator",
    "revoke_session",
    "security_log",
    "set_time_zone",
    "set_user_status",
    "sign_in",
    "sign_out",
]
