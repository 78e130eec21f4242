"""The API's router: a ``def`` endpoint crosses into the thread pool once, not twice, and a
request for another router's path is turned away at a glance.

FastAPI runs a ``def`` endpoint in the thread pool and then, to validate what it returned against
its ``response_model``, hands over to the pool a second time. Each hand-off costs more CPU than a
small endpoint's own work (docs/performance.md). This router registers every ``def`` endpoint as
an ``async def`` that runs the function in the pool and validates the answer on the event loop:
one hand-off per request, with the same signature, dependencies and OpenAPI document.

FastAPI matches a request against every route of every included router in turn, each with a
regular expression and some bookkeeping: under load, finding ``POST /red-envelopes/{id}/grab``
(the last router included) took a third of the event loop's time. Each router knows the fixed
heads of its paths (``/api/v1/red-envelopes``: the segments before the first parameter, at most
three), so a request whose path has none of them is no match without looking at a single route.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope

from agora.http.lean import is_lean, plan_of


def in_thread(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as a coroutine that runs it in the thread pool (FastAPI reads the signature
    and the annotations through ``__wrapped__``)."""

    @functools.wraps(function)
    async def endpoint(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(function, *args, **kwargs)

    return endpoint


_HEAD_SEGMENTS = 3
_HEAD_KEY = "agora.path_head"


class Router(APIRouter):
    _heads: frozenset[str] | None = None
    _heads_of: int = -1  # how many routes the heads were computed from

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_thread(endpoint)
        super().add_api_route(path, endpoint, **kwargs)
        route = self.routes[-1]
        if is_lean(endpoint) and isinstance(route, APIRoute):
            plan_of(route)  # an endpoint the lean lane cannot serve is refused here, not later

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        heads = self._path_heads()
        if heads is not None:
            path = get_route_path(scope)
            cached = scope.get(_HEAD_KEY)
            if cached is None or cached[0] != path:  # once per request, not once per router
                cached = scope[_HEAD_KEY] = (path, _head(path))
            if cached[1] not in heads:
                return Match.NONE, {}
        return super().matches(scope)

    def _path_heads(self) -> frozenset[str] | None:
        """The heads of this router's paths; ``None`` (look at every route) when one of them
        has a parameter within its head."""
        if self._heads_of != len(self.routes):
            heads: set[str] | None = set()
            for route in self.routes:
                path = getattr(route, "path", None)
                head = _head(path) if isinstance(path, str) else "{"
                if heads is not None and "{" not in head:
                    heads.add(head)
                else:
                    heads = None
            self._heads = frozenset(heads) if heads is not None else None
            self._heads_of = len(self.routes)
        return self._heads


def _head(path: str) -> str:
    """``/api/v1/red-envelopes/{id}/grab`` → ``/api/v1/red-envelopes``."""
    return "/".join(path.split("/", _HEAD_SEGMENTS + 1)[: _HEAD_SEGMENTS + 1])
