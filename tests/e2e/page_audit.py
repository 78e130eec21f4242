"""What the every-page check looks for on each page it opens, and the report of what it found.

One :class:`Auditor` watches a browser context (console errors, failed requests), opens pages in
it and measures each one in the page itself: sideways overflow, elements past the right edge,
images that did not load, axe-core's serious and critical findings and, on a Chinese page, the
English a reader would see. Nothing stops at the first problem: every finding becomes a
:class:`Finding`, and :class:`Findings` groups them by kind and page for one readable report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, Request, Response

from e2e.crawl import links_on
from english_words import stray_english

AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")
# Swagger UI is a vendored third-party page: English only, and its own colours and its
# operation headers (a button inside a button) are not ours to change.
ENGLISH_ONLY_PAGES = ("/api/docs",)
AXE_EXEMPT = {"/api/docs": ("color-contrast", "nested-interactive")}

KINDS = {
    "outside": "Requests to other hosts (Agora serves everything a page loads)",
    "request": "Failed requests (4xx/5xx or not answered)",
    "console": "Console errors",
    "overflow": "Page scrolls sideways",
    "wide": "Elements past the right edge",
    "image": "Images that did not load",
    "english": "English on a Chinese page",
    "axe": "Accessibility (axe-core, serious or critical)",
    "crawl": "Crawl problems",
}

# Run in the page: the sideways overflow, the outermost elements past the right edge (outside a
# container that scrolls sideways by design — but a table scrolled sideways counts), and the
# images that finished loading with nothing to show.
_LAYOUT_JS = """
(width) => {
  const scrolling = document.scrollingElement || document.documentElement;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) name += '.' + classes.join('.');
    const parent = el.parentElement;
    if (parent && parent !== document.body) {
      let up = parent.tagName.toLowerCase();
      const pc = [...parent.classList].slice(0, 2);
      if (pc.length) up += '.' + pc.join('.');
      name = up + ' > ' + name;
    }
    return name;
  };
  const scrollsSideways = (el) => {
    const s = getComputedStyle(el);
    return (s.overflowX === 'auto' || s.overflowX === 'scroll')
      && el !== document.body && el !== document.documentElement;
  };
  const clips = (el) => {
    const s = getComputedStyle(el);
    return (s.overflowX === 'hidden' || s.overflowX === 'clip')
      && el !== document.body && el !== document.documentElement;
  };
  const excused = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrollsSideways(up)) {
        const table = el.closest('table');
        return !(table && up.contains(table)) && up.getBoundingClientRect().right <= width + 1;
      }
      if (clips(up) && up.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = [];
  const reported = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.right <= width + 1 || rect.width === 0 || rect.height === 0) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const position = getComputedStyle(el).position;
    if (position === 'fixed' && rect.left >= width) continue;
    if (excused(el)) continue;
    let inner = false;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (reported.has(up)) { inner = true; break; }
    }
    reported.add(el);
    if (inner) continue;
    const text = (el.innerText || el.getAttribute('alt') || '').replace(/\\s+/g, ' ').trim();
    wide.push({element: describe(el), right: Math.round(rect.right), text: text.slice(0, 48)});
  }
  const images = [];
  for (const img of document.images) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute('src')) {
      images.push({src: img.currentSrc || img.src, alt: img.getAttribute('alt')});
    }
  }
  return {width, scrollWidth: scrolling.scrollWidth, wide: wide.slice(0, 12), images};
}
"""

# Run in the page: the text a reader sees — text nodes and the alt, aria-label, placeholder and
# title of visible elements — leaving out what people wrote (translate="no", [data-user-text])
# and code.
_TEXT_JS = """
() => {
  // Also left out: what is written in another language on purpose (the link to the English
  // pages says "English").
  const skip = 'script, style, noscript, template, code, pre, [translate="no"], [data-user-text], '
    + '[hreflang], [lang]:not([lang|="zh"])';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(skip)) continue;
    if (!parent.checkVisibility({visibilityProperty: true}) && !parent.closest('option')) continue;
    texts.push(text);
  }
  const attrs = ['alt', 'aria-label', 'placeholder', 'title'];
  const labelled = '[alt], [aria-label], [placeholder], [title], '
    + 'input[type=submit][value], input[type=button][value]';
  for (const el of document.body.querySelectorAll(labelled)) {
    if (el.closest(skip) || !el.checkVisibility({visibilityProperty: true})) continue;
    for (const name of attrs) {
      const value = (el.getAttribute(name) || '').trim();
      if (value) texts.push(value);
    }
    if (el.matches('input[type=submit], input[type=button]')) texts.push(el.value);
  }
  return texts;
}
"""

# Run in the page after the layout is measured: the images a phone has not loaded yet (lazy, below
# the fold) are asked for now, so a broken one further down is found too.
_DEFERRED_IMAGES_JS = """
async () => {
  const waiting = [...document.images].filter((img) => !img.complete && img.getAttribute('src'));
  const loaded = waiting.map((img) => new Promise((done) => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true});
    img.loading = 'eager';
  }));
  await Promise.race([Promise.all(loaded), new Promise((done) => setTimeout(done, 5000))]);
  return waiting.filter((img) => img.complete && img.naturalWidth === 0)
    .map((img) => ({src: img.currentSrc || img.src, alt: img.getAttribute('alt')}));
}
"""

_AXE_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 4),
                  count: v.nodes.length}));
}
"""


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    role: str
    pattern: str
    setting: str  # "390 en", "1366 zh"
    message: str
    detail: str = ""
    url: str = ""


@dataclass
class Findings:
    """Everything found, grouped for the report: kind → page pattern → message → settings."""

    items: list[Finding] = field(default_factory=list)
    pages: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> pattern -> url
    visits: int = 0
    unreached: list[str] = field(default_factory=list)  # routes no link led to

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def report(self) -> str:
        grouped: dict[str, dict[str, dict[str, list[Finding]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        for item in self.items:
            grouped[item.kind][item.pattern][item.message].append(item)
        problems = sum(len(messages) for kind in grouped.values() for messages in kind.values())
        bad_pages = {item.pattern for item in self.items}
        total_pages = len({pattern for patterns in self.pages.values() for pattern in patterns})
        roles = ", ".join(f"{role} {len(patterns)}" for role, patterns in self.pages.items())
        lines = [
            f"Every-page check: {problems} problem{'' if problems == 1 else 's'} on "
            f"{len(bad_pages)} of {total_pages} page "
            f"patterns ({roles}; {self.visits} page visits).",
            "Each problem lists the settings it showed in: viewport width and language.",
            "",
        ]
        for kind, title in KINDS.items():
            if kind in grouped:
                count = sum(len(messages) for messages in grouped[kind].values())
                lines.append(f"  {title}: {count} on {len(grouped[kind])} pages")
        if self.unreached:
            lines.append(f"  Routes no link led to: {len(self.unreached)}")
        lines.append("")
        for kind, title in KINDS.items():
            if kind not in grouped:
                continue
            lines.append(f"== {title} ==")
            for pattern in sorted(grouped[kind]):
                messages = grouped[kind][pattern]
                found_all = [item for found in messages.values() for item in found]
                by_role = {item.role: item.url for item in found_all}
                where = ", ".join(f"{role}: {url}" for role, url in by_role.items())
                lines.append(f"{pattern}   ({where})")
                for message, found in messages.items():
                    settings = sorted({item.setting for item in found}, key=_setting_order)
                    lines.append(f"  - {message}   [{', '.join(settings)}]")
                    if found[0].detail:
                        lines.append(f"      {found[0].detail}")
            lines.append("")
        if self.unreached:
            # A page no link leads to is a page nobody finds — or a gap in the crawl.
            lines.append("== Routes no link led to (a failure: a page nobody can find) ==")
            lines.extend(f"  {pattern}" for pattern in sorted(self.unreached))
            lines.append("")
        lines.append("== Pages visited (one sample per pattern) ==")
        for role, patterns in self.pages.items():
            lines.append(f"{role}:")
            lines.extend(f"  {pattern}   {url}" for pattern, url in sorted(patterns.items()))
        return "\n".join(lines) + "\n"


def _setting_order(setting: str) -> tuple[int, str]:
    width, _, lang = setting.partition(" ")
    return int(width), lang


@dataclass
class Auditor:
    """Opens pages in one browser context and records what is wrong with each."""

    context: BrowserContext
    findings: Findings
    role: str
    setting: str
    lang: str
    width: int
    pattern_of: Callable[[str], str]
    page: Page = field(init=False)
    _current: tuple[str, str] = ("", "")  # (pattern, url) of the page being audited
    _visit: int = 0
    # While a page is being opened: the requests cut short then are the previous page's (one
    # opened only for its links is left at once, while its lazy images are still loading).
    _arriving: bool = False
    _started: dict[Request, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)

    def _add(self, kind: str, message: str, detail: str = "") -> None:
        pattern, url = self._current
        self.findings.add(Finding(kind, self.role, pattern, self.setting, message, detail, url))

    def _console(self, message: ConsoleMessage) -> None:
        # A resource that failed is reported with its request, below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            where = message.location.get("url", "")
            self._add("console", message.text[:300], f"at {_short(where)}" if where else "")

    def _page_error(self, error: Error) -> None:
        self._add("console", f"uncaught: {error.message[:300]}")

    def _request(self, request: Request) -> None:
        self._started[request] = self._visit
        if _to_other_host(request):
            # Reported once here, whether or not that host answers: the test run may be offline
            # but a shopper's browser is not, and the demo should not depend on anyone else.
            self._add("outside", f"{request.method} {request.url}", request.resource_type)

    def _request_failed(self, request: Request) -> None:
        started = self._started.pop(request, self._visit)
        if _to_other_host(request):
            return
        failure = request.failure or ""
        if (started != self._visit or self._arriving) and "ERR_ABORTED" in failure:
            return  # the previous page's request, cut short by leaving it
        self._add(
            "request", f"{request.method} {_short(request.url)}: {failure}", request.resource_type
        )

    def _response(self, response: Response) -> None:
        self._started.pop(response.request, None)
        if response.status >= 400 and not _to_other_host(response.request):
            request = response.request
            self._add(
                "request",
                f"{response.status} {request.method} {_short(response.url)}",
                request.resource_type,
            )

    def audit(self, url: str, *, full: bool = True) -> tuple[str, list[dict[str, object]]]:
        """Open ``url``, record its problems, and return its final URL and its links. Without
        ``full``, only what the page's requests and console show is recorded (a further sample,
        opened for its links)."""
        self._visit += 1
        self.findings.visits += 1
        self._current = (self.pattern_of(url), url)
        self._arriving = True
        try:
            self.page.goto(url, wait_until="load")
        except Error as error:
            if "Download is starting" not in error.message:  # a file, not a page: nothing to see
                self._add("crawl", f"could not open: {error.message.splitlines()[0][:200]}")
            return url, []
        finally:
            self._arriving = False
        final = self.page.url
        if not full:
            return final, links_on(self.page)
        self.check_layout()
        if self.lang == "zh" and not self._current[0].startswith(ENGLISH_ONLY_PAGES):
            self.check_english()
        self.check_axe()
        self.check_deferred_images()
        return final, links_on(self.page)

    def check_layout(self) -> None:
        # The viewport asked for, not innerWidth: a phone browser widens its layout viewport to
        # show a page that is too wide.
        width = self.width
        layout: dict[str, Any] = self.page.evaluate(_LAYOUT_JS, width)
        if layout["scrollWidth"] > width:
            self._add(
                "overflow",
                "the page scrolls sideways",
                f"{layout['scrollWidth']}px wide in a {width}px viewport",
            )
        for item in layout["wide"]:
            text = f' "{item["text"]}"' if item["text"] else ""
            self._add(
                "wide",
                f"{item['element']} reaches past the right edge",
                f"right edge at {item['right']}px of {width}px{text}",
            )
        for image in layout["images"]:
            self._add("image", f"{_short(image['src'])} did not load", f"alt={image['alt']!r}")

    def check_deferred_images(self) -> None:
        for image in self.page.evaluate(_DEFERRED_IMAGES_JS):
            self._add("image", f"{_short(image['src'])} did not load", f"alt={image['alt']!r}")

    def check_english(self) -> None:
        texts: list[str] = self.page.evaluate(_TEXT_JS)
        seen: set[str] = set()
        for text in dict.fromkeys(" ".join(text.split()) for text in texts):
            words = [word for word in stray_english(text) if word not in seen]
            seen.update(words)
            if words:
                self._add("english", f"{' '.join(words)}   in {text[:90]!r}")

    def check_axe(self) -> None:
        try:
            violations: list[dict[str, Any]] = self.page.evaluate(_AXE_JS)
        except Error as error:
            self._add("crawl", f"axe-core did not run: {error.message.splitlines()[0][:200]}")
            return
        exempt = AXE_EXEMPT.get(self._current[0], ())
        for violation in violations:
            if violation["id"] in exempt:
                continue
            nodes = "; ".join(violation["nodes"])
            self._add(
                "axe",
                f"{violation['id']} ({violation['impact']}): {violation['help']}",
                f"{violation['count']} element(s), e.g. {nodes}",
            )


def _to_other_host(request: Request) -> bool:
    """A page's own request (not a navigation) for something on a host other than the page's."""
    parts = urlsplit(request.url)
    if parts.scheme not in ("http", "https", "ws", "wss") or request.is_navigation_request():
        return False
    try:
        page = urlsplit(request.frame.url)
    except Error:  # a service worker's request belongs to no frame
        return False
    return page.scheme in ("http", "https") and parts.hostname != page.hostname


def _short(url: str) -> str:
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    return (parts.path + (f"?{parts.query}" if parts.query else "")) if local else url
