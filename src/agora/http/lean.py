"""The lean path: the hottest writes' requests taken to their endpoint without FastAPI's solver.

A checkout, a payment, a grab or a join is an ``async def`` endpoint that reads a path id, a JSON
body, the ``Idempotency-Key`` header and the signed-in principal, hands one command to the
writer and answers with a ready response. Measured under load (docs/performance.md), FastAPI's
generic request handling around such an endpoint — dependency solving, parameter extraction,
content-type parsing, endpoint bookkeeping — cost about a third of the event loop's time per
request, more than the endpoint's own work.

An endpoint marked :func:`lean` keeps its FastAPI declaration (the OpenAPI document, the
parameters' validation rules) and gets a plan built from it once: the path and header fields,
the body field, the ``Request`` and the dependencies that need nothing but the request. A
request is then validated by those same fields and the endpoint called directly. Anything off
the plain road — a value the fields refuse, a body that is not JSON, an override of a dependency
(tests) — goes to FastAPI's own handler with the same request, which answers it exactly as it
always did (its 422 problem, for one). The plan only ever decides "this request is plain".
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute, _effective_route_context_var
from starlette.requests import Request
from starlette.responses import Response

_LEAN = "__agora_lean__"

F = TypeVar("F", bound=Callable[..., Any])


def lean(endpoint: F) -> F:
    """Mark an ``async def`` endpoint that answers with a ``Response`` for the lean path."""
    setattr(endpoint, _LEAN, True)
    return endpoint


_Field = Any  # FastAPI's ModelField: ``.validate(value, values, loc=...)`` -> (value, errors)
_Missing = object()


@dataclass(frozen=True, slots=True)
class _Plan:
    call: Callable[..., Awaitable[Response]]
    dependencies: tuple[tuple[str, Callable[[Request], Awaitable[Any]]], ...]
    path: tuple[tuple[str, str, _Field], ...]
    """(argument, path parameter, field)"""
    headers: tuple[tuple[str, str, _Field, Any], ...]
    """(argument, header name, field, default when absent)"""
    body: tuple[str, _Field] | None
    request_name: str | None
    overrides: Any

    async def solve(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments, or ``None`` when FastAPI's handler must answer."""
        if self.overrides is not None and self.overrides.dependency_overrides:
            return None
        values: dict[str, Any] = {}
        for name, dependency in self.dependencies:
            values[name] = await dependency(request)  # a refusal (401) is raised as FastAPI would
        path_params = request.scope["path_params"]
        for name, key, field in self.path:
            value, errors = field.validate(path_params[key], values, loc=("path", key))
            if errors:
                return None
            values[name] = value
        headers = request.headers
        for name, key, field, default in self.headers:
            raw = headers.get(key)
            if raw is None:
                values[name] = default
                continue
            value, errors = field.validate(raw, values, loc=("header", key))
            if errors:
                return None
            values[name] = value
        if self.body is not None:
            body = await _json_body(request)
            if body is _Missing:
                return None
            name, field = self.body
            value, errors = field.validate(body, values, loc=("body",))
            if errors:
                return None
            values[name] = value
        if self.request_name is not None:
            values[self.request_name] = request
        return values


async def _json_body(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    media = content_type.partition(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        return _Missing
    raw = await request.body()  # kept on the request: FastAPI's handler reads it again if need be
    if not raw:
        return _Missing
    try:
        return json.loads(raw)
    except ValueError:
        return _Missing


class LeanRoute(APIRoute):
    """An API route whose :func:`lean` endpoint takes the lean path; any other is unchanged."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        full = super().get_route_handler()
        if not getattr(self.endpoint, _LEAN, False):
            return full
        # What FastAPI's own handler is built from: the route as included (its dependencies and
        # overrides provider), when an included router is building its copy of this route.
        context = _effective_route_context_var.get()
        route: Any = context if context is not None and context.original_route is self else self
        plan = _plan(route)

        async def handler(request: Request) -> Response:
            values = await plan.solve(request)
            if values is None:
                return await full(request)
            return await plan.call(**values)

        return handler


def _plan(route: Any) -> _Plan:
    dependant: Dependant = route.dependant
    where = f"lean endpoint {route.path}"
    call = dependant.call
    if call is None or not _is_async(call):
        raise TypeError(f"{where}: must be async def")
    answer = get_typed_return_annotation(call)
    if not (isinstance(answer, type) and issubclass(answer, Response)):
        raise TypeError(f"{where}: must answer with a Response (nothing validates what it returns)")
    unsupported = (
        dependant.query_params
        or dependant.cookie_params
        or dependant.http_connection_param_name
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or len(dependant.body_params) > 1
        or route._embed_body_fields
    )
    if unsupported:
        raise TypeError(f"{where}: only path, header, one JSON body, Request and request deps")
    dependencies = []
    for sub in dependant.dependencies:
        if not _is_request_only(sub):
            raise TypeError(f"{where}: dependency {sub.call!r} must be async def (request)")
        assert sub.name is not None and sub.call is not None
        dependencies.append((sub.name, sub.call))
    body = None
    if dependant.body_params:
        field = dependant.body_params[0]
        if isinstance(field.field_info, params.Form):
            raise TypeError(f"{where}: a form body takes FastAPI's path")
        body = (field.name, field)
    return _Plan(
        call=call,
        dependencies=tuple(dependencies),
        path=tuple((f.name, f.alias, f) for f in dependant.path_params),
        headers=tuple(_header(f, where) for f in dependant.header_params),
        body=body,
        request_name=dependant.request_param_name,
        overrides=route.dependency_overrides_provider,
    )


def _header(field: _Field, where: str) -> tuple[str, str, _Field, Any]:
    info = field.field_info
    if info.validation_alias is not None and not isinstance(info.validation_alias, str):
        raise TypeError(f"{where}: header {field.name} has alias choices")
    if info.is_required():
        raise TypeError(f"{where}: header {field.name} is required; FastAPI's path answers that")
    key = field.alias
    if key == field.name and getattr(info, "convert_underscores", True):
        key = key.replace("_", "-")
    return field.name, key.lower(), field, field.default


def _is_request_only(sub: Dependant) -> bool:
    return (
        _is_async(sub.call)
        and sub.request_param_name is not None
        and not (
            sub.dependencies
            or sub.path_params
            or sub.query_params
            or sub.header_params
            or sub.cookie_params
            or sub.body_params
            or sub.security_scopes_param_name
            or sub.own_oauth_scopes
        )
    )


def _is_async(call: Any) -> bool:
    return inspect.iscoroutinefunction(call)
