"""The application factory: routers, pages, error rendering, and the lifespan of the runtime."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from agora import __version__
from agora.catalog import api as catalog_api
from agora.catalog import text as search_text
from agora.config import Settings, get_settings
from agora.core import i18n
from agora.core.db import Database
from agora.http import problems
from agora.identity import api as identity_api
from agora.ordering import api as ordering_api
from agora.payments import api as payments_api
from agora.runtime import Runtime
from agora.web import pages as web_pages

log = logging.getLogger(__name__)
LOCALE_COOKIE = "agora_lang"


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    runtime = Runtime.build(settings, db=db)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=search_text.warm_up, daemon=True).start()
        await runtime.start(workers=settings.embedded_workers)
        try:
            yield
        finally:
            await runtime.shutdown()

    app = FastAPI(
        title="Agora",
        version=__version__,
        description="Social commerce: a marketplace mall joined to a messenger and a wallet.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime

    @app.middleware("http")
    async def choose_locale(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        locale = (
            i18n.normalize(request.query_params.get("lang"))
            or i18n.normalize(request.cookies.get(LOCALE_COOKIE))
            or i18n.negotiate(
                request.headers.get("accept-language"), default=settings.default_locale
            )
        )
        token = i18n.set_locale(locale)
        request.state.locale = locale
        try:
            response = await call_next(request)
        finally:
            i18n.reset_locale(token)
        if (
            i18n.normalize(request.query_params.get("lang"))
            and request.cookies.get(LOCALE_COOKIE) != locale
        ):
            response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
        response.headers.setdefault("Content-Language", "zh-CN" if locale == "zh" else "en")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.get("/healthz", tags=["operations"])
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

    app.include_router(identity_api.router)
    app.include_router(catalog_api.router)
    app.include_router(payments_api.router)
    app.include_router(ordering_api.router)
    web_pages.install(app)
    problems.install(app, render_html=web_pages.render_error)
    return app
