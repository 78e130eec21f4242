"""The interactive API reference at ``/api/docs``, served from Agora's own static files.

FastAPI's default page loads Swagger UI from a CDN, which leaves a blank page on a machine with no
internet access (a shop's back office, a developer's train ride). The same page with the copy
vendored under ``static/vendor/swagger-ui`` works anywhere the server does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/vendor/swagger-ui"
DOCS_PATH = "/api/docs"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
def api_docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
    )
    # Swagger UI speaks English only: say so, for screen readers and translation tools.
    body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
    return HTMLResponse(body, status_code=page.status_code)
