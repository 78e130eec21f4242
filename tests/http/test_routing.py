"""The API's routers: each turns away paths it has no head for, and no two claim one path."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from agora.app import create_app
from agora.config import Settings
from agora.http.routing import Router, _head


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(
        Settings(database_url="sqlite:///:memory:", embedded_workers=False, serve_tuning=False)
    )


def api_routers(app: FastAPI) -> list[Router]:
    return [
        route.original_router
        for route in app.router.routes
        if isinstance(getattr(route, "original_router", None), Router)
    ]


def test_no_path_of_one_router_matches_a_route_of_another(app: FastAPI) -> None:
    # What makes the order routers are included in free to choose (hot ones first).
    samples = [
        (n, route, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path))
        for n, router in enumerate(api_routers(app))
        for route in router.routes
    ]
    claimed_twice = [
        (a.path, b.path)
        for n, a, path in samples
        for m, b, _ in samples
        if n != m
        and (getattr(a, "methods", None) or {"WS"}) & (getattr(b, "methods", None) or {"WS"})
        and b.path_regex.match(path)
    ]

    assert len(samples) > 100
    assert claimed_twice == []


def test_a_router_turns_away_a_path_with_none_of_its_heads(app: FastAPI) -> None:
    routers = api_routers(app)
    scope = {"type": "http", "method": "GET", "path": "/api/v1/nothing-here", "root_path": ""}

    assert all(router.matches(dict(scope))[0] == Match.NONE for router in routers)
    assert _head("/api/v1/red-envelopes/{envelope_id}/grab") == "/api/v1/red-envelopes"


def test_every_route_is_still_reached_through_its_head(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.get("/api/v1/me").status_code == 401  # identity, now after four others
        assert client.get("/api/v1/orders").status_code == 401
        assert client.get("/api/v1/nothing-here").status_code == 404
