"""Every page a shopper, a merchant and the operator can reach, on a phone and a wide screen, in
English and in Chinese: no sideways scrolling, nothing past the right edge, no console error, no
failed request, nothing asked of another host, no broken image, no serious accessibility
problem, and no stray English on a Chinese page.

The pages are found, not listed: each role's crawl starts from its home page and follows the
links of the navigation, then of the content (``crawl.py``), opening a few more samples of each
page for their links only. A page pattern an earlier role has already covered is not audited
again. Every page route must be reached: one that no link leads to fails the test too. Every
finding is gathered before the test fails once, with a report grouped by kind and page (also
written to a file; ``AGORA_EVERY_PAGE_REPORT`` names another copy).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from agora.demo.catalog_data import FASHION
from agora.demo.seed import merchant_email
from e2e.conftest import USER_AGENT
from e2e.crawl import Crawl, page_routes, route_pattern
from e2e.page_audit import Auditor, Finding, Findings
from e2e.steps import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.every_page]


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    email: str | None  # None: signed out
    start: tuple[str, ...]


ROLES = (
    Role("shopper", "shopper@agora.demo", ("/",)),
    Role("merchant", merchant_email(FASHION), ("/merchant",)),
    Role("operator", "operator@agora.demo", ("/operator",)),
    Role("visitor", None, ("/", "/signin", "/signup")),
)


@dataclass(frozen=True, slots=True)
class Setting:
    width: int
    height: int
    lang: str

    @property
    def name(self) -> str:
        return f"{self.width} {self.lang}"

    @property
    def phone(self) -> bool:
        return self.width < 600


CRAWL_SETTING = Setting(1366, 900, "en")
OTHER_SETTINGS = (Setting(390, 844, "en"), Setting(390, 844, "zh"), Setting(1366, 900, "zh"))
PATTERNS_PER_ROLE = 150
MORE_SAMPLES = 3  # per page key, opened for their links only


def _context_options(server: str, setting: Setting, state: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "base_url": server,
        "locale": "zh-CN" if setting.lang == "zh" else "en-US",
        "user_agent": USER_AGENT,
        "viewport": {"width": setting.width, "height": setting.height},
        "storage_state": state,
    }
    if setting.phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    return options


def _signed_in_state(browser: Browser, server: str, email: str | None) -> Any:
    context = browser.new_context(base_url=server, locale="en-US", user_agent=USER_AGENT)
    try:
        if email is not None:
            page = context.new_page()
            sign_in(page, email)
        return context.storage_state()
    finally:
        context.close()


def _auditor(
    browser: Browser, server: str, state: Any, role: Role, setting: Setting, findings: Findings
) -> Auditor:
    context = browser.new_context(**_context_options(server, setting, state))
    context.set_default_timeout(15_000)
    if setting.lang == "zh":
        # What ?lang=zh leaves behind: the language cookie.
        context.add_cookies([{"name": "agora_lang", "value": "zh", "url": server}])
    return Auditor(
        context=context,
        findings=findings,
        role=role.name,
        setting=setting.name,
        lang=setting.lang,
        width=setting.width,
        pattern_of=lambda url: route_pattern(url.split("?", 1)[0]),
    )


def _at_the_bank(browser: Browser, server: str, state: Any) -> str:
    """Start a top-up from the wallet page, as the shopper would, and return the bank page it
    leads to.

    The sandbox bank's page exists only once a POST (a top-up, or paying an order at the bank)
    has made a charge, which the crawl never sends; the demo leaves no charge waiting. So the
    shopper's crawl also starts from the page that POST leads to, with the charge left waiting
    (the wallet then links back to it too), as a shopper who has not paid yet sees it."""
    context = browser.new_context(
        base_url=server, locale="en-US", user_agent=USER_AGENT, storage_state=state
    )
    try:
        page = context.new_page()
        page.goto("/wallet")
        page.fill("#top-up-amount", "88")
        page.get_by_role("button", name="Top up").click()
        page.wait_for_url(re.compile(r"/sandbox/bank/[0-9a-f-]{36}$"))
        return urlsplit(page.url).path
    finally:
        context.close()


def _visit(
    auditor: Auditor, role: Role, url: str, *, full: bool = True
) -> tuple[str, list[dict[str, object]]]:
    final, links = auditor.audit(url, full=full)
    if role.email is not None and urlsplit(final).path == "/signin":
        auditor.findings.add(
            Finding(
                "crawl",
                role.name,
                auditor.pattern_of(url),
                auditor.setting,
                "a link for a signed-in person leads to the sign-in page",
                url=url,
            )
        )
    return final, links


def test_every_page_of_every_role(browser: Any, first_run_server: str, tmp_path: Path) -> None:
    server = first_run_server
    assert isinstance(browser, Browser)
    findings = Findings()
    covered: set[tuple[str, bool]] = set()
    started = time.monotonic()
    for role in ROLES:
        state = _signed_in_state(browser, server, role.email)
        start = role.start
        if role.name == "shopper":
            start += (_at_the_bank(browser, server, state),)
        crawler = _auditor(browser, server, state, role, CRAWL_SETTING, findings)
        crawl = Crawl(
            origin=server, limit=PATTERNS_PER_ROLE, explore=MORE_SAMPLES, skip=set(covered)
        )
        crawl.run(
            start,
            lambda url, a=crawler, r=role: _visit(a, r, url),
            lambda url, a=crawler, r=role: _visit(a, r, url, full=False),
        )
        crawler.context.close()
        covered |= crawl.known
        findings.pages[role.name] = {
            f"{pattern}{' ?…' if query else ''}": url
            for (pattern, query), url in crawl.samples.items()
        }
        for setting in OTHER_SETTINGS:
            auditor = _auditor(browser, server, state, role, setting, findings)
            for url in crawl.samples.values():
                _visit(auditor, role, url)
            auditor.context.close()
    findings.unreached = sorted(page_routes() - {pattern for pattern, _ in covered})
    report = findings.report() + f"\n(took {time.monotonic() - started:.0f} s)\n"
    path = tmp_path / "every_page_report.txt"
    path.write_text(report, encoding="utf-8")
    if extra := os.environ.get("AGORA_EVERY_PAGE_REPORT"):
        Path(extra).write_text(report, encoding="utf-8")
    print(f"every-page report: {path}")
    if findings.items or findings.unreached:
        pytest.fail(f"report written to {path}\n\n{report}", pytrace=False)
