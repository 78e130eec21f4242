"""The door every request passes: no NUL and no lone surrogate in any text it carries, and no
body larger than the limit.

One place for every input, rather than a check beside each field: a JSON field typed ``Any``
(a chat message's body), a query parameter or a form value reaches a service the same way a
typed one does. Where such text can come from, and what it costs to look:
- the URL: a NUL only as ``%00`` in the query or in the path (Starlette decodes both with
  replacement characters, so no surrogate survives) — a bytes search;
- an urlencoded or multipart form: likewise only ``%00`` or a raw NUL;
- a JSON body: both, but only through a ``\\u`` escape (raw control characters are not JSON, and
  UTF-8 cannot carry a surrogate), so the body is parsed and walked only when it holds one.

The guard is plain ASGI (no extra task per request) and answers 422 ``invalid_text`` itself, as
problem+json or as the error page, before any route runs — so nothing is ever stored.

The image upload paths (``UPLOAD_PATHS``) take a larger body, ``max_upload_bytes``, and there
only a multipart form's text fields are searched: a picture is binary and may hold any byte.
"""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agora.core.i18n import gettext as _
from agora.core.text import MESSAGE, first_bad_text
from agora.http.problems import HTTP_TITLES, RenderHtml, problem, wants_html

_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})
# Where merchants upload product images: the API, a new product's form, the edit page's form.
UPLOAD_PATHS = re.compile(
    r"/api/v1/products/[^/]+/images|/merchant/stores/[^/]+/products/new"
    r"|/merchant/products/[^/]+/images"
)


class InputGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        render_html: RenderHtml,
        max_upload_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max(max_upload_bytes or 0, max_body_bytes)
        self.render_html = render_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await self._refuse(scope, send, 422, "url")
            return
        if scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        upload = UPLOAD_PATHS.fullmatch(scope["path"]) is not None
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        body, more = await self._read_body(receive, limit)
        if body is None:
            await self._refuse(scope, send, 413, None)
            return
        content_type = _content_type(scope)
        if upload and content_type.split(b";", 1)[0].strip().lower() == b"multipart/form-data":
            bad = _bad_form_text(content_type, body)
        else:
            bad = _bad_field(content_type.split(b";", 1)[0].strip().lower(), body)
        if bad is not None:
            await self._refuse(scope, send, 422, bad)
            return
        await self.app(scope, replaying(body, receive, pending=more), send)

    async def _read_body(self, receive: Receive, limit: int) -> tuple[bytes | None, Message | None]:
        """The whole body (None when over the limit), and a non-body message met on the way."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), message  # the client left; let the app see it
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None, None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None

    async def _refuse(self, scope: Scope, send: Send, status: int, field: str | None) -> None:
        request = Request(scope)
        if status == 413:
            title, code, errors = HTTP_TITLES[413], "body_too_large", None
        else:
            title, code = HTTP_TITLES[422], "invalid_text"
            errors = [{"field": field, "message": _(MESSAGE)}]
        if wants_html(request):
            detail = _(MESSAGE) if errors else None
            response = self.render_html(request, status, _(title), detail)
        else:
            response = problem(status, code, title, errors=errors)
        await response(scope, _no_receive, send)


def _content_type(scope: Scope) -> bytes:
    """The whole Content-Type header, parameters included."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value)
    return b""


_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?', re.IGNORECASE)


def _bad_form_text(content_type: bytes, body: bytes) -> str | None:
    """``body`` when a multipart form's text field (a part without a file name) holds a NUL."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return "body" if b"\x00" in body else None
    for part in body.split(b"--" + found.group(1)):
        head, _, content = part.partition(b"\r\n\r\n")
        if b"filename=" not in head.lower() and b"\x00" in content:
            return "body"
    return None


def _bad_field(content_type: bytes, body: bytes) -> str | None:
    """Where the body carries a NUL or a lone surrogate (a dotted JSON path, or ``body``)."""
    if content_type == b"application/json" or content_type.endswith(b"+json"):
        if b"\\u" not in body:
            return None
        try:
            document = json.loads(body)
        except ValueError:  # not JSON (or not UTF-8): the route's own validation answers
            return None
        return first_bad_text(document)
    # Forms, and anything else: Agora takes no binary uploads, so a NUL is never wanted.
    if b"%00" in body or b"\x00" in body:
        return "body"
    return None


def replaying(body: bytes, receive: Receive, *, pending: Message | None = None) -> Receive:
    """A ``receive`` that hands the app the body already read, then ``pending`` (a message met
    while reading it), then what the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if pending is not None:
            return pending
        return await receive()

    return replay


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
