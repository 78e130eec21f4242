"""The OpenAPI document, with the RFC 9457 refusals every operation can answer.

FastAPI documents the success and a 422 shaped as its own ``HTTPValidationError``; our refusals
are ``application/problem+json`` (``http/problems.py``). Which ones an operation gives follows
from what it depends on, so they are derived here, in one place, rather than listed by hand on
each route:

- 422 everywhere: the input guard refuses a NUL in any URL, and anything taking input validates it;
- 413 on methods with a body: the input guard's size limit;
- 400 when it reads a body: one that cannot be decoded at all (not UTF-8, say);
- 401 when the operation needs a signed-in actor (``current_actor``);
- 403 when it needs one and writes, names an object, or is an operator's: the services check the
  actor's rights there (staff of the store, owner of the message, an operator);
- 404 when it names an object: a path parameter, or an id in the body or the query;
- 409 when a signed-in actor writes: state conflicts, a held Idempotency-Key;
- anything else a route declares itself with ``responses=`` (429 where attempts are limited,
  400 and 401 of a bank's notification) gets the problem body too.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from starlette.routing import BaseRoute

from agora.http.deps import current_actor
from agora.http.problems import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: why the request was refused. ``code`` is stable.",
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string", "description": "A short, translated summary."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What happened in this case, translated."},
        "code": {"type": "string", "description": "Stable, for programs: e.g. not_found."},
        "errors": {
            "type": "array",
            "description": "With invalid input: which fields, and what is wrong with each.",
            "items": {
                "type": "object",
                "required": ["field"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "retry_after": {
            "type": "integer",
            "minimum": 0,
            "description": "With 429: seconds to wait (also the Retry-After header).",
        },
    },
}
DESCRIPTIONS = {
    400: "The request cannot be processed.",
    401: "Not signed in, or the credentials are not valid.",
    403: "The actor may not do this.",
    404: "Not found; also what an actor gets for an object it may not see.",
    405: "This method is not allowed here.",
    409: "This conflicts with the current state.",
    413: "The request body is too large.",
    422: "Some of the input is not valid (``errors`` names the fields).",
    429: "Too many attempts; wait ``Retry-After`` seconds.",
}
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FASTAPI_422 = ("ValidationError", "HTTPValidationError")


def also(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that can refuse in ways its dependencies do not show."""
    return {status: {"description": DESCRIPTIONS[status]} for status in statuses}


def install(app: FastAPI) -> None:
    """Serve the document with the refusals described; built once, on first request."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            describe_problems(document, app.routes)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def describe_problems(document: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Add the refusals of every operation in ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_422:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    for context in iter_route_contexts(routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        path = context.path_format or ""
        operations = document["paths"].get(path, {})
        for method in context.methods or ():
            operation = operations.get(method.lower())
            if operation is not None:
                _describe(operation, method, path, context.dependant)


def refusals(method: str, path: str, dependant: Dependant) -> set[int]:
    """The problem statuses an operation can answer, from what it depends on."""
    statuses = {422}
    writes = method in _WRITES
    if writes:
        statuses.add(413)
    if _params(dependant, "body_params"):
        statuses.add(400)
    signed_in = any(d.call is current_actor for d in _dependants(dependant))
    names_object = bool(_params(dependant, "path_params")) or any(
        _carries_id(p.field_info.annotation)
        for p in _params(dependant, "body_params") + _params(dependant, "query_params")
    )
    if signed_in:
        statuses.add(401)
        if writes or names_object or "/operator/" in path:
            statuses.add(403)
        if writes:
            statuses.add(409)
    if names_object:
        statuses.add(404)
    return statuses


def _describe(operation: dict[str, Any], method: str, path: str, dependant: Dependant) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    derived = refusals(method, path, dependant)
    for status in sorted(derived | declared):
        answer = responses.setdefault(str(status), {})
        answer["description"] = answer.get("description") or DESCRIPTIONS.get(status, "")
        if answer["description"] == "Validation Error":
            answer["description"] = DESCRIPTIONS[422]
        # A route that declares its own body for a status (``/healthz``'s 503) keeps it.
        if status in derived or "content" not in answer:
            answer["content"] = {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}
        if status == 429:
            answer["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "minimum": 0},
                }
            }
    operation["responses"] = dict(sorted(responses.items()))


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _params(dependant: Dependant, kind: str) -> list[Any]:
    return [p for d in _dependants(dependant) for p in getattr(d, kind)]


def _carries_id(annotation: Any, seen: frozenset[type] = frozenset()) -> bool:
    """Whether a parameter's type holds a UUID anywhere (an object the request names)."""
    if annotation is uuid.UUID:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return False
        return any(
            _carries_id(field.annotation, seen | {annotation})
            for field in annotation.model_fields.values()
        )
    return any(_carries_id(arg, seen) for arg in typing.get_args(annotation))
