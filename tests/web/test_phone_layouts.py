"""Phone layouts, as the server writes them: tables labelled for their card form, the bottom tab
bar with its current tab and badges, the "Me" page, search counts and paging both ways."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

import factories
from agora import chat, ordering, social
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.web.table_cards import label_tables
from factories import HTML, browser_sign_in, principal

# --- table cells labelled from their headings -------------------------------------------------


def test_every_body_cell_is_labelled_by_its_column_and_marked_for_cards() -> None:
    page = (
        '<table class="table" data-testid="t"><thead><tr><th scope="col">When</th>'
        '<th class="card-title">What &amp; why</th><th class="num card-amount">Amount</th>'
        '<th class="actions"><span class="visually-hidden">Actions</span></th></tr></thead>'
        '<tbody><tr data-entry="1"><td class="nowrap">today</td><td>Top-up <time>x</time></td>'
        '<td class="num" data-testid="amount">+¥1.00</td><td class="actions"><form></form></td>'
        '</tr><tr><td colspan="4">Nothing more</td></tr></tbody></table>'
    )

    labelled = label_tables(page)

    assert labelled == (
        '<table class="table table-cards" data-testid="t"><thead><tr><th scope="col">When</th>'
        '<th class="card-title">What &amp; why</th><th class="num card-amount">Amount</th>'
        '<th class="actions"><span class="visually-hidden">Actions</span></th></tr></thead>'
        '<tbody><tr data-entry="1"><td data-label="When" class="nowrap">today</td>'
        '<td data-label="What &amp; why" class="card-title">Top-up <time>x</time></td>'
        '<td data-label="Amount" class="num card-amount" data-testid="amount">+¥1.00</td>'
        '<td class="actions"><form></form></td>'
        '</tr><tr><td colspan="4">Nothing more</td></tr></tbody></table>'
    )


def test_the_first_column_titles_the_card_unless_a_heading_says_otherwise() -> None:
    page = (
        '<table class="table"><thead><tr><th>Order</th><th>Total</th></tr></thead>'
        "<tbody><tr><td>A1</td><td>¥5.00</td></tr></tbody></table>"
    )

    assert label_tables(page) == (
        '<table class="table table-cards"><thead><tr><th>Order</th><th>Total</th></tr></thead>'
        '<tbody><tr><td data-label="Order" class="card-title">A1</td>'
        '<td data-label="Total">¥5.00</td></tr></tbody></table>'
    )


def test_tables_without_a_heading_row_or_with_a_table_inside_stay_as_written() -> None:
    headless = '<table class="table"><tbody><tr><td>Colour</td><td>Red</td></tr></tbody></table>'
    nested = (
        '<table class="table"><thead><tr><th>A</th></tr></thead><tbody><tr><td>'
        "<table><tr><td>x</td></tr></table></td></tr></tbody></table>"
    )
    other = "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    lookalike = other.replace("<table>", '<table class="ord-table">')

    assert label_tables(headless) == headless
    assert label_tables(nested) == nested
    assert label_tables(other) == other
    assert label_tables(lookalike) == lookalike
    assert label_tables("<p>no tables</p>") == "<p>no tables</p>"


def _tables(html: str) -> list[str]:
    return re.findall(r"<table\b.*?</table>", html, re.S)


def _body_cells(table: str) -> list[str]:
    body = re.search(r"<tbody\b.*?</tbody>", table, re.S)
    assert body is not None
    return re.findall(r"<td\b[^>]*>", body.group(0))


def test_money_and_status_tables_carry_labels_on_the_pages(
    client: TestClient, uow: UnitOfWork
) -> None:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    store = factories.make_store(uow, ops, owner)
    factories.make_product(uow, principal(owner), store, cats["coats"], title_en="Wool Coat")
    browser_sign_in(client, owner)

    products = client.get("/merchant", headers=HTML).text
    account = client.get("/account", headers=HTML).text

    table = next(t for t in _tables(products) if 'data-testid="merchant-products"' in t)
    assert "table-cards" in table
    cells = _body_cells(table)
    assert [re.search(r'data-label="([^"]*)"', c) is not None for c in cells] == [
        True,
        True,
        True,
        True,
        True,
        False,  # the actions column has no heading text to show
    ]
    assert 'data-label="Price" class="num nowrap card-amount"' in table
    devices = _tables(account)[0]
    assert 'data-label="Device"' in devices and 'data-label="Expires"' in devices
    assert 'class="cell-long"' in devices


# --- the tab bar -----------------------------------------------------------------------------


def _tab_bar(html: str) -> str:
    found = re.search(r'<nav class="tab-bar".*?</nav>', html, re.S)
    assert found is not None, "no tab bar"
    return found.group(0)


def _current_tabs(html: str) -> list[str]:
    return re.findall(r'data-tab="(\w+)" aria-current="page"', _tab_bar(html))


def test_the_tab_bar_marks_the_current_tab(client: TestClient, uow: UnitOfWork) -> None:
    shopper = factories.make_user(uow, name="Shopper")
    browser_sign_in(client, shopper)

    pages = {path: client.get(path, headers=HTML) for path in ("/", "/cart", "/orders", "/chat")}
    pages["/wallet"] = client.get("/wallet", headers=HTML)
    pages["/account"] = client.get("/account", headers=HTML)

    assert {path: _current_tabs(page.text) for path, page in pages.items()} == {
        "/": ["home"],
        "/cart": ["cart"],
        "/orders": ["orders"],
        "/chat": ["chat"],
        "/wallet": ["me"],
        "/account": ["me"],
    }
    tabs = re.findall(r'href="([^"]*)" data-tab="(\w+)"', _tab_bar(pages["/"].text))
    assert tabs == [
        ("/", "home"),
        ("/chat", "chat"),
        ("/cart", "cart"),
        ("/orders", "orders"),
        ("/account", "me"),
    ]
    assert "tab-bar-badge" not in _tab_bar(pages["/"].text)


def test_no_tab_bar_for_visitors_or_in_the_consoles(client: TestClient, uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    owner = factories.make_user(uow, name="Owner")
    factories.make_store(uow, ops, owner)

    visitor = client.get("/", headers=HTML).text
    browser_sign_in(client, owner)
    console = client.get("/merchant", headers=HTML).text

    assert 'class="tab-bar"' not in visitor
    assert 'class="tab-bar"' not in console


def _people(uow: UnitOfWork) -> tuple[User, Principal, Principal]:
    me = factories.make_user(uow, name="Me")
    friend = principal(factories.make_user(uow, name="Friend"))
    other = principal(factories.make_user(uow, name="Other"))
    for person in (friend, other):
        request = social.send_request(uow, actor=principal(me), to_user_id=person.user_id)
        social.accept_request(uow, actor=person, request_id=request.id)
    return me, friend, other


def _say(uow: UnitOfWork, actor: Principal, to: uuid.UUID, n: int) -> uuid.UUID:
    conversation = chat.direct_conversation(uow, actor=actor, other_user_id=to)
    for i in range(n):
        chat.send_message(
            uow,
            actor=actor,
            conversation_id=conversation.id,
            kind="text",
            body={"text": f"hello {i}"},
            client_id=uuid.uuid4().hex,
        )
    return conversation.id


def test_chat_unread_counts_what_others_sent_and_leaves_out_muted_and_read(
    uow: UnitOfWork,
) -> None:
    me, friend, other = _people(uow)
    mine = principal(me)
    with_friend = _say(uow, friend, me.id, 3)
    with_other = _say(uow, other, me.id, 2)

    assert chat.unread_total(uow, actor=mine) == 5
    assert chat.unread_total(uow, actor=friend) == 0  # what one sent oneself is read

    chat.set_muted(uow, actor=mine, conversation_id=with_other, muted=True)
    assert chat.unread_total(uow, actor=mine) == 3
    chat.mark_read(uow, actor=mine, conversation_id=with_friend, seq=2)
    assert chat.unread_total(uow, actor=mine) == 1
    _say(uow, mine, friend.user_id, 1)  # answering reads the conversation up to the answer
    assert chat.unread_total(uow, actor=mine) == 0
    assert chat.unread_total(uow, actor=friend) == 1


def test_the_tab_bar_shows_unread_chat_and_cart_counts(client: TestClient, uow: UnitOfWork) -> None:
    me, friend, _other = _people(uow)
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    store = factories.make_store(uow, ops, owner)
    coat = factories.make_product(uow, principal(owner), store, cats["coats"])
    ordering.add_to_cart(uow, actor=principal(me), sku_id=coat.skus[0].id, quantity=2)
    _say(uow, friend, me.id, 4)
    browser_sign_in(client, me)

    bar = _tab_bar(client.get("/", headers=HTML).text)

    assert re.findall(r'data-testid="tab-(\w+)-badge" aria-label="([^"]+)">(\d+)<', bar) == [
        ("chat", "4 unread", "4"),
        ("cart", "2 items", "2"),
    ]


# --- "Me" ------------------------------------------------------------------------------------


def test_me_gathers_what_the_phone_header_drops(client: TestClient, uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    shopper = factories.make_user(uow, name="Shopper")
    owner = factories.make_user(uow, name="Owner")
    factories.make_store(uow, ops, owner)

    browser_sign_in(client, shopper)
    as_shopper = client.get("/account", headers=HTML).text
    browser_sign_in(client, owner)
    as_owner = client.get("/account", headers=HTML).text

    links = re.findall(r'class="me-link" href="([^"]+)" data-me="(\w+)"', as_shopper)
    assert [key for _href, key in links] == [
        "orders",
        "cart",
        "addresses",
        "wallet",
        "points",
        "treasure",
        "credit",
        "why",
        "chat",
        "friends",
        "moments",
        "teams",
        "bargains",
        "shares",
        "referrals",
        "privacy",
    ]
    assert 'data-testid="me-signout"' in as_shopper and 'action="/signout"' in as_shopper
    assert 'data-testid="me-language"' in as_shopper and "lang=zh" in as_shopper
    assert 'data-testid="me-work"' not in as_shopper  # no console for a shopper
    assert 'href="/merchant" data-me="merchant"' in as_owner
    assert 'data-me="operator"' not in as_owner


def test_me_needs_a_signed_in_user(client: TestClient) -> None:
    response = client.get("/account", headers=HTML, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/account"


# --- search: a count, filters folded, Previous and Next ------------------------------------


def _coats(uow: UnitOfWork, n: int) -> uuid.UUID:
    """``n`` coats of one store; returns the store's id."""
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    store = factories.make_store(uow, ops, owner)
    for i in range(n):
        factories.make_product(
            uow, principal(owner), store, cats["coats"], title_en=f"Warm Coat {i:02d}"
        )
    return store.id


def _ids(html: str) -> list[str]:
    return re.findall(r'data-testid="product-card" data-product-id="([^"]+)"', html)


def _link(html: str, testid: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="\w+" data-testid="{testid}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_search_counts_results_and_pages_forward_and_back(
    client: TestClient, uow: UnitOfWork
) -> None:
    _coats(uow, 30)

    first = client.get("/search?q=coat&sort=newest", headers=HTML).text
    next_url = _link(first, "next-page")
    assert next_url is not None and _link(first, "prev-page") is None
    second = client.get(next_url, headers=HTML).text
    prev_url = _link(second, "prev-page")
    assert prev_url is not None and _link(second, "next-page") is None
    back = client.get(prev_url, headers=HTML).text

    assert 'data-total="30"' in first and "30 results · page 1 of 2" in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert len(_ids(first)) == 24 and len(_ids(second)) == 6
    assert not set(_ids(first)) & set(_ids(second))
    assert _ids(back) == _ids(first) and "Page 1 of 2" in back
    assert _link(back, "next-page") is not None and _link(back, "prev-page") is None
    plain = client.get("/search?q=coat", headers=HTML).text
    assert 'data-open-wide data-testid="filters-fold"' in plain  # folded until asked
    assert 'data-open-wide open data-testid="filters-fold"' in first  # a sort is chosen


def test_search_opens_its_filters_when_one_is_set_and_counts_none(
    client: TestClient, uow: UnitOfWork
) -> None:
    _coats(uow, 2)

    filtered = client.get("/search?q=coat&min=100000", headers=HTML).text

    assert 'data-open-wide open data-testid="filters-fold"' in filtered
    assert 'data-total="0"' in filtered and "0 results" in filtered
    assert 'data-testid="pager"' not in filtered


def test_a_forged_before_cursor_is_refused_with_a_message(
    client: TestClient, uow: UnitOfWork
) -> None:
    _coats(uow, 2)

    response = client.get("/search?q=coat&before=not-a-cursor", headers=HTML)

    assert response.status_code == 422
    assert "start again from the first page" in response.text


def test_a_category_page_pages_on_its_own_address(client: TestClient, uow: UnitOfWork) -> None:
    _coats(uow, 26)

    page = client.get("/c/coats", headers=HTML).text
    next_url = _link(page, "next-page")

    assert next_url is not None and next_url.startswith("/c/coats?cursor=")
    second = client.get(next_url, headers=HTML).text
    prev_url = _link(second, "prev-page")
    assert prev_url is not None and prev_url.startswith("/c/coats?before=")


def test_a_store_page_pages_both_ways(client: TestClient, uow: UnitOfWork) -> None:
    store_id = _coats(uow, 25)

    first = client.get(f"/store/{store_id}?sort=newest", headers=HTML).text
    next_url = _link(first, "next-page")
    assert next_url is not None
    second = client.get(next_url, headers=HTML).text
    prev_url = _link(second, "prev-page")
    assert prev_url is not None and prev_url.startswith(f"/store/{store_id}?sort=newest&before=")
    back = client.get(prev_url, headers=HTML).text

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert len(_ids(second)) == 1 and _ids(back) == _ids(first)
