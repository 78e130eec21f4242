"""Password hashing (argon2), opaque tokens stored only as hashes, CSRF tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash to verify against when the account does not exist, so timing reveals nothing.
_DUMMY_HASH = _hasher.hash("agora-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """``False`` for a missing or empty hash, after the same work as a real check."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret_key: str, session_token: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), "sha256").hexdigest()


def csrf_ok(secret_key: str, session_token: str, candidate: str) -> bool:
    # Compare bytes: compare_digest raises TypeError on non-ASCII str, and a forged form field
    # must be a refusal, not a 500.
    expected = csrf_token(secret_key, session_token).encode()
    return hmac.compare_digest(expected, candidate.encode("utf-8", "surrogatepass"))


def request_digest(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()
