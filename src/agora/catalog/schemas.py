"""Catalog input and output shapes for the API (and the forms that post the same fields)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agora.catalog.images import COLOURS
from agora.core.fields import Amount, JsonInt

Fen = Amount
"""A price in minor units (fen)."""
MAX_STOCK = 10_000_000


class MoneyOut(BaseModel):
    amount: int
    currency: str = "CNY"


class SkuIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    colour: str = Field(default="", max_length=32)
    size: str = Field(default="", max_length=32)
    price: Fen
    stock: JsonInt = Field(default=0, ge=0, le=MAX_STOCK)
    code: str | None = Field(default=None, max_length=64)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=10)

    @field_validator("colour")
    @classmethod
    def known_colour(cls, value: str) -> str:
        if value and value not in COLOURS:
            raise ValueError(f"unknown colour; use one of {', '.join(sorted(COLOURS))}")
        return value


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category_id: uuid.UUID
    title_en: str = Field(min_length=1, max_length=120)
    title_zh: str | None = Field(default=None, max_length=120)
    description_en: str = Field(default="", max_length=5000)
    description_zh: str | None = Field(default=None, max_length=5000)
    image_url: str | None = Field(default=None, max_length=500)
    list_price: Fen
    weight_grams: JsonInt = Field(
        default=500, ge=1, le=100_000, description="One unit's shipping weight, packed, in grams."
    )
    skus: list[SkuIn] = Field(min_length=1, max_length=100)

    @field_validator("image_url")
    @classmethod
    def safe_image(cls, value: str | None) -> str | None:
        if value and not (value.startswith("/media/") or value.startswith("https://")):
            raise ValueError("image URL must start with https:// or /media/")
        return value or None

    @model_validator(mode="after")
    def distinct_variants(self) -> ProductIn:
        seen = {(sku.colour, sku.size) for sku in self.skus}
        if len(seen) != len(self.skus):
            raise ValueError("two SKUs have the same colour and size")
        if any(sku.price > self.list_price for sku in self.skus):
            raise ValueError("a SKU price is above the list price")
        return self


class ProductPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category_id: uuid.UUID | None = None
    title_en: str | None = Field(default=None, min_length=1, max_length=120)
    title_zh: str | None = Field(default=None, max_length=120)
    description_en: str | None = Field(default=None, max_length=5000)
    description_zh: str | None = Field(default=None, max_length=5000)
    image_url: str | None = Field(default=None, max_length=500)
    list_price: Fen | None = None
    weight_grams: JsonInt | None = Field(default=None, ge=1, le=100_000)
    status: str | None = Field(default=None, pattern="^(active|hidden)$")

    _safe_image = field_validator("image_url")(ProductIn.safe_image.__func__)  # type: ignore[attr-defined]


class SkuPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price: Fen | None = None
    active: bool | None = None
    stock: JsonInt | None = Field(default=None, ge=0, le=MAX_STOCK)


class StoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name_en: str = Field(min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, max_length=80)
    description_en: str = Field(default="", max_length=2000)
    description_zh: str | None = Field(default=None, max_length=2000)
    self_operated: bool = False
    owner_user_id: uuid.UUID | None = None


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID
    role: str = Field(default="staff", pattern="^(owner|staff)$")


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name_en: str = Field(min_length=1, max_length=80)
    name_zh: str | None = Field(default=None, max_length=80)
    parent_id: uuid.UUID | None = None
    position: JsonInt = Field(default=0, ge=0, le=1_000_000)


class StoreOut(BaseModel):
    id: uuid.UUID
    slug: str
    name_en: str
    name_zh: str | None
    description_en: str
    description_zh: str | None
    self_operated: bool
    status: str


class CategoryOut(BaseModel):
    id: uuid.UUID
    slug: str
    name_en: str
    name_zh: str | None
    parent_id: uuid.UUID | None
    children: list[CategoryOut] = Field(default_factory=list)


class SkuOut(BaseModel):
    id: uuid.UUID
    code: str | None
    colour: str
    size: str
    attributes: dict[str, Any]
    price: MoneyOut
    stock: int
    active: bool


class ProductCardOut(BaseModel):
    id: uuid.UUID
    title: str
    title_en: str
    title_zh: str | None
    image_url: str
    price: MoneyOut
    list_price: MoneyOut
    sales_count: int
    store_id: uuid.UUID
    store_name: str
    self_operated: bool


class ProductOut(BaseModel):
    id: uuid.UUID
    store: StoreOut
    category_id: uuid.UUID
    category_path: list[str]
    title_en: str
    title_zh: str | None
    description_en: str
    description_zh: str | None
    image_url: str
    list_price: MoneyOut
    price_range: tuple[MoneyOut, MoneyOut]
    status: str
    sales_count: int
    weight_grams: int
    created_at: datetime
    skus: list[SkuOut]


class SearchOut(BaseModel):
    items: list[ProductCardOut]
    next_cursor: str | None
    prev_cursor: str | None = None
    total: int | None = None
    offset: int | None = None


class ProductImageOut(BaseModel):
    id: uuid.UUID
    position: int = Field(description="0 is the main image.")
    main: bool
    colour: str | None = Field(description="The SKU colour this image shows, if any.")
    width: int = Field(description="Of the largest rendition, in pixels.")
    height: int
    thumb_url: str = Field(description="240 px wide (or the upload's own width if smaller).")
    card_url: str = Field(description="480 px wide.")
    full_url: str = Field(description="1080 px wide.")


class ProductImagePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    main: bool | None = Field(default=None, description="true: make this the main image.")
    colour: str | None = Field(
        default=None, max_length=32, description="A colour of the product's SKUs; '' unties it."
    )
