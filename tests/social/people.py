"""Helpers for social tests: a few people, friendships, a shop with products for cards."""

from __future__ import annotations

from dataclasses import dataclass

from agora import catalog, social
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from factories import make_categories, make_operator, make_product, make_store, make_user, principal


@dataclass
class People:
    alice: User
    bob: User
    carol: User

    @property
    def a(self) -> Principal:
        return principal(self.alice)

    @property
    def b(self) -> Principal:
        return principal(self.bob)

    @property
    def c(self) -> Principal:
        return principal(self.carol)


def make_people(uow: UnitOfWork) -> People:
    return People(
        make_user(uow, name="Alice"), make_user(uow, name="Bob"), make_user(uow, name="Carol")
    )


def befriend(uow: UnitOfWork, one: Principal, other: Principal) -> None:
    request = social.send_request(uow, actor=one, to_user_id=other.user_id)
    social.accept_request(uow, actor=other, request_id=request.id)


@dataclass
class Shop:
    store: catalog.Store
    products: list[catalog.ProductDetail]


def make_shop(uow: UnitOfWork) -> Shop:
    ops = make_operator(uow)
    owner = make_user(uow, name="Merchant")
    store = make_store(uow, ops, owner, name_en="Cloud Coats")
    cats = make_categories(uow, ops)
    staff = principal(owner)
    products = [
        make_product(uow, staff, store, cats["coats"], title_en=f"Coat {n}", title_zh=f"外套{n}")
        for n in range(3)
    ]
    return Shop(store, products)
