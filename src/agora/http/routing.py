"""The API's router: a ``def`` endpoint crosses into the thread pool once, not twice.

FastAPI runs a ``def`` endpoint in the thread pool and then, to validate what it returned against
its ``response_model``, hands over to the pool a second time. Each hand-off costs more CPU than a
small endpoint's own work (docs/performance.md). This router registers every ``def`` endpoint as
an ``async def`` that runs the function in the pool and validates the answer on the event loop:
one hand-off per request, with the same signature, dependencies and OpenAPI document.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool


def in_thread(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` as a coroutine that runs it in the thread pool (FastAPI reads the signature
    and the annotations through ``__wrapped__``)."""

    @functools.wraps(function)
    async def endpoint(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(function, *args, **kwargs)

    return endpoint


class Router(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_thread(endpoint)
        super().add_api_route(path, endpoint, **kwargs)
