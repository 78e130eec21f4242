"""Privacy API requests and responses."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from agora.core.fields import JsonInt


class ConsentIn(BaseModel):
    granted: bool


class ConsentOut(BaseModel):
    kind: str = Field(
        description="`chat_assistant`, `personalised_recommendations` or `partner_sharing`."
    )
    title: str
    granted: bool


class AcceptanceOut(BaseModel):
    version: int
    accepted_at: datetime


class ConsentsOut(BaseModel):
    consents: list[ConsentOut]
    agreement: AcceptanceOut | None = Field(
        description="The latest version of the privacy agreement the user accepted, if any."
    )
    agreement_pending: bool = Field(
        description="A newer version is published that the user has not accepted yet."
    )


class ConsentChangeOut(BaseModel):
    kind: str
    granted: bool
    changed_at: datetime


class AgreementIn(BaseModel):
    title_en: str = Field(max_length=200)
    title_zh: str = Field(max_length=200)
    body_en: str = Field(max_length=100_000)
    body_zh: str = Field(max_length=100_000)


class AgreementOut(BaseModel):
    version: int
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    published_at: datetime


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: JsonInt = Field(
        ge=1, le=1_000_000, description="The version read: it must still be the current one."
    )


class ExportOut(BaseModel):
    id: uuid.UUID
    status: str = Field(description="`queued`, `ready` or `expired`.")
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    size: int | None = Field(description="Bytes of the zip archive, once ready.")
    download_url: str | None = Field(
        description="While ready: where its owner downloads the archive (signed in as them)."
    )


class ErasureIn(BaseModel):
    password: str = Field(max_length=256, description="The account's password, entered again.")
