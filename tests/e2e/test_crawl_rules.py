"""How the every-page crawl reduces links to pages: one sample per route, and nothing that signs
out, switches the language, downloads or calls the API."""

from __future__ import annotations

import uuid

import pytest

from e2e.crawl import Crawl, page_key, route_pattern, should_follow

ORIGIN = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/", "/"),
        (f"/orders/{uuid.uuid4()}", "/orders/{order_id}"),
        (f"/orders/{uuid.uuid4()}/tracking", "/orders/{order_id}/tracking"),
        ("/c/womens", "/c/{slug}"),
        (f"/merchant/stores/{uuid.uuid4()}/shipping", "/merchant/stores/{store_id}/shipping"),
        ("/api/docs", "/api/docs"),
        # No route: its ids still fold into one pattern.
        (f"/nowhere/{uuid.uuid4()}/12", "/nowhere/{id}/{id}"),
    ],
)
def test_a_path_reduces_to_the_route_serving_it(path: str, pattern: str) -> None:
    assert route_pattern(path) == pattern


@pytest.mark.parametrize(
    ("url", "follow"),
    [
        (f"{ORIGIN}/orders", True),
        (f"{ORIGIN}/orders?status=paid", True),
        (f"{ORIGIN}/api/docs", True),
        (f"{ORIGIN}/orders?lang=zh", False),
        (f"{ORIGIN}/signout", False),
        (f"{ORIGIN}/api/v1/orders", False),
        (f"{ORIGIN}/api/openapi.json", False),
        (f"{ORIGIN}/static/css/agora.css", False),
        (f"{ORIGIN}/merchant/settlements.csv", False),
        (f"{ORIGIN}/s/abc123", False),
        ("http://elsewhere.test/orders", False),
        ("mailto:help@agora.demo", False),
    ],
)
def test_only_pages_that_a_get_only_shows_are_followed(url: str, follow: bool) -> None:
    assert should_follow(url, origin=ORIGIN) is follow


def test_a_download_link_is_not_followed() -> None:
    assert not should_follow(f"{ORIGIN}/merchant/orders", origin=ORIGIN, download=True)


def test_one_sample_per_route_and_one_more_with_a_query_navigation_first() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    crawl = Crawl(origin=ORIGIN)
    crawl.offer(
        [
            {"href": f"{ORIGIN}/orders/{first}", "nav": False, "download": False},
            {"href": f"{ORIGIN}/orders/{second}", "nav": False, "download": False},
            {"href": f"{ORIGIN}/orders?status=paid", "nav": False, "download": False},
            {"href": f"{ORIGIN}/orders?status=shipped", "nav": False, "download": False},
            {"href": f"{ORIGIN}/orders#top", "nav": True, "download": False},
        ],
        source="/",
    )

    assert list(crawl.queue) == ["/orders", f"/orders/{first}", "/orders?status=paid"]
    assert page_key(f"{ORIGIN}/orders?status=paid") == ("/orders", True)


def test_the_crawl_stops_taking_routes_at_its_limit_and_skips_covered_ones() -> None:
    crawl = Crawl(origin=ORIGIN, limit=2, skip={("/cart", False)})
    crawl.offer(
        [
            {"href": f"{ORIGIN}{path}", "nav": True, "download": False}
            for path in ("/cart", "/orders", "/wallet", "/chat")
        ],
        source="/",
    )

    assert list(crawl.queue) == ["/orders", "/wallet"]
