"""The interactive API reference works with no internet: Swagger UI comes from Agora itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = [pytest.mark.e2e]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def test_api_docs_render_the_operations_with_every_outside_request_refused(page: Any) -> None:
    assert isinstance(page, Page)
    refused: list[str] = []
    local: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            local.append(urlsplit(route.request.url).path)
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_loopback)
    page.goto("/api/docs")

    # The operations list, grouped by tag, as Swagger UI draws it from /api/openapi.json (it
    # draws only what is on screen: the first operations are enough).
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Agora")
    expect(page.locator(".swagger-ui .opblock-tag").first).to_be_visible()
    checkout = page.locator(".opblock-summary-path", has_text="/api/v1/checkout").first
    expect(checkout).to_be_visible()
    checkout.click()  # an operation opens to show its parameters and answers
    expect(page.locator(".swagger-ui .opblock.is-open .responses-wrapper").first).to_be_visible()
    assert refused == []
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in local
    assert "/static/vendor/swagger-ui/swagger-ui.css" in local
    assert "/api/openapi.json" in local
