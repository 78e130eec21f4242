"""Rendering pages: the Jinja environment, the shared page context, CSRF and flash messages."""

from __future__ import annotations

import html
import json
import secrets
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from agora.catalog import load_categories, stores_of
from agora.core import i18n
from agora.core.errors import N_, Forbidden
from agora.core.money import format_amount
from agora.http.deps import api_csrf_token, get_uow, optional_actor
from agora.web import times
from agora.web.table_cards import label_tables

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSRF_COOKIE = "agora_csrf"
FLASH_COOKIE = "agora_flash"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
# form_key(): a fresh one-time key for a form that creates an order or moves money (web/forms.py).
env.globals.update(pick=i18n.lazy_pick, money=format_amount, form_key=lambda: uuid.uuid4().hex)
# Times in the reader's zone: {{ t|datetime }}, {{ t|date }}, {{ t|time }} (web/times.py).
env.filters.update(times.FILTERS)
env.globals.update(times.GLOBALS)


def compact_count(value: int) -> str:
    """A count as a shop shows it: 2.6k in English; in Chinese the whole number below 1万, then
    1.2万 and 1.2亿 (rounded down, so a count never reads higher than it is)."""
    if i18n.get_locale() == "zh":
        for unit, size in (("亿", 100_000_000), ("万", 10_000)):
            if value >= size:
                return f"{value * 10 // size / 10:.1f}{unit}".replace(f".0{unit}", unit)
        return str(value)
    if value >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    return str(value)


env.filters["compact"] = compact_count


def csrf_token(request: Request) -> str:
    token: str | None = getattr(request.state, "csrf", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        request.state.csrf = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Double-submit check: the form's token must equal the cookie's (SameSite=Lax backs it up)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not secrets.compare_digest(cookie, submitted):
        raise Forbidden(N_("This form has expired. Please reload the page and try again."))


def lang_url(request: Request, code: str) -> str:
    params = dict(request.query_params)
    params["lang"] = code
    params.pop("cursor", None)
    params.pop("before", None)
    return f"{request.url.path}?{urlencode(params)}"


def page_context(request: Request) -> dict[str, Any]:
    uow = get_uow(request)
    actor = optional_actor(request)
    flash = None
    raw_flash = request.cookies.get(FLASH_COOKIE)
    if raw_flash:
        try:
            parsed = json.loads(raw_flash)
            if isinstance(parsed, dict) and {"kind", "text"} <= parsed.keys():
                flash = {"kind": str(parsed["kind"]), "text": str(parsed["text"])}
        except ValueError:
            flash = None
    return {
        "request": request,
        "locale": i18n.get_locale(),
        "actor": actor,
        "merchant_stores": stores_of(uow, actor.user_id) if actor else [],
        "csrf_token": csrf_token(request),
        "api_csrf_token": api_csrf_token(request) if actor else None,
        "flash": flash,
        "query": request.query_params.get("q", ""),
        "root_categories": load_categories(uow).roots(),
        "lang_url": lambda code: lang_url(request, code),
    }


def finish(request: Request, response: Response) -> Response:
    """Set the CSRF cookie if new and clear a flash that has now been shown."""
    if (
        getattr(request.state, "csrf", None)
        and request.cookies.get(CSRF_COOKIE) != request.state.csrf
    ):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf,
            httponly=True,
            samesite="lax",
            max_age=60 * 60 * 24 * 30,
        )
    if request.cookies.get(FLASH_COOKIE) and not getattr(request.state, "keep_flash", False):
        response.delete_cookie(FLASH_COOKIE)
    return response


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    ctx = page_context(request)
    ctx.update(context)
    html = label_tables(env.get_template(template).render(ctx))
    return finish(request, HTMLResponse(html, status_code=status_code))


def redirect(
    request: Request, url: str, *, flash: str | None = None, kind: str = "success"
) -> Response:
    response = RedirectResponse(url, status_code=303)
    if flash:
        request.state.keep_flash = True
        response.set_cookie(
            FLASH_COOKIE,
            json.dumps({"kind": kind, "text": flash}),
            httponly=True,
            samesite="lax",
            max_age=60,
        )
    return finish(request, response)


def render_error(request: Request, status: int, title: str, detail: str | None) -> Response:
    try:
        return render(
            request, "error.html", status_code=status, status=status, title=title, detail=detail
        )
    except Exception:  # the database may be the thing that failed: fall back to plain HTML
        return HTMLResponse(f"<h1>{status}</h1><p>{html.escape(title)}</p>", status_code=status)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths, never ``//host`` or a scheme: no open redirects."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
