"""The lean lane: the hottest writes' requests taken to their endpoint past routing and the solver.

A checkout, a payment, a grab or a join is an ``async def`` endpoint that reads a path id, a JSON
body, the ``Idempotency-Key`` header and the signed-in principal, hands one command to the
writer and answers with a ready response; a recommendation feed reads a path id or the principal
and a ``limit`` from the query, and crosses into a thread once for its reads. Measured under load
(docs/performance.md), FastAPI's generic handling around such an endpoint — matching the path
router by router, its exit stacks, dependency solving, parameter extraction, content-type
parsing — cost more of the event loop than the endpoint's own work.

An endpoint marked :func:`lean` keeps its FastAPI declaration (the OpenAPI document, the
parameters' validation rules) and gets a plan built from it once: the path and header fields,
the body field, the ``Request`` and the dependencies that need nothing but the request. The lane
(:class:`LeanLane`) sits just inside the app's exception handling, after every middleware of
ours (the locale, the input guard): a request for a lean route's method and path is validated
by those same fields and the endpoint called directly; its errors (a 401, a refusal) reach the
app's exception handlers as any endpoint's do. Anything off the plain road — a value the fields
refuse, a body that is not JSON, an override of a dependency (tests) — goes on to FastAPI's
routing with the same request, which answers it exactly as it always did (its 422 problem, for
one). The plan only ever decides "this request is plain".
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from re import Pattern
from typing import Any, TypeVar

from fastapi import FastAPI, params
from fastapi._compat.shared import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from agora.http.input_guard import replaying

_LEAN = "__agora_lean__"

F = TypeVar("F", bound=Callable[..., Any])


def lean(endpoint: F) -> F:
    """Mark an ``async def`` endpoint that answers with a ``Response`` for the lean lane."""
    setattr(endpoint, _LEAN, True)
    return endpoint


def is_lean(endpoint: Any) -> bool:
    return bool(getattr(endpoint, _LEAN, False))


_Field = Any  # FastAPI's ModelField: ``.validate(value, values, loc=...)`` -> (value, errors)
_Missing = object()


@dataclass(frozen=True, slots=True)
class _Plan:
    call: Callable[..., Awaitable[Response]]
    dependencies: tuple[tuple[str, Callable[[Request], Awaitable[Any]]], ...]
    path: tuple[tuple[str, str, _Field], ...]
    """(argument, path parameter, field)"""
    headers: tuple[tuple[str, str, _Field], ...]
    """(argument, header name, field); an absent header is None (the only default allowed)"""
    query: tuple[tuple[str, str, _Field], ...]
    """(argument, query parameter, field) of single values; an absent one takes its default"""
    body: tuple[str, _Field] | None
    request_name: str | None

    async def solve(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's arguments, or ``None`` when FastAPI must answer."""
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
        for name, key, field in self.headers:
            raw = headers.get(key)
            if raw is None:
                values[name] = None
                continue
            value, errors = field.validate(raw, values, loc=("header", key))
            if errors:
                return None
            values[name] = value
        if self.query:
            query = request.query_params
            for name, key, field in self.query:
                raw = query.get(key)
                if raw is None:
                    values[name] = field.default
                    continue
                value, errors = field.validate(raw, values, loc=("query", key))
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
    raw = await request.body()
    if not raw:
        return _Missing
    try:
        return json.loads(raw)
    except ValueError:
        return _Missing


def plan_of(route: APIRoute) -> _Plan:
    """The lean plan of ``route``; TypeError for an endpoint the lane cannot serve (raised when
    the route is declared: ``http.routing.Router``)."""
    dependant: Dependant = route.dependant
    where = f"lean endpoint {route.path}"
    call = dependant.call
    if call is None or not _is_async(call):
        raise TypeError(f"{where}: must be async def")
    answer = get_typed_return_annotation(call)
    if not (isinstance(answer, type) and issubclass(answer, Response)):
        raise TypeError(f"{where}: must answer with a Response (nothing validates what it returns)")
    unsupported = (
        dependant.cookie_params
        or dependant.http_connection_param_name
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or len(dependant.body_params) > 1
        or route._embed_body_fields
        or route.max_body_size is not None
    )
    if unsupported:
        raise TypeError(f"{where}: only path, header, query, one JSON body, Request, request deps")
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
        query=tuple(_query(f, where) for f in dependant.query_params),
        body=body,
        request_name=dependant.request_param_name,
    )


def _header(field: _Field, where: str) -> tuple[str, str, _Field]:
    info = field.field_info
    if info.validation_alias is not None and not isinstance(info.validation_alias, str):
        raise TypeError(f"{where}: header {field.name} has alias choices")
    if info.is_required() or field.default is not None:
        raise TypeError(f"{where}: header {field.name} must be optional (default None)")
    key = field.alias
    if key == field.name and getattr(info, "convert_underscores", True):
        key = key.replace("_", "-")
    return field.name, key.lower(), field


def _query(field: _Field, where: str) -> tuple[str, str, _Field]:
    info = field.field_info
    if info.validation_alias is not None and not isinstance(info.validation_alias, str):
        raise TypeError(f"{where}: query {field.name} has alias choices")
    if info.is_required() or field_annotation_is_sequence(info.annotation):
        raise TypeError(f"{where}: query {field.name} must be one value with a default")
    return field.name, field.alias, field


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


# --- the lane --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lane:
    regex: Pattern[str]
    convertors: dict[str, Any]
    route: APIRoute
    plan: _Plan


class LeanLane:
    """ASGI: a request for a lean route goes straight to its endpoint; any other to ``app``."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self._by_method = _lanes(owner)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lanes = self._by_method.get(scope["method"]) if scope["type"] == "http" else None
        if not lanes or self.owner.dependency_overrides:
            await self.app(scope, receive, send)
            return
        path = get_route_path(scope)
        for lane in lanes:
            match = lane.regex.match(path)
            if match is None:
                continue
            found = match.groupdict()
            for key, value in found.items():
                found[key] = lane.convertors[key].convert(value)
            scope["path_params"] = found
            scope["route"] = lane.route
            scope["endpoint"] = lane.route.endpoint
            request = Request(scope, receive, send)
            values = await lane.plan.solve(request)
            if values is None:
                # FastAPI answers, reading the body this request may have read already.
                await self.app(scope, _replaying(request, receive), send)
                return
            response = await lane.plan.call(**values)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _replaying(request: Request, receive: Receive) -> Receive:
    body: bytes | None = getattr(request, "_body", None)  # what Request.body() read and kept
    return receive if body is None else replaying(body, receive)


def _lanes(app: FastAPI) -> dict[str, list[_Lane]]:
    """The lean routes of ``app`` by method: its own and those of routers included as they are
    (no prefix, dependencies or body limit added by the inclusion, which the plan would miss)."""
    routes: list[Any] = []
    for route in app.router.routes:
        inclusion: Any = route  # an included router: the router, and how it was included
        included = getattr(inclusion, "original_router", None)
        if included is None:
            routes.append(route)
            continue
        context = inclusion.include_context
        if context.prefix or context.dependencies or context.max_body_size is not None:
            continue
        routes.extend(included.routes)
    by_method: dict[str, list[_Lane]] = {}
    for route in routes:
        if isinstance(route, APIRoute) and is_lean(route.endpoint):
            lane = _Lane(route.path_regex, route.param_convertors, route, plan_of(route))
            for method in route.methods or ():
                by_method.setdefault(method, []).append(lane)
    return by_method


def install(app: FastAPI) -> None:
    """Put the lane just inside the app's exception handling, when its middleware is built."""
    build = app.build_middleware_stack

    def build_with_lane() -> ASGIApp:
        stack = build()
        layer: Any = stack
        while layer is not None:
            if isinstance(layer, ExceptionMiddleware):
                layer.app = LeanLane(layer.app, app)
                return stack
            layer = getattr(layer, "app", None)
        raise RuntimeError("no exception middleware to put the lean lane in")

    app.build_middleware_stack = build_with_lane  # type: ignore[method-assign]
