"""Errors as RFC 9457 problem+json for the API, and as a friendly page for the web."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from agora.core.errors import AgoraError
from agora.core.i18n import get_locale
from agora.core.i18n import gettext as _

log = logging.getLogger(__name__)

RenderHtml = Callable[[Request, int, str, str | None], Response]
PROBLEM_JSON = "application/problem+json"
HTTP_TITLES = {
    400: "The request cannot be processed.",
    401: "Please sign in first.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    409: "This conflicts with the current state.",
    413: "The request is too large.",
    415: "This content type is not supported.",
    422: "Some of the input is not valid.",
    429: "Too many attempts. Please wait and try again.",
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    if not headers and status != 429 and all(v is None for v in extra.values()):
        # A refusal names no values of its own: its text, in this language, is written once. A
        # flash sale or an envelope storm is mostly the same few refusals.
        key = (status, code, title, detail, get_locale())
        rendered = _RENDERED.get(key)
        if rendered is None:
            rendered = _render(status, code, title, detail, {})
            if len(_RENDERED) < 4096:
                _RENDERED[key] = rendered
        return Response(rendered, status_code=status, media_type=PROBLEM_JSON)
    sent = dict(headers or {})
    if status == 429:
        # An error may say how long to wait (``retry_after`` seconds, also in the body); else a
        # minute.
        sent["Retry-After"] = str(extra.get("retry_after") or 60)
    return Response(
        _render(status, code, title, detail, extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=sent or None,
    )


_RENDERED: dict[tuple[int, str, str, str | None, str], bytes] = {}


def _render(
    status: int, code: str, title: str, detail: str | None, extra: Mapping[str, Any]
) -> bytes:
    body: dict[str, Any] = {
        "type": f"https://agora.dev/problems/{code}",
        "title": _(title),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = _(detail)
    body.update({k: v for k, v in extra.items() if v is not None})
    # As JSONResponse writes it.
    text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def problem_of(exc: AgoraError) -> Response:
    """The problem+json answer to a refusal (what the API's error handler sends)."""
    return problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)


def wants_html(request: Request) -> bool:
    path = request.scope["path"]  # not request.url: every refusal of a flash sale asks
    if path.startswith("/api/") or path == "/healthz":
        return False
    return "text/html" in request.headers.get("accept", "")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path. Starlette's own ``Allow`` names only the first
    route that matched the path, and a page's GET and POST are two routes."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _child = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(route.methods or ())
    return ", ".join(sorted(methods))


def _names_no_page(request: Request, exc: RequestValidationError) -> bool:
    """A page's address whose id is malformed (``/store/xyz``): it names no page, so it answers
    the same 404 as a well-formed id of nothing, not a 422 about the input. The API keeps its
    422, which tells a client which part of its request was wrong."""
    if request.scope["path"].startswith("/api/"):
        return False
    return any(tuple(err.get("loc", ()))[:1] == ("path",) for err in exc.errors())


def install(app: FastAPI, *, render_html: RenderHtml) -> None:
    """Register the handlers. ``render_html(request, status, title, detail)`` draws the web page."""

    @app.exception_handler(AgoraError)
    async def agora_error(request: Request, exc: AgoraError) -> Response:
        if wants_html(request):
            return render_html(
                request, exc.status, _(exc.title), _(exc.detail) if exc.detail else None
            )
        return problem_of(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _names_no_page(request, exc):
            if wants_html(request):
                return render_html(request, 404, _(HTTP_TITLES[404]), None)
            return problem(404, "not_found", HTTP_TITLES[404])
        errors = [
            {
                "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body"),
                "message": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        if wants_html(request):
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
            return render_html(request, 422, _("Some of the input is not valid."), detail)
        return problem(422, "invalid_input", "Some of the input is not valid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = HTTP_TITLES.get(exc.status_code, "The request cannot be processed.")
        # Starlette's own errors carry headers the client needs: ``Allow`` on a 405.
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        if wants_html(request):
            page = render_html(request, exc.status_code, _(title), None)
            page.headers.update(headers)
            return page
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return problem(exc.status_code, code, title, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_html(request):
            return render_html(
                request, 500, _("Something went wrong on our side."), _("Please try again.")
            )
        return problem(500, "internal_error", "Something went wrong on our side.")
