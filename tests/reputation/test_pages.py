"""The store page and the product page show the store's reputation compactly, with how it is
counted; before the first count they say so instead of showing zeros."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from agora import reputation
from factories import HTML
from ordering.world import World
from reputation.shop import START, at, decide, deliver, paid_order, refund, review, ship

H = timedelta(hours=1)


def panel(page: str) -> str:
    match = re.search(r'<section class="rep".*?</section>', page, re.S)
    assert match, "the page has the reputation panel"
    return match.group(0)


def figure(panel_html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</div>', panel_html, re.S)
    assert match, testid
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def history(world: World) -> None:
    """Store A: three orders, two shipped in time and one late, all delivered, one returned;
    reviews of 5, 4 and 4 stars."""
    world.fund(world.buyer_user, 200_000)
    orders = [paid_order(world, START + H) for _ in range(3)]
    for order, shipped_after in zip(orders, (2, 10, 50), strict=True):
        ship(world, order, START + (1 + shipped_after) * H)
        deliver(world, order, START + 80 * H)
    for order, stars in zip(orders, (5, 4, 4), strict=True):
        review(world, order, stars, START + 81 * H)
    decide(world, orders[0], refund(world, orders[0], START + 82 * H), START + 83 * H, accept=True)
    at(START + 84 * H)
    reputation.recompute_reputation(world.uow)


def test_the_store_page_shows_the_figures_and_explains_them(
    client: TestClient, world: World
) -> None:
    history(world)

    shown = panel(client.get(f"/store/{world.store_a.id}", headers=HTML).text)

    assert figure(shown, "rep-rating") == "Rating 4.3 ★ 3 reviews"
    assert figure(shown, "rep-on-time") == "On-time shipping 66.7% 2 of 3 orders"
    assert figure(shown, "rep-returns") == "Return rate 33.3% 1 of 3 delivered"
    about = shown[shown.index('data-testid="rep-about"') :]
    assert "How these are counted" in about
    assert "last 90 days" in about and "promise of 48 hours" in about
    # 84 hours after 2026-03-02 09:00 UTC is 21:00 UTC on the 5th: in the business zone
    # (Asia/Shanghai, UTC+8) the 6th.
    assert "last counted 2026-03-06 05:00 UTC+8" in about


def test_the_product_page_shows_its_stores_figures(client: TestClient, world: World) -> None:
    history(world)

    shown = panel(client.get(f"/p/{world.coat.product.id}", headers=HTML).text)

    assert figure(shown, "rep-on-time") == "On-time shipping 66.7% 2 of 3 orders"
    other = panel(client.get(f"/p/{world.dress.product.id}", headers=HTML).text)
    assert figure(other, "rep-rating") == "Rating Not enough data yet"
    assert figure(other, "rep-returns") == "Return rate Not enough data yet"


def test_a_store_not_counted_yet_says_so(client: TestClient, world: World) -> None:
    shown = panel(client.get(f"/store/{world.store_b.id}", headers=HTML).text)

    assert 'data-testid="rep-not-yet"' in shown
    assert "not enough data yet" in shown
    assert "rep-figure" not in shown and "0%" not in shown
    assert "has not been counted yet" in shown


def test_the_panel_speaks_chinese_where_translated(client: TestClient, world: World) -> None:
    history(world)

    page = client.get(f"/store/{world.store_a.id}?lang=zh", headers=HTML)

    assert page.status_code == 200
    assert "66.7%" in panel(page.text)
