"""What a delivery address must hold, and how it is checked.

Mainland China (``CN``) addresses are checked as its couriers need them: a mobile number
(``1`` then ten digits) or a landline with its area code, and a six-digit postcode. Elsewhere the
formats vary too much to check more than their characters and length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _

MAX_ADDRESSES = 20
COUNTRIES = ("CN", "HK", "MO", "TW", "SG", "MY", "US", "GB", "JP", "KR")

_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_CN_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_CN_POSTCODE = re.compile(r"\d{6}")
_PHONE = re.compile(r"\+?[\d\- ]{5,20}")
_POSTCODE = re.compile(r"[A-Za-z0-9\- ]{0,12}")

# (field, longest, required)
_TEXT_LIMITS = (
    ("recipient", 40, True),
    ("region", 40, True),
    ("city", 40, True),
    ("district", 40, False),
    ("street", 200, True),
)


@dataclass(frozen=True, slots=True)
class AddressFields:
    """An address as the shopper writes it, trimmed."""

    recipient: str
    phone: str
    country: str
    region: str
    city: str
    district: str
    street: str
    postcode: str

    @classmethod
    def of(cls, values: dict[str, Any]) -> AddressFields:
        """Trimmed and checked; InvalidInput naming every field that is wrong."""
        cleaned = {f.name: str(values.get(f.name) or "").strip() for f in fields(cls)}
        cleaned["country"] = cleaned["country"].upper() or "CN"
        if cleaned["country"] == "CN":  # written in groups ("138 0013 8000"), dialled whole
            cleaned["phone"] = cleaned["phone"].replace(" ", "")
        errors = _problems(cleaned)
        if errors:
            raise InvalidInput(errors=errors)
        return cls(**cleaned)

    @property
    def one_line(self) -> str:
        """As a label prints it: the region first, as addresses are written in China."""
        parts = (self.region, self.city, self.district, self.street)
        return " ".join(part for part in parts if part)


FIELDS = tuple(f.name for f in fields(AddressFields))
"""An address's fields, in the order they are written (a form's, an order's copy)."""


def _problems(values: dict[str, str]) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []

    def wrong(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for field, longest, required in _TEXT_LIMITS:
        value = values[field]
        if required and not value:
            wrong(field, _("Required."))
        elif len(value) > longest:
            wrong(field, _("Too long."))
    country, phone, postcode = values["country"], values["phone"], values["postcode"]
    if country not in COUNTRIES:
        wrong("country", _("Choose a country or region from the list."))
    if country == "CN":
        if not (_CN_MOBILE.fullmatch(phone) or _CN_LANDLINE.fullmatch(phone)):
            wrong("phone", _("A mobile number of 11 digits, or a landline with its area code."))
        if not _CN_POSTCODE.fullmatch(postcode):
            wrong("postcode", _("A postcode of 6 digits."))
    else:
        if not _PHONE.fullmatch(phone):
            wrong("phone", _("A phone number of 5 to 20 digits."))
        if not _POSTCODE.fullmatch(postcode):
            wrong("postcode", _("Letters, digits and dashes, up to 12."))
    return errors
