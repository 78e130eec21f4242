"""Finding every page a person can reach: links read from the pages themselves, breadth-first.

A crawl starts from a role's home page, takes the links of the page's navigation (header, bottom
tab bar, console nav, footer) before those of its content, and follows them breadth-first. Each
path is reduced to the route that serves it (``/orders/3f2c…`` → ``/orders/{order_id}``, read
from the application's own route table), so one sample stands for all the orders, products or
conversations a route shows: the query-less path and at most one variant with a query.

What a page links to can depend on the record it shows (a store chat offers no red envelope, a
parcel's label is linked only while it travels), so one sample is not enough to find every page:
a few more samples of each key are opened for their links only — no audit — until no new key
turns up. Links are read once the page has loaded, after its scripts ran, so the links a script
adds count as well as the server's.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from fastapi.routing import iter_route_contexts

# Paths never followed: they sign out, switch the language, answer data rather than a page, hand
# over a file, or do something on GET by design (a share link counts the visit; "chat with"
# opens the conversation on first use) and then redirect to a page the crawl reaches anyway.
SKIPPED_PREFIXES = ("/signout", "/static/", "/media/", "/s/", "/chat/with/", "/ws")
DOWNLOAD_SUFFIXES = (".csv", ".pdf", ".zip", ".json", ".svg", ".png", ".jpg", ".xlsx")
API_PAGES = ("/api/docs",)
PAGES_PACKAGE = "agora.web."  # the pages layer: every GET route of it is a page to reach

# Navigation first, then content: what a page offers everyone before what it shows this time.
_LINKS_JS = """
() => {
  const nav = 'header, nav, footer, [role=navigation], .console-side, .tabbar, .tab-bar';
  const links = [];
  for (const a of document.querySelectorAll('a[href]')) {
    links.push({href: a.href, nav: !!a.closest(nav), download: a.hasAttribute('download')});
  }
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const url = new URL(form.action || location.href, location.href);
    for (const [name, value] of new FormData(form)) {
      if (typeof value === 'string') url.searchParams.append(name, value);
    }
    links.push({href: url.href, nav: !!form.closest(nav), download: false});
  }
  return links;
}
"""


@cache
def _routes() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """The GET routes of Agora's application, as (regex, pattern, endpoint module) triples."""
    from agora.app import create_app
    from agora.config import Settings

    app = create_app(
        Settings(database_url="sqlite:///:memory:", embedded_workers=False, serve_tuning=False)
    )
    routes = []
    for context in iter_route_contexts(app.routes):
        regex = getattr(context.original_route, "path_regex", None)
        methods = context.methods
        if regex is not None and context.path_format and (methods is None or "GET" in methods):
            module = getattr(getattr(context.original_route, "endpoint", None), "__module__", "")
            routes.append((regex, context.path_format, module or ""))
    return tuple(routes)


def page_routes() -> set[str]:
    """Every page route, which a crawl must reach: the GET routes of the pages layer
    (``agora.web``; the API, health check and static files are served elsewhere) less those the
    crawl never follows by rule (:func:`should_follow`: files, sign-out, state-changing GETs)."""
    origin = "http://agora.test"
    return {
        pattern
        for _, pattern, module in _routes()
        if module.startswith(PAGES_PACKAGE)
        and should_follow(origin + re.sub(r"\{[^}]+\}", "x", pattern), origin=origin)
    }


_ID_SEGMENT = re.compile(r"[0-9a-fA-F-]{32,36}|\d+|[A-Za-z0-9]{10,}")


def route_pattern(path: str) -> str:
    """The route serving ``path``; for a path no route claims, its ids replaced by ``{id}``."""
    for regex, pattern, _ in _routes():
        if regex.fullmatch(path):
            return pattern
    return "/".join(
        "{id}" if _ID_SEGMENT.fullmatch(segment) else segment for segment in path.split("/")
    )


def page_key(url: str) -> tuple[str, bool]:
    """What one sample stands for: the route, with or without a query."""
    parts = urlsplit(url)
    return route_pattern(parts.path or "/"), bool(parts.query)


def should_follow(url: str, *, origin: str, download: bool = False) -> bool:
    """A same-origin page that a GET only shows: not a sign-out, language switch, file or API."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path or "/"
    if download or path.lower().endswith(DOWNLOAD_SUFFIXES):
        return False
    if path.startswith("/api/") and path not in API_PAGES:
        return False
    if any(path.startswith(prefix) for prefix in SKIPPED_PREFIXES):
        return False
    query = parts.query.split("&") if parts.query else []
    return not any(item.startswith("lang=") for item in query)


def page_url(url: str) -> str:
    """The URL without its fragment and origin: what the crawl visits."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


Visit = Callable[[str], tuple[str, list[dict[str, object]]]]


@dataclass
class Crawl:
    """The breadth-first walk of one role: the sample visited for each page key, in order, and up
    to ``explore`` more samples of each key opened for their links only."""

    origin: str
    limit: int = 150
    explore: int = 3
    skip: set[tuple[str, bool]] = field(default_factory=set)  # covered by an earlier crawl
    known: set[tuple[str, bool]] = field(default_factory=set)
    samples: dict[tuple[str, bool], str] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)
    queue: deque[str] = field(default_factory=deque)
    more: deque[str] = field(default_factory=deque)  # further samples, for their links
    opened: set[str] = field(default_factory=set)  # every URL queued, in either queue
    explored: dict[tuple[str, bool], int] = field(default_factory=dict)

    def offer(self, links: Iterable[dict[str, object]], *, source: str) -> None:
        ordered = sorted(links, key=lambda link: not link["nav"])
        for link in ordered:
            href = str(link["href"])
            if not should_follow(href, origin=self.origin, download=bool(link["download"])):
                continue
            key, url = page_key(href), page_url(href)
            if url in self.opened:
                continue
            if key in self.known or key in self.skip:
                # Another record of a page already seen (here or by an earlier crawl): opened for
                # what it links to, a few per key.
                if self.explored.get(key, 0) < self.explore:
                    self.explored[key] = self.explored.get(key, 0) + 1
                    self.opened.add(url)
                    self.found_on[url] = source
                    self.more.append(url)
                continue
            if len(self.known) >= self.limit:
                continue
            self.known.add(key)
            self.opened.add(url)
            self.found_on[url] = source
            self.queue.append(url)

    def run(self, start: Iterable[str], visit: Visit, look: Visit | None = None) -> None:
        """Visit the start pages and every page they lead to; ``visit(url)`` audits the page and
        returns its final URL (after redirects) and its links; ``look(url)`` only opens it, for
        the further samples (without it they are not opened)."""
        for path in start:  # visited even where an earlier crawl covered the route
            self.known.add(page_key(path))
            self.opened.add(path)
            self.found_on[path] = "(start)"
            self.queue.append(path)
        while self.queue or (look is not None and self.more):
            audited = bool(self.queue)
            url = self.queue.popleft() if audited else self.more.popleft()
            final, links = (visit if audited else look or visit)(url)
            final_key = page_key(final)
            if audited:
                self.samples.setdefault(page_key(url), url)
            fresh = final_key not in self.known and final_key not in self.skip
            if fresh and should_follow(final, origin=self.origin):
                self.known.add(final_key)
                if audited:
                    self.samples[final_key] = page_url(final)
                else:  # a redirect to a page not seen yet: audited in its turn
                    self.opened.add(page_url(final))
                    self.found_on[page_url(final)] = url
                    self.queue.append(page_url(final))
            self.offer(links, source=url)


def links_on(page: object) -> list[dict[str, object]]:
    """The links and GET forms of the page open in ``page`` (a Playwright Page)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    links: list[dict[str, object]] = page.evaluate(_LINKS_JS)
    return links
