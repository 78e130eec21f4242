"""The operator console: stores (create, suspend) and users (search, suspend)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from agora import catalog, identity
from agora.catalog.schemas import StoreIn
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.core.i18n import lazy_pick
from agora.http.deps import Actor, ClientInfo, Uow
from agora.web.render import check_csrf, redirect, render

router = APIRouter(prefix="/operator", include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]


def _nav(active: str) -> list[tuple[str, str, bool]]:
    return [
        ("/operator", _("Stores"), active == "stores"),
        ("/operator/users", _("Users"), active == "users"),
        ("/operator/payments", _("Payments"), active == "payments"),
        ("/operator/carriers", _("Carriers"), active == "carriers"),
        ("/operator/shares", _("Share report"), active == "shares"),
        ("/operator/referrals", _("Referrals"), active == "referrals"),
        ("/operator/treasure", _("Treasure"), active == "treasure"),
        ("/operator/disputes", _("Disputes"), active == "disputes"),
        ("/operator/privacy", _("Privacy agreement"), active == "privacy"),
    ]


def _stores_page(
    request: Request,
    uow: Uow,
    actor: identity.Principal,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    identity.require_operator(actor)
    stores = catalog.list_stores(uow, include_inactive=True)
    defaults: dict[str, Any] = {"values": {}, "error": None, "commission_error": None}
    defaults.update(extra)
    return render(
        request,
        "operator/stores.html",
        status_code,
        console_nav=_nav("stores"),
        stores=stores,
        commissions={s.id: catalog.store_commission(s) for s in stores},
        **defaults,
    )


@router.get("")
def stores(request: Request, actor: Actor, uow: Uow) -> Response:
    return _stores_page(request, uow, actor)


@router.post("/stores")
def create_store(
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    slug: Text = "",
    name_en: Text = "",
    name_zh: Text = "",
    description_en: Text = "",
    owner: Text = "",
    self_operated: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    identity.require_operator(actor)
    values = {
        "slug": slug,
        "name_en": name_en,
        "name_zh": name_zh,
        "description_en": description_en,
        "owner": owner,
    }
    try:
        owner_user = identity.find_user(uow, owner) if owner.strip() else None
        if owner.strip() and owner_user is None:
            return _stores_page(
                request,
                uow,
                actor,
                values=values,
                status_code=422,
                error=_("No account with that email or phone."),
            )
        data = StoreIn(
            slug=slug,
            name_en=name_en,
            name_zh=name_zh or None,
            description_en=description_en,
            self_operated=bool(self_operated),
            owner_user_id=owner_user.id if owner_user else None,
        )
        store = catalog.create_store(uow, actor=actor, data=data)
    except ValidationError as error:
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _stores_page(request, uow, actor, values=values, error=message, status_code=422)
    except AgoraError as error:
        return _stores_page(
            request,
            uow,
            actor,
            values=values,
            status_code=error.status,
            error=_(error.detail or error.title),
        )
    return redirect(
        request,
        "/operator",
        flash=_("Store “{name}” created.").format(name=lazy_pick(store.name_en, store.name_zh)),
    )


@router.post("/stores/{store_id}/status")
def store_status(
    store_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    csrf_token: Text = "",
    status: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    store = catalog.set_store_status(uow, actor=actor, store_id=store_id, status=status)
    return redirect(
        request,
        "/operator",
        flash=_("“{name}” is now {status}.").format(
            name=lazy_pick(store.name_en, store.name_zh), status=_(store.status)
        ),
    )


@router.get("/users")
def users(
    request: Request, actor: Actor, uow: Uow, q: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    rows = identity.list_users(uow, actor=actor, query=q or None, limit=100)
    return render(request, "operator/users.html", console_nav=_nav("users"), users=rows, q=q)


@router.post("/users/{user_id}/status")
def user_status(
    user_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    client: ClientInfo,
    csrf_token: Text = "",
    status: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    user = identity.set_user_status(uow, actor=actor, user_id=user_id, status=status, client=client)
    return redirect(
        request,
        "/operator/users",
        flash=_("{name} is now {status}.").format(name=user.display_name, status=_(user.status)),
    )
