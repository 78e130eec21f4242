"""Passwords, opaque tokens and CSRF tokens (pure, no database)."""

from __future__ import annotations

import hashlib

import pytest

from agora.core.security import (
    csrf_ok,
    csrf_token,
    hash_password,
    new_token,
    request_digest,
    token_digest,
    verify_password,
)


def test_a_password_verifies_against_its_own_hash_only() -> None:
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert verify_password(stored, "correct horse battery") is True
    assert verify_password(stored, "correct horse batterY") is False
    assert verify_password(stored, "") is False


def test_hashing_is_salted() -> None:
    assert hash_password("same password") != hash_password("same password")


def test_verify_without_a_hash_is_false_even_for_the_dummy_password() -> None:
    assert verify_password(None, "anything") is False
    assert verify_password(None, "agora-dummy-password") is False
    assert verify_password("", "agora-dummy-password") is False


def test_verify_against_a_malformed_hash_is_false() -> None:
    assert verify_password("not-an-argon2-hash", "secret") is False


def test_new_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(100)}

    assert len(tokens) == 100
    for token in tokens:
        assert len(token) == 43
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_token_digest_is_a_stable_sha256_hex() -> None:
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token = new_token()
    assert token_digest(token) == token_digest(token)
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert token_digest(token) != token_digest(token + "x")


def test_csrf_token_is_bound_to_the_secret_and_the_session() -> None:
    token = csrf_token("secret-1", "session-a")

    assert len(token) == 64
    assert token == csrf_token("secret-1", "session-a")
    assert csrf_ok("secret-1", "session-a", token) is True
    assert csrf_ok("secret-1", "session-b", token) is False
    assert csrf_ok("secret-2", "session-a", token) is False
    assert csrf_ok("secret-1", "session-a", "") is False
    assert csrf_ok("secret-1", "session-a", token.upper()) is False


@pytest.mark.parametrize("candidate", ["é" * 64, "令牌", "\udcff"])
def test_csrf_ok_refuses_non_ascii_candidates_instead_of_crashing(candidate: str) -> None:
    assert csrf_ok("secret-1", "session-a", candidate) is False


def test_request_digest_separates_its_parts() -> None:
    assert request_digest("POST", "/api/v1/orders", "{}") == request_digest(
        b"POST", b"/api/v1/orders", b"{}"
    )
    assert request_digest("ab", "c") != request_digest("a", "bc")
    assert request_digest("a") != request_digest("a", "")
    expected = hashlib.sha256(b"POST\x00/x\x00").hexdigest()
    assert request_digest("POST", "/x") == expected
