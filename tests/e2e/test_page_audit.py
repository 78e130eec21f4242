"""The every-page check finds what it looks for: each kind of problem on a page made to have it,
and nothing on a page made to be right."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Route

from e2e.page_audit import Auditor, Findings

pytestmark = [pytest.mark.e2e]

ORIGIN = "http://shop.test"

CLEAN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>好物</title></head>
<body><main><h1>今日好物</h1>
<p>已售 2.5kg · 订单 AG20261207X9 · <span data-user-text>Lin Mei</span></p>
<a href="/?lang=en" hreflang="en">English</a>
<div style="overflow-x: auto; scroll-snap-type: x mandatory; width: 300px">
  <div style="width: 900px; height: 40px">商品轮播</div>
</div>
<img src="/ok.svg" alt="红色外套" width="20" height="20">
</main></body></html>"""

BROKEN = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>坏页</title></head>
<body><main><h1>坏页</h1>
<p>Shipping fee 运费</p>
<input placeholder="Your name">
<button type="button"><svg width="10" height="10"></svg></button>
<div class="banner" style="width: 700px; height: 20px">横幅</div>
<div class="table-wrap" style="overflow-x: auto; width: 300px">
  <table style="width: 900px"><tr><th>订单</th><th>金额</th></tr></table>
</div>
<img src="/missing.png" alt="商品">
<img src="/ok.svg">
<img src="https://elsewhere.example/photo.svg" alt="商品" width="20" height="20">
<div style="height: 3000px"></div>
<img src="/gone-below.png" alt="商品" loading="lazy" width="20" height="20">
<script>console.error("cart total is not a number")</script>
</main></body></html>"""

OK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
    '<rect width="20" height="20"/></svg>'
)


@pytest.fixture
def auditor(browser: Any) -> Iterator[Auditor]:
    assert isinstance(browser, Browser)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )

    def serve(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path == "/clean":
            route.fulfill(body=CLEAN, content_type="text/html; charset=utf-8")
        elif path == "/broken":
            route.fulfill(body=BROKEN, content_type="text/html; charset=utf-8")
        elif path == "/ok.svg":
            route.fulfill(body=OK_SVG, content_type="image/svg+xml")
        else:
            route.fulfill(status=404, body="not here", content_type="text/plain")

    context.route(f"{ORIGIN}/**", serve)
    # Another host that answers: its request is still reported.
    context.route(
        "https://elsewhere.example/**",
        lambda route: route.fulfill(body=OK_SVG, content_type="image/svg+xml"),
    )
    yield Auditor(
        context=context,
        findings=Findings(),
        role="shopper",
        setting="390 zh",
        lang="zh",
        width=390,
        pattern_of=lambda url: urlsplit(url).path or url,
    )
    context.close()


def test_a_page_made_to_be_right_has_no_findings(auditor: Auditor) -> None:
    final, links = auditor.audit(f"{ORIGIN}/clean")

    assert auditor.findings.items == []
    assert final == f"{ORIGIN}/clean"
    assert [link["href"] for link in links] == [f"{ORIGIN}/?lang=en"]


def test_each_problem_on_a_broken_page_is_found(auditor: Auditor) -> None:
    auditor.audit(f"{ORIGIN}/broken")

    found = {(item.kind, item.message) for item in auditor.findings.items}
    kinds = {kind for kind, _ in found}
    assert kinds == {
        "outside",
        "request",
        "console",
        "overflow",
        "wide",
        "image",
        "english",
        "axe",
    }
    assert ("outside", "GET https://elsewhere.example/photo.svg") in found
    # Addresses on loopback (Agora's own) are shown as paths; this made-up shop's in full.
    assert ("request", f"404 GET {ORIGIN}/missing.png") in found
    assert ("console", "cart total is not a number") in found
    assert ("overflow", "the page scrolls sideways") in found
    wide = {message for kind, message in found if kind == "wide"}
    assert wide == {
        "main > div.banner reaches past the right edge",
        "div.table-wrap > table reaches past the right edge",
    }
    assert ("image", f"{ORIGIN}/missing.png did not load") in found
    assert ("image", f"{ORIGIN}/gone-below.png did not load") in found  # lazy, far below
    english = sorted(message for kind, message in found if kind == "english")
    assert english == [
        "Shipping fee   in 'Shipping fee 运费'",
        "Your name   in 'Your name'",
    ]
    axe = {message.split(" ", 1)[0] for kind, message in found if kind == "axe"}
    assert "image-alt" in axe  # <img> without alt: critical
    assert "button-name" in axe  # a button with nothing to say what it does: critical


def test_the_report_groups_by_kind_and_page_and_names_the_settings(auditor: Auditor) -> None:
    auditor.audit(f"{ORIGIN}/broken")
    auditor.findings.pages["shopper"] = {"/broken": "/broken"}

    report = auditor.findings.report()

    assert report.startswith("Every-page check: ")
    assert "== Console errors ==\n/broken   (shopper: http://shop.test/broken)\n" in report
    assert "  - cart total is not a number   [390 zh]\n" in report
