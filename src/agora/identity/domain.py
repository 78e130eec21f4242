"""Pure identity rules: what a valid identifier, password and display name are."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from agora.core.errors import N_

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
# Mainland mobile numbers (11 digits starting 1) or international E.164 with a leading "+".
_PHONE = re.compile(r"^(\+[1-9]\d{6,14}|1[3-9]\d{9})$")

MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_DISPLAY_NAME = 40


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: Literal["email", "phone"]
    value: str


def parse_identifier(raw: str) -> Identifier | None:
    """Normalize an email (lower-cased) or a phone number (spaces and dashes removed)."""
    text = raw.strip()
    if "@" in text:
        email = text.lower()
        return Identifier("email", email) if len(email) <= 254 and _EMAIL.match(email) else None
    phone = re.sub(r"[\s\-()]", "", text)
    return Identifier("phone", phone) if _PHONE.match(phone) else None


def password_problem(password: str) -> str | None:
    """Why a password is refused, or ``None``. Length is what matters most (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD:
        return N_("Password must be at least 8 characters.")
    if len(password) > MAX_PASSWORD:
        return N_("Password must be at most 128 characters.")
    if password.strip() == "":
        return N_("Password must not be blank.")
    return None


def clean_display_name(raw: str) -> str | None:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_DISPLAY_NAME:
        return None
    if any(ord(ch) < 32 for ch in name):
        return None
    return name


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: passed to every use case, which checks it (never trust an id alone)."""

    user_id: uuid.UUID
    display_name: str
    is_operator: bool = False
    session_id: uuid.UUID | None = None
    # The zone the user's pages show times in (``None``: the operator's business zone).
    time_zone: str | None = None
