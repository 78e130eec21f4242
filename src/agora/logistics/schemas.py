"""What the address book's API takes and gives."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AddressIn(BaseModel):
    """An address as written; checked by the service (CN phones and postcodes by format)."""

    recipient: str = Field(max_length=40)
    phone: str = Field(max_length=24)
    country: str = Field(default="CN", max_length=2)
    region: str = Field(max_length=40, description="Province or state.")
    city: str = Field(max_length=40)
    district: str = Field(default="", max_length=40)
    street: str = Field(max_length=200)
    postcode: str = Field(default="", max_length=12)
    make_default: bool = False


class AddressFieldsOut(BaseModel):
    """An address's own fields (an order's copy of one is exactly this)."""

    recipient: str
    phone: str
    country: str
    region: str
    city: str
    district: str
    street: str
    postcode: str


class AddressOut(AddressFieldsOut):
    id: uuid.UUID
    one_line: str
    is_default: bool
    created_at: datetime
    updated_at: datetime
