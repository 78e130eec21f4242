from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=3, max_length=254, description="Email or mobile number.")
    password: str = Field(min_length=1, max_length=256)
    display_name: str = Field(min_length=1, max_length=80)


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    kind: Literal["api", "web"] = "api"
    label: str | None = Field(default=None, max_length=80)


class UserOut(BaseModel):
    id: uuid.UUID
    display_name: str
    email: str | None
    phone: str | None
    is_operator: bool
    status: str
    created_at: datetime
    time_zone: str | None = Field(
        description="The IANA zone the user's pages show times in; null: the platform's zone. "
        "The API's own times are always UTC."
    )


class MeOut(UserOut):
    agreement_pending: bool = Field(
        default=False,
        description="A version of the privacy agreement waits for this user's acceptance "
        "(`POST /api/v1/me/agreement`); nothing is refused meanwhile.",
    )


class MeIn(BaseModel):
    """A change to the signed-in user's settings; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    time_zone: str | None = Field(
        default=None,
        max_length=64,
        description="An IANA zone name (Asia/Shanghai, America/New_York ...); null: the "
        "platform's zone.",
    )


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    session_id: uuid.UUID
    expires_at: datetime
    user: UserOut


class SessionOut(BaseModel):
    id: uuid.UUID
    kind: str
    label: str | None
    created_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None


class SecurityEventOut(BaseModel):
    id: uuid.UUID
    kind: str
    ip: str | None
    user_agent: str | None
    created_at: datetime


class UserStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "suspended"]
