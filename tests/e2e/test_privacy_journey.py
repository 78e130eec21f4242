"""A shopper in charge of their data: from "Me" to the privacy page, a consent switched on and
logged, their data prepared by the server's job and downloaded, then the account deleted —
refused with a wrong password, done with the right one, after which it cannot sign in."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from e2e.steps import flash, reload_until, sign_up

pytestmark = pytest.mark.e2e


def test_a_shopper_downloads_their_data_and_deletes_their_account(page: Page) -> None:
    email = sign_up(page, "Yingtai Privacy")
    page.goto("/account")
    page.locator('a[data-me="privacy"]').click()
    expect(page).to_have_url(re.compile(r"/account/privacy$"))
    expect(page.locator('[data-consent="partner_sharing"][data-granted="off"]')).to_be_visible()

    page.get_by_test_id("switch-partner_sharing").click()
    expect(flash(page)).to_contain_text("Switched on")
    expect(page.locator('[data-consent="partner_sharing"][data-granted="on"]')).to_be_visible()
    expect(page.get_by_test_id("consent-log").locator("tbody tr")).to_have_count(1)

    page.get_by_test_id("request-export").click()
    expect(flash(page)).to_contain_text("putting your data together")

    def ready() -> None:
        expect(page.get_by_test_id("download-export")).to_be_visible(timeout=1_000)

    reload_until(page, ready)
    with page.expect_download() as downloading:
        page.get_by_test_id("download-export").click()
    archive = downloading.value.path()
    with zipfile.ZipFile(archive) as opened:
        users = json.loads(opened.read("users.json"))
        consents = json.loads(opened.read("consents.json"))
    assert [u["email"] for u in users] == [email]
    assert [(c["kind"], c["granted"]) for c in consents] == [("partner_sharing", True)]

    page.goto("/account/delete")
    page.fill("#password", "not my password")
    page.get_by_test_id("delete-confirm").click()
    expect(page.locator(".form-error")).to_contain_text("password is not right")
    page.fill("#password", "a long enough secret")
    page.get_by_test_id("delete-confirm").click()
    expect(flash(page)).to_contain_text("Your account has been deleted")

    page.goto("/signin")
    page.fill("#identifier", email)
    page.fill("#password", "a long enough secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-error")).to_be_visible()
