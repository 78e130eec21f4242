"""Pure identity rules: identifiers, passwords and display names (no database)."""

from __future__ import annotations

import pytest

from agora.identity.domain import (
    Identifier,
    clean_display_name,
    parse_identifier,
    password_problem,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alice@Example.COM", Identifier("email", "alice@example.com")),
        (
            "  bob.smith+shop@mail.example.cn  ",
            Identifier("email", "bob.smith+shop@mail.example.cn"),
        ),
        ("13800138000", Identifier("phone", "13800138000")),
        ("138 0013 8000", Identifier("phone", "13800138000")),
        ("138-0013-8000", Identifier("phone", "13800138000")),
        ("19912345678", Identifier("phone", "19912345678")),
        ("+86 138 0013 8000", Identifier("phone", "+8613800138000")),
        ("+1 (415) 555-2671", Identifier("phone", "+14155552671")),
        ("+442071838750", Identifier("phone", "+442071838750")),
    ],
)
def test_valid_identifiers_are_normalized(raw: str, expected: Identifier) -> None:
    assert parse_identifier(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice@@example.com",
        "alice smith@example.com",
        "alice@exa mple.com",
        "a" * 250 + "@example.com",
        "12800138000",  # mainland mobiles start 13-19
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "23800138000",
        "+0123456789",  # E.164 country codes never start with 0
        "+12345",  # too short
        "+1234567890123456",  # 16 digits: too long
        "++8613800138000",
        "13800138000x",
        "phone: 13800138000",
        "DROP TABLE users;",
    ],
)
def test_junk_identifiers_are_rejected(raw: str) -> None:
    assert parse_identifier(raw) is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "Password must be at least 8 characters."),
        ("seven77", "Password must be at least 8 characters."),
        ("x" * 129, "Password must be at most 128 characters."),
        (" " * 8, "Password must not be blank."),
        ("\t \n" + " " * 6, "Password must not be blank."),
    ],
)
def test_refused_passwords_say_why(password: str, problem: str) -> None:
    assert password_problem(password) == problem


@pytest.mark.parametrize(
    "password", ["eight888", "x" * 128, "correct horse battery", "密码密码密码密码"]
)
def test_acceptable_passwords(password: str) -> None:
    assert password_problem(password) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alice", "Alice"),
        ("  Alice   Smith  ", "Alice Smith"),
        ("Alice\tSmith\n", "Alice Smith"),
        ("小明", "小明"),
        ("x" * 40, "x" * 40),
    ],
)
def test_display_names_are_tidied(raw: str, expected: str) -> None:
    assert clean_display_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "x" * 41, "Al\x00ice", "Bob\x1b[31m"])
def test_bad_display_names_are_rejected(raw: str) -> None:
    assert clean_display_name(raw) is None
