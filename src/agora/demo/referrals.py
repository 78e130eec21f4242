"""The demo's referral rewards: a newcomer Lin Mei's link brought completes a first order, so
Lin Mei is rewarded in points; and three accounts made in one browser through Zhao Yu's link —
one of them completing an order — leave a withheld reward on the operators' page.

Everything goes through the public use cases on the real clock: sharing's links and sign-ups,
a sandbox top-up, ordering's order taken to completed (the store's own merchant ships it), and
the relay delivering ``ordering.order_settled`` to the referral handler, exactly as in use.
Each step runs once (an idempotency key ``agora-demo:referrals-<step>`` in the step's own
transaction), so a re-run adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from sqlalchemy import select

from agora import catalog, identity, ordering, payments, sharing
from agora.config import get_settings
from agora.core.uow import UnitOfWork
from agora.demo.logistics import give_address
from agora.demo.steps import principal, relay, run_once, store_owner, top_up
from agora.demo.trading import ZHAO, World, picks
from agora.identity import Client, Principal, User

STEP_PREFIX = "agora-demo:referrals-"
CLIENT = Client(ip="127.0.0.1", user_agent="agora demo")
# The sharing demo's first newcomer, who came through Lin Mei's link in a chat.
NEWCOMER = "newcomer1@agora.demo"
STORE, PICK = "agora-self", 0
# One browser and one address behind three sign-ups: a device and an address cluster.
CLUSTER_BROWSER = "agora-demo-visitor-cluster"
CLUSTER_ADDRESS = "198.51.100.23"
CLUSTER = ((1, "Lucky Star 1 幸运星1"), (2, "Lucky Star 2 幸运星2"), (3, "Lucky Star 3 幸运星3"))
CLUSTER_BUYER = 3


def seed_referrals(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
) -> dict[str, Any]:
    """Play the demo's referrals once; returns how many steps there are and how many ran now
    (0 on a database that already has them all)."""
    newcomer = identity.find_user(uow, NEWCOMER)
    if newcomer is None:
        raise RuntimeError("the sharing demo's newcomers are missing; seed sharing first")
    sku_id = World(uow, {}, stores, {}).sku(STORE, PICK)
    price = picks(STORE)[PICK][1].price
    merchant = store_owner(uow, stores[STORE].id)
    zhao = principal(shoppers[ZHAO])
    ran: list[bool] = []

    def once(actor: Principal, step: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        fresh, body = run_once(uow, actor, f"{STEP_PREFIX}{step}", action)
        ran.append(fresh)
        return dict(body)

    def buy(buyer: Principal) -> None:
        """Top up at the sandbox bank, then one order all the way to completed."""
        once(buyer, "top-up", partial(top_up, uow, buyer, price))
        relay(uow)
        once(buyer, "order", partial(_completed_order, uow, buyer, merchant, sku_id))
        relay(uow)

    # Lin Mei's friend's first order: Lin Mei is rewarded.
    buy(principal(newcomer))
    # Zhao Yu's link, then three accounts from one browser and one address.
    code = once(zhao, "cluster-share", partial(_share, uow, zhao, sku_id))["code"]
    ip_hash = sharing.domain.hash_address(CLUSTER_ADDRESS, secret=get_settings().secret_key)
    accounts: dict[int, uuid.UUID] = {}
    for n, name in CLUSTER:
        signup = partial(_signup, uow, n, name, code, ip_hash, password)
        made = once(zhao, f"cluster-{n}", signup)
        accounts[n] = uuid.UUID(made["user_id"])
    buy(Principal(user_id=accounts[CLUSTER_BUYER], display_name=CLUSTER[CLUSTER_BUYER - 1][1]))
    # (The reward of Lin Mei's friend is granted; the cluster's is withheld for the operators.)
    return {"referral_steps": len(ran), "referral_steps_run": sum(ran)}


def _completed_order(
    uow: UnitOfWork, buyer: Principal, merchant: Principal, sku_id: uuid.UUID
) -> dict[str, Any]:
    [order] = ordering.place_orders(uow, actor=buyer, lines=[ordering.LineRequest(sku_id, 1)])
    ordering.pay_orders(
        uow, actor=buyer, order_ids=[order.id], sources=[ordering.SourceRequest(payments.WALLET)]
    )
    tracking = f"SF{order.id.int % 10**10:010d}"
    ordering.ship_order(uow, actor=merchant, order_id=order.id, tracking_number=tracking)
    ordering.mark_delivered(uow, actor=merchant, order_id=order.id)
    ordering.confirm_receipt(uow, actor=buyer, order_id=order.id)
    return {"order_id": str(order.id)}


def _share(uow: UnitOfWork, sharer: Principal, sku_id: uuid.UUID) -> dict[str, Any]:
    with uow.read() as session:
        product_id = session.scalar(select(catalog.Sku.product_id).where(catalog.Sku.id == sku_id))
    assert product_id is not None
    shared = sharing.create_share(
        uow, actor=sharer, target_type=sharing.PRODUCT, target_id=product_id, channel="external"
    )
    return {"code": shared.share.code}


def _signup(
    uow: UnitOfWork, n: int, name: str, code: str, ip_hash: str | None, password: str
) -> dict[str, Any]:
    """A click on the link from the cluster's browser, then an account made there."""
    sharing.record_visit(uow, code=code, visitor_id=CLUSTER_BROWSER, user_id=None, ip_hash=ip_hash)
    user = identity.register(
        uow,
        identifier=f"lucky{n}@agora.demo",
        password=password,
        display_name=name,
        client=CLIENT,
    )
    give_address(uow, user, n)
    sharing.attribute_signup(uow, user_id=user.id, visitor_id=CLUSTER_BROWSER)
    return {"user_id": str(user.id)}
