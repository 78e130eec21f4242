"""The application factory: routers, pages, error rendering, and the lifespan of the runtime."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agora import __version__
from agora.assistant import api as assistant_api
from agora.assistant import hook as assistant_hook
from agora.bargain import api as bargain_api
from agora.catalog import api as catalog_api
from agora.catalog import text as search_text
from agora.chat import api as chat_api
from agora.config import Settings, get_settings
from agora.core import collector, i18n
from agora.core.db import Database
from agora.credit import api as credit_api
from agora.customer_service import api as customer_service_api
from agora.groupbuy import api as groupbuy_api
from agora.http import lean, openapi, problems
from agora.http.input_guard import InputGuard
from agora.identity import api as identity_api
from agora.live import api as live_api
from agora.logistics import api as logistics_api
from agora.ordering import api as ordering_api
from agora.ordering import dispute_api
from agora.payments import api as payments_api
from agora.payouts import api as payouts_api
from agora.points import api as points_api
from agora.privacy import api as privacy_api
from agora.recommendations import api as recommendations_api
from agora.recommendations import events as behaviour_events
from agora.recommendations import feeds_api as recommendation_feeds_api
from agora.recommendations import retrain as recs_retrain
from agora.recommendations import serving as recs_serving
from agora.red_envelopes import api as red_envelopes_api
from agora.referrals import api as referrals_api
from agora.reputation import api as reputation_api
from agora.reviews import api as reviews_api
from agora.runtime import Runtime
from agora.sharing import api as sharing_api
from agora.social import api as social_api
from agora.treasure import api as treasure_api
from agora.web import pages as web_pages
from agora.web.times import TimeZoneMiddleware

log = logging.getLogger(__name__)
LOCALE_COOKIE = "agora_lang"


class LocaleMiddleware:
    """Chooses the page language (``?lang=``, then the cookie, then Accept-Language) for the
    request, remembers an explicit choice in a cookie, and labels the response.

    Plain ASGI rather than ``@app.middleware("http")``: that wrapper runs every request through an
    extra task and stream, a cost every API call would pay.
    """

    def __init__(self, app: ASGIApp, *, default_locale: str) -> None:
        self.app = app
        self.default_locale = default_locale

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The raw headers, read once: building a Request and its header and cookie mappings for
        # two values cost more than the rest of this middleware on every API call.
        cookie = accept = None
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie = value.decode("latin-1")
            elif name == b"accept-language":
                accept = value.decode("latin-1")
        # Most requests name no language: parsing every query string for one costs more.
        lang = None
        if b"lang=" in scope["query_string"]:
            lang = Request(scope).query_params.get("lang")
        chosen = i18n.normalize(lang)
        saved = (
            cookie_parser(cookie).get(LOCALE_COOKIE) if cookie and LOCALE_COOKIE in cookie else None
        )
        locale = chosen or i18n.normalize(saved) or _negotiated(accept, self.default_locale)
        scope.setdefault("state", {})["locale"] = locale
        added: tuple[tuple[bytes, bytes], ...] = _LABELS[locale]
        if chosen is not None and saved != locale:
            cookie_header = f"{LOCALE_COOKIE}={locale}; Max-Age={365 * 86400}; Path=/; SameSite=lax"
            added = ((b"set-cookie", cookie_header.encode("latin-1")), *added)

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(
                    (name, value)
                    for name, value in added
                    if name == b"set-cookie" or name not in present
                )
                message["headers"] = headers
            await send(message)

        token = i18n.set_locale(locale)
        try:
            await self.app(scope, receive, labelled)
        finally:
            i18n.reset_locale(token)


# What every response is labelled with, by locale (a response's own values stand).
_LABELS = {
    locale: (
        (b"content-language", b"zh-CN" if locale == "zh" else b"en"),
        (b"x-content-type-options", b"nosniff"),
    )
    for locale in i18n.SUPPORTED
}


@functools.lru_cache(maxsize=256)
def _negotiated(accept_language: str | None, default: str) -> str:
    # Browsers send the same few Accept-Language values over and over.
    return i18n.negotiate(accept_language, default=default)


def _build_route_contexts(app: FastAPI) -> None:
    """FastAPI builds a router's route contexts (validators, dependency trees) on its first
    request — 0.4 s for all of Agora's, which the first shoppers of a flash sale would wait
    for. Built here, before the first request."""
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for _ in contexts():
                pass


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    # `agora serve --workers N` builds the app in processes of uvicorn's own: log from them too
    # (a no-op where logging is already set up).
    logging.basicConfig(level=settings.log_level)
    runtime = Runtime.build(settings, db=db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=search_text.warm_up, daemon=True).start()
        await runtime.start(workers=settings.embedded_workers)
        # The shopping assistant reads this process's chat sends on a thread of its own.
        assistant = assistant_hook.Runner(runtime.uow)
        assistant_hook.install(assistant)
        behaviour_events.RECORDER.start(runtime.db, interval=settings.behaviour_flush_seconds)
        # The feeds answer from memory: the model file is read before the first request.
        await asyncio.to_thread(
            recs_serving.STORE.open,
            settings.recs_model_file(),
            reload_seconds=settings.recs_reload_seconds,
        )
        if settings.embedded_workers:
            recs_retrain.RETRAINER.enable(settings.recs_model_file(), top_n=settings.recs_top_n)
        if settings.serve_tuning:
            _build_route_contexts(app)
            collector.tune_for_serving()
        try:
            yield
        finally:
            if assistant_hook.current() is assistant:
                assistant_hook.install(None)
            await asyncio.to_thread(assistant.stop)
            await asyncio.to_thread(behaviour_events.RECORDER.stop)
            await runtime.shutdown()

    app = FastAPI(
        title="Agora",
        version=__version__,
        description="Social commerce: a marketplace mall joined to a messenger and a wallet.",
        openapi_url="/api/openapi.json",
        # Served by the pages (web/api_docs.py) from Agora's own copy of Swagger UI.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Agora exports no OpenTelemetry: without this, every request asks the global providers
        # (and reads the environment) whether anyone listens — a few percent of a hot request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime

    # The last added runs first: the locale is chosen, then the guard refuses bad input (in the
    # reader's language) before any route sees it; a page then learns its reader's time zone.
    app.add_middleware(TimeZoneMiddleware)
    app.add_middleware(
        InputGuard,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.media_max_upload_bytes,
        render_html=web_pages.render_error,
    )
    app.add_middleware(LocaleMiddleware, default_locale=settings.default_locale)

    @app.get(
        "/healthz",
        tags=["operations"],
        responses={
            503: {
                "description": "The database is unreachable: status `degraded`.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    def healthz() -> JSONResponse:
        try:
            with runtime.db.read_session() as session:
                session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # the point of this endpoint is to report, not to raise
            log.exception("health check: database unreachable")
            database = "unavailable"
        healthy = database == "ok"
        return JSONResponse(
            {
                "status": "ok" if healthy else "degraded",
                "database": database,
                "dialect": runtime.db.dialect,
                "version": __version__,
            },
            status_code=200 if healthy else 503,
        )

    # Requests are matched router by router in this order, so the hot writes' routers come
    # first. No path of one router can match a route of another
    # (tests/http/test_routing.py), so the order changes nothing else.
    app.include_router(ordering_api.router)
    app.include_router(red_envelopes_api.router)
    app.include_router(groupbuy_api.router)
    app.include_router(live_api.router)
    app.include_router(chat_api.router)
    app.include_router(identity_api.router)
    app.include_router(catalog_api.router)
    app.include_router(payments_api.router)
    app.include_router(payouts_api.router)
    app.include_router(sharing_api.router)
    app.include_router(social_api.router)
    app.include_router(points_api.router)
    app.include_router(privacy_api.router)
    app.include_router(bargain_api.router)
    app.include_router(referrals_api.router)
    app.include_router(recommendations_api.router)
    app.include_router(recommendation_feeds_api.router)
    app.include_router(treasure_api.router)
    app.include_router(credit_api.router)
    app.include_router(logistics_api.router)
    app.include_router(reviews_api.router)
    app.include_router(dispute_api.router)
    app.include_router(customer_service_api.router)
    app.include_router(reputation_api.router)
    app.include_router(assistant_api.router)
    web_pages.install(app)
    problems.install(app, render_html=web_pages.render_error)
    openapi.install(app)
    lean.install(app)
    return app
