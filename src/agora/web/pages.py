"""Mounting the pages, static files and the error page on the application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from agora.web import (
    addresses,
    api_docs,
    assistant,
    auth,
    bargain,
    chat,
    credit,
    disputes,
    groupbuy,
    media,
    merchant,
    merchant_images,
    merchant_orders,
    operator,
    orders,
    payouts,
    recommendations_profile,
    red_envelopes,
    referrals,
    shop,
    store_chat,
    store_inbox,
    treasure,
    wallet,
)
from agora.web import feeds as feed_pages
from agora.web import privacy as privacy_pages
from agora.web import reputation as _reputation  # noqa: F401 - the store reputation panel
from agora.web import sharing as share_pages
from agora.web import shipping as shipping_pages
from agora.web import social as social_pages
from agora.web.render import redirect
from agora.web.render import render_error as _render_error

STATIC = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(assistant.router)
    for module in (shop, auth, merchant, operator, wallet, orders, merchant_orders, chat):
        app.include_router(module.router)
    app.include_router(share_pages.router)
    app.include_router(social_pages.router)
    app.include_router(store_chat.router)
    app.include_router(store_inbox.router)
    for module in (groupbuy, bargain, referrals, treasure, credit, red_envelopes, addresses):
        app.include_router(module.router)
    app.include_router(disputes.router)
    app.include_router(payouts.router)
    app.include_router(shipping_pages.router)
    app.include_router(api_docs.router)
    app.include_router(media.router)
    app.include_router(merchant_images.router)
    app.include_router(feed_pages.router)
    app.include_router(privacy_pages.router)
    app.include_router(recommendations_profile.router)


def render_error(request: Request, status: int, title: str, detail: str | None) -> Response:
    if status == 401:
        return redirect(request, f"/signin?next={request.url.path}")
    return _render_error(request, status, title, detail)
