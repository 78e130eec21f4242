"""How the every-page crawl reduces links to pages: one sample per route, and nothing that signs
out, switches the language, downloads or calls the API."""

from __future__ import annotations

import uuid

import pytest

from e2e.crawl import Crawl, page_key, page_routes, route_pattern, should_follow

ORIGIN = "http://127.0.0.1:8000"

# Fixed, not random: parallel test workers must collect the same test ids.
ANY_ID = "0190c3a1-7f00-7000-8000-000000000001"


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/", "/"),
        (f"/orders/{ANY_ID}", "/orders/{order_id}"),
        (f"/orders/{ANY_ID}/tracking", "/orders/{order_id}/tracking"),
        ("/c/womens", "/c/{slug}"),
        (f"/merchant/stores/{ANY_ID}/shipping", "/merchant/stores/{store_id}/shipping"),
        ("/api/docs", "/api/docs"),
        # No route: its ids still fold into one pattern.
        (f"/nowhere/{ANY_ID}/12", "/nowhere/{id}/{id}"),
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


def test_further_samples_are_opened_for_their_links_and_what_they_lead_to_is_audited() -> None:
    # Given a chat list whose first conversation (a store chat) offers no red envelope
    chats = [f"/chat/{uuid.uuid4()}" for _ in range(5)]
    envelope = f"/chat/{chats[1].rsplit('/', 1)[1]}/red-envelopes/new"
    pages: dict[str, list[str]] = {"/chat": chats, chats[1]: [envelope]}
    audited: list[str] = []
    looked: list[str] = []

    def links(url: str) -> tuple[str, list[dict[str, object]]]:
        hrefs = pages.get(url, [])
        return url, [{"href": ORIGIN + h, "nav": False, "download": False} for h in hrefs]

    def visit(url: str) -> tuple[str, list[dict[str, object]]]:
        audited.append(url)
        return links(url)

    def look(url: str) -> tuple[str, list[dict[str, object]]]:
        looked.append(url)
        return links(url)

    # When the crawl runs, opening up to two more samples of each page
    crawl = Crawl(origin=ORIGIN, explore=2)
    crawl.run(["/chat"], visit, look)

    # Then one conversation is audited, two more are opened for their links only, and the red
    # envelope form the second one offers is found and audited
    assert audited == ["/chat", chats[0], envelope]
    assert looked == chats[1:3]
    assert crawl.samples[("/chat/{conversation_id}/red-envelopes/new", False)] == envelope
    assert crawl.found_on[envelope] == chats[1]


def test_page_routes_are_the_pages_layer_less_what_the_crawl_never_follows() -> None:
    routes = page_routes()

    assert {"/", "/orders/{order_id}", "/sandbox/bank/{charge_id}", "/api/docs"} <= routes
    # The API, the health check, files and state-changing GETs are not pages to reach.
    assert not routes & {"/healthz", "/api/openapi.json", "/s/{code}", "/chat/with/{user_id}"}
    assert not any(route.startswith(("/api/v1/", "/media/", "/static/")) for route in routes)
