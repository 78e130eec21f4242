"""The address book: checked formats, one default at a time, only one's own addresses."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import factories
from agora import logistics
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal

HOME = {
    "recipient": "Wang Lei",
    "phone": "138 0013 8000",
    "country": "CN",
    "region": "Zhejiang",
    "city": "Hangzhou",
    "district": "Xihu",
    "street": "18 Wensan Road, Room 702",
    "postcode": "310012",
}


def shopper(uow: UnitOfWork) -> Principal:
    return factories.principal(factories.make_user(uow, address=False))


def fields_wrong(values: dict[str, Any]) -> set[str]:
    with pytest.raises(InvalidInput) as refused:
        logistics.AddressFields.of(values)
    return {e["field"] for e in refused.value.extra["errors"]}


def test_a_mainland_address_needs_a_mobile_or_landline_and_a_six_digit_postcode() -> None:
    assert logistics.AddressFields.of(HOME).phone == "13800138000"
    assert logistics.AddressFields.of({**HOME, "phone": "0571-87654321"}).phone == "0571-87654321"
    assert fields_wrong({**HOME, "phone": "12345"}) == {"phone"}
    assert fields_wrong({**HOME, "phone": "23800138000"}) == {"phone"}
    assert fields_wrong({**HOME, "postcode": "31001"}) == {"postcode"}
    assert fields_wrong({**HOME, "recipient": " ", "street": "", "city": "x" * 41}) == {
        "recipient",
        "street",
        "city",
    }
    assert fields_wrong({**HOME, "country": "XX"}) == {"country"}


def test_elsewhere_the_formats_are_free_within_their_characters() -> None:
    abroad = {**HOME, "country": "GB", "phone": "+44 20 7946 0958", "postcode": "SW1A 1AA"}
    assert logistics.AddressFields.of(abroad).postcode == "SW1A 1AA"
    assert fields_wrong({**abroad, "phone": "call me"}) == {"phone"}
    assert fields_wrong({**abroad, "postcode": "<b>"}) == {"postcode"}


def test_the_first_address_is_the_default_and_one_default_at_a_time(uow: UnitOfWork) -> None:
    me = shopper(uow)
    home = logistics.add_address(uow, actor=me, values=HOME)
    office = logistics.add_address(uow, actor=me, values={**HOME, "street": "1 Office Park"})
    assert home.is_default and not office.is_default

    logistics.set_default_address(uow, actor=me, address_id=office.id)
    book = logistics.list_addresses(uow, actor=me)
    assert [a.id for a in book] == [office.id, home.id]
    assert [a.is_default for a in book] == [True, False]

    also = logistics.add_address(uow, actor=me, values=HOME, make_default=True)
    assert logistics.default_address(uow, actor=me) == logistics.get_address(
        uow, actor=me, address_id=also.id
    )
    assert sum(a.is_default for a in logistics.list_addresses(uow, actor=me)) == 1


def test_removing_the_default_makes_the_newest_remaining_one_default(uow: UnitOfWork) -> None:
    me = shopper(uow)
    first = logistics.add_address(uow, actor=me, values=HOME)
    second = logistics.add_address(uow, actor=me, values={**HOME, "street": "2 Second St"})
    third = logistics.add_address(uow, actor=me, values={**HOME, "street": "3 Third St"})

    logistics.remove_address(uow, actor=me, address_id=first.id)

    book = logistics.list_addresses(uow, actor=me)
    assert [a.id for a in book] == [third.id, second.id]
    assert book[0].is_default
    logistics.remove_address(uow, actor=me, address_id=third.id)
    logistics.remove_address(uow, actor=me, address_id=second.id)
    assert logistics.default_address(uow, actor=me) is None


def test_editing_rewrites_the_address_and_keeps_it_checked(uow: UnitOfWork) -> None:
    me = shopper(uow)
    home = logistics.add_address(uow, actor=me, values=HOME)
    moved = logistics.update_address(
        uow, actor=me, address_id=home.id, values={**HOME, "city": "Ningbo", "postcode": "315000"}
    )
    assert moved.city == "Ningbo" and moved.is_default
    with pytest.raises(InvalidInput):
        logistics.update_address(
            uow, actor=me, address_id=home.id, values={**HOME, "postcode": "abc"}
        )
    assert logistics.get_address(uow, actor=me, address_id=home.id).postcode == "315000"


def test_the_book_holds_twenty(uow: UnitOfWork) -> None:
    me = shopper(uow)
    for n in range(logistics.MAX_ADDRESSES):
        logistics.add_address(uow, actor=me, values={**HOME, "street": f"{n} Long Road"})
    with pytest.raises(logistics.AddressBookFull):
        logistics.add_address(uow, actor=me, values=HOME)
    assert len(logistics.list_addresses(uow, actor=me)) == logistics.MAX_ADDRESSES


def test_another_shoppers_address_is_not_found_and_nothing_changes(uow: UnitOfWork) -> None:
    me, other = shopper(uow), shopper(uow)
    theirs = logistics.add_address(uow, actor=other, values=HOME)
    for attempt in (
        lambda: logistics.get_address(uow, actor=me, address_id=theirs.id),
        lambda: logistics.update_address(uow, actor=me, address_id=theirs.id, values=HOME),
        lambda: logistics.set_default_address(uow, actor=me, address_id=theirs.id),
        lambda: logistics.remove_address(uow, actor=me, address_id=theirs.id),
        lambda: logistics.get_address(uow, actor=me, address_id=uuid.uuid4()),
    ):
        with pytest.raises(logistics.AddressNotFound):
            attempt()
    assert logistics.list_addresses(uow, actor=other) == [theirs]
    assert logistics.list_addresses(uow, actor=me) == []
