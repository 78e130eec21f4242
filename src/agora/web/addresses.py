"""The address book pages: list, add, edit, make default, remove. They call the same logistics
use cases as the API; a refused form is drawn again with each wrong field marked."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from agora import logistics
from agora.core.errors import AgoraError, InvalidInput
from agora.core.i18n import gettext as _
from agora.http.deps import Actor, Uow
from agora.logistics.domain import FIELDS
from agora.web.render import check_csrf, redirect, render, safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


class AddressForm(BaseModel):
    """The address form of both pages (add, edit); the service checks the values."""

    recipient: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=200)
    country: str = Field(default="CN", max_length=200)
    region: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=200)
    district: str = Field(default="", max_length=200)
    street: str = Field(default="", max_length=200)
    postcode: str = Field(default="", max_length=200)
    make_default: bool = False
    csrf_token: str = Field(default="", max_length=200)
    next: str = Field(default="", max_length=200)

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}


def _country_options() -> list[tuple[str, str]]:
    names = {
        "CN": _("Mainland China"),
        "HK": _("Hong Kong"),
        "MO": _("Macao"),
        "TW": _("Taiwan"),
        "SG": _("Singapore"),
        "MY": _("Malaysia"),
        "US": _("United States"),
        "GB": _("United Kingdom"),
        "JP": _("Japan"),
        "KR": _("South Korea"),
    }
    return [(code, names[code]) for code in logistics.COUNTRIES]


def _field_errors(error: AgoraError) -> dict[str, str]:
    if isinstance(error, InvalidInput):
        return {e["field"]: e["message"] for e in error.extra.get("errors", [])}
    return {}


def _page(
    request: Request,
    actor: Actor,
    uow: Uow,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
    next_url: str = "",
) -> Response:
    return render(
        request,
        "logistics/addresses.html",
        status_code=status_code,
        addresses=logistics.list_addresses(uow, actor=actor),
        values=values or {"country": "CN"},
        errors=errors or {},
        error=error,
        countries=_country_options(),
        limit=logistics.MAX_ADDRESSES,
        next_url=safe_next(next_url) if next_url else "",
    )


@router.get("/addresses")
def addresses_page(
    request: Request,
    actor: Actor,
    uow: Uow,
    next: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """``next``: where adding an address leads back to (the cart, a product being bought)."""
    return _page(request, actor, uow, next_url=next)


@router.post("/addresses")
def add_address(
    request: Request, actor: Actor, uow: Uow, form: Annotated[AddressForm, Form()]
) -> Response:
    check_csrf(request, form.csrf_token)
    values, next = form.values(), form.next
    make_default = form.make_default
    try:
        logistics.add_address(uow, actor=actor, values=values, make_default=make_default)
    except AgoraError as refused:
        return _page(
            request,
            actor,
            uow,
            next_url=next,
            values=values,
            errors=_field_errors(refused),
            error=_(refused.detail or refused.title),
            status_code=refused.status,
        )
    back = safe_next(next) if next else "/addresses"
    return redirect(request, back, flash=_("The address was added."))


@router.get("/addresses/{address_id}/edit")
def edit_page(address_id: uuid.UUID, request: Request, actor: Actor, uow: Uow) -> Response:
    address = logistics.get_address(uow, actor=actor, address_id=address_id)
    values = {name: getattr(address, name) for name in FIELDS}
    return render(
        request,
        "logistics/address_edit.html",
        address=address,
        values=values,
        errors={},
        error=None,
        countries=_country_options(),
    )


@router.post("/addresses/{address_id}")
def update_address(
    address_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    form: Annotated[AddressForm, Form()],
) -> Response:
    check_csrf(request, form.csrf_token)
    values, make_default = form.values(), form.make_default
    try:
        logistics.update_address(
            uow,
            actor=actor,
            address_id=address_id,
            values=values,
            make_default=make_default,
        )
    except InvalidInput as refused:
        address = logistics.get_address(uow, actor=actor, address_id=address_id)
        return render(
            request,
            "logistics/address_edit.html",
            status_code=refused.status,
            address=address,
            values=values,
            errors=_field_errors(refused),
            error=_(refused.detail or refused.title),
            countries=_country_options(),
        )
    return redirect(request, "/addresses", flash=_("The address was saved."))


@router.post("/addresses/{address_id}/default")
def make_default(
    address_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    logistics.set_default_address(uow, actor=actor, address_id=address_id)
    return redirect(request, "/addresses", flash=_("This is now your default address."))


@router.post("/addresses/{address_id}/remove")
def remove_address(
    address_id: uuid.UUID, request: Request, actor: Actor, uow: Uow, csrf_token: Text = ""
) -> Response:
    check_csrf(request, csrf_token)
    logistics.remove_address(uow, actor=actor, address_id=address_id)
    return redirect(request, "/addresses", flash=_("The address was removed."))
