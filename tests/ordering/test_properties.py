"""Stateful property test: random days of shopping against a small reference model.

Two shoppers, two stores (four SKUs), and random sequences of top-ups, checkouts, payments
(wallet, wallet + sandbox bank, approved, declined or answered later), cancellations, expiry,
shipping, delivery, confirmation (by hand and after 10 days), refunds and returns, and
withdrawals — all through the public services of ``agora.ordering`` and ``agora.payments``, with
the bank's notifications delivered by the outbox relay and deadlines by the scheduler.

The model predicts every outcome, refusals included: a refused action must raise exactly the
predicted domain error and leave every table as it was. After every step the ledger replays and
wallets, stock, escrow, settlements, commission, the bank's side and every order's status and
line quantities agree with the model.

Every action is drawn by one rule, ``step``, rather than one rule each: hypothesis switches
rules off at random per example ("swarm testing"), and with a dozen rules most examples could
not get from placing an order to a return. An action aimed at an order (or return, or charge)
when none exists yet aims at an id that does not exist, which must be a 404 changing nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, or_, select

import factories
from agora import catalog, inventory, ledger, payments
from agora.catalog.schemas import CategoryIn
from agora.config import get_settings
from agora.core.clock import clock, utcnow
from agora.core.db import Database
from agora.core.errors import InvalidInput
from agora.core.events import OutboxRelay
from agora.core.jobs import Scheduler
from agora.core.models import Deadline, OutboxEvent
from agora.core.uow import UnitOfWork
from agora.ledger import Account
from agora.logistics import carriers
from agora.ordering import (
    LineRequest,
    OrderLine,
    OrderNotFound,
    OrderStateConflict,
    OrderView,
    PaymentOutcome,
    RefundDecided,
    RefundNotFound,
    RefundTooLarge,
    RefundView,
    ReturnPending,
    SourceRequest,
    accept_return,
    cancel_order,
    confirm_receipt,
    mark_delivered,
    pay_orders,
    place_orders,
    reject_return,
    request_refund,
    ship_order,
)
from agora.ordering import Order as OrderRow
from agora.ordering.domain import split_over_orders
from agora.schema import metadata
from conftest import clean

PENDING, PAID, SHIPPED, DELIVERED = "pending_payment", "paid", "shipped", "delivered"
COMPLETED, CANCELLED, REFUNDED = "completed", "cancelled", "refunded"
PAY_WINDOW = 15  # minutes
AUTO_CONFIRM = 10 * 24 * 60  # minutes
RETURN_ANSWER = 48 * 60  # minutes: a return the store has not answered by then is accepted
# (store, colour, price in fen, initial stock): prices whose 5% commission needs rounding.
SKUS = [(0, "red", 1999, 4), (0, "black", 3550, 3), (1, "blue", 1250, 3), (1, "green", 999, 5)]
NOWHERE = uuid.UUID("00000000-0000-4000-8000-00000000dead")  # an id nothing has


@dataclass
class Line:
    id: uuid.UUID
    sku: int
    quantity: int
    price: int
    refunded: int = 0  # units refunded (before shipment, or by an accepted return)
    returning: int = 0  # units in the open return
    shipped: int = 0  # units that left the warehouse
    returned: int = 0  # shipped units that came back through an accepted return

    @property
    def left(self) -> int:
        return self.quantity - self.refunded - self.returning


@dataclass
class Order:
    id: uuid.UUID
    buyer: int
    store: int
    checkout: int
    lines: list[Line]
    status: str = PENDING
    gateway_paid: int = 0  # the bank's part of the payment
    gateway_refunded: int = 0
    refunded: int = 0
    return_open: bool = False
    confirm_by: int | None = None  # model minutes

    @property
    def total(self) -> int:
        return sum(line.quantity * line.price for line in self.lines)


# What actions aim at when nothing exists yet: an order (of shopper 0, store 0) nobody can see.
GHOST = Order(NOWHERE, 0, 0, 0, [Line(NOWHERE, 0, 1, SKUS[0][2])], status="ghost")


@dataclass
class Return:
    id: uuid.UUID
    order: Order
    lines: dict[int, int]  # line index → units
    amount: int
    status: str = "requested"
    answer_by: int = 0  # minutes travelled


@dataclass
class PendingCharge:
    id: uuid.UUID
    buyer: int
    amount: int
    orders: list[Order] = field(default_factory=list)  # in order-id order, as capture pays them
    parts: list[int] = field(default_factory=list)  # the bank's part of each


@dataclass(frozen=True)
class Act:
    """One drawn action: the name of a ShoppingDays method and its arguments."""

    name: str
    args: dict[str, Any]

    def __repr__(self) -> str:  # reads as a call in hypothesis's failing-example report
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.args.items())})"


def act(name: str, **arguments: st.SearchStrategy[Any]) -> st.SearchStrategy[Act]:
    return st.fixed_dictionaries(arguments).map(lambda args: Act(name, args))


# (aim only at orders the action fits, when there are any? which one)
picks = st.tuples(st.integers(0, 4).map(lambda n: n != 0), st.integers(0, 10**6))
intruders = st.sampled_from([False] * 5 + [True])  # another shopper or merchant tries it
shoppers = st.integers(0, 1)

PLACE = act(
    "place",
    shopper=shoppers,
    wanted=st.lists(
        st.tuples(st.integers(0, len(SKUS) - 1), st.integers(1, 3)), min_size=1, max_size=3
    ),
)
PAY = act(
    "pay",
    pick=picks,
    intruder=intruders,
    whole_checkout=st.booleans(),
    how=st.sampled_from(["wallet", "mixed", "mixed", "bank"]),
    wallet_share=st.integers(0, 100),
    answer=st.sampled_from(["approve", "approve", "decline", "later"]),
    top_up_first=st.sampled_from([True, True, False]),
)
SHIP = act(
    "ship", pick=picks, intruder=intruders, tracking=st.sampled_from(["SF1001"] * 5 + ["  "])
)
REFUND = act(
    "refund",
    pick=picks,
    intruder=intruders,
    whole=st.sampled_from([False, False, True]),
    asked=st.lists(
        st.tuples(st.integers(0, 10), st.sampled_from([1, 1, 2, 0, 4])), min_size=1, max_size=2
    ),
)
DECIDE = act(
    "decide_return",
    index=st.integers(0, 10**6),
    accept=st.booleans(),
    intruder=intruders,
    decided_too=st.integers(0, 4).map(lambda n: n == 0),
)
# name: (weight when it fits the state, its arguments)
ACTIONS: dict[str, tuple[int, st.SearchStrategy[Act]]] = {
    "top_up": (
        1,
        act(
            "top_up",
            shopper=shoppers,
            amount=st.one_of(st.integers(1000, 40000), st.just(0)),
            approve=st.sampled_from([True, True, True, False]),
        ),
    ),
    "withdraw": (
        1,
        act(
            "withdraw",
            shopper=shoppers,
            share=st.sampled_from([0, 10, 30, 60, 101]),
            cents=st.sampled_from([0, 13, 13, 50, 99]),
        ),
    ),
    "place": (2, PLACE),
    "pay": (4, PAY),
    "answer_later": (2, act("answer_later", index=st.integers(0, 10**6), approve=st.booleans())),
    "cancel": (1, act("cancel", pick=picks, intruder=intruders)),
    "expire": (1, act("expire")),
    "ship": (4, SHIP),
    "deliver": (4, act("deliver", pick=picks, intruder=intruders)),
    "confirm": (2, act("confirm", pick=picks, intruder=intruders)),
    "auto_confirm": (1, act("auto_confirm")),
    "refund": (3, REFUND),
    "decide_return": (3, DECIDE),
}


def commission_of(gross: int) -> int:
    rate = get_settings().commission_rate
    return int((Decimal(gross) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class ShoppingDays(RuleBasedStateMachine):
    def __init__(self, db: Database) -> None:
        super().__init__()
        clean(db)
        clock.reset()
        self.db, self.uow = db, UnitOfWork(db)
        uow = self.uow
        ops = factories.make_operator(uow)
        owners = [factories.make_user(uow, name=f"Merchant {n}") for n in "AB"]
        self.merchants = [factories.principal(user) for user in owners]
        self.shoppers = [factories.principal(factories.make_user(uow)) for _ in range(2)]
        stores = [factories.make_store(uow, ops, owner) for owner in owners]
        self.store_ids = [store.id for store in stores]
        category = catalog.create_category(
            uow, actor=ops, data=CategoryIn(slug="things", name_en="Things", name_zh="东西")
        )
        products = [
            factories.make_product(
                uow,
                self.merchants[s],
                stores[s],
                category,
                skus=[(colour, "M", price, n) for at, colour, price, n in SKUS if at == s],
            )
            for s in (0, 1)
        ]
        self.sku_ids = [sku.id for product in products for sku in product.skus]
        self.available = [stock for *_, stock in SKUS]
        self.reserved = [0] * len(SKUS)
        self.wallets = [0, 0]
        self.bank = 0  # the sandbox gateway's clearing accounts: money at the bank side
        self.settled = [0, 0]  # per store
        self.commission = 0
        self.freight = [0, 0]  # per store: what its return labels cost, until a settlement pays
        self.freight_paid = 0
        self.now = 0  # minutes travelled
        self.orders: list[Order] = []
        self.returns: list[Return] = []
        self.charges: list[PendingCharge] = []
        self.checkouts = 0

    @initialize(amounts=st.tuples(st.integers(5000, 80000), st.integers(0, 80000)))
    def open_wallets(self, amounts: tuple[int, int]) -> None:
        """Start with some money (or none) so that the first payments can succeed."""
        for shopper, amount in enumerate(amounts):
            if amount:
                self.top_up(shopper, amount, approve=True)

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """One action, drawn among those the state gives something to act on (so that orders
        get far in 30 steps), or now and then any action at all."""
        names = [n for n, (weight, _) in ACTIONS.items() if self._fits(n) for _ in range(weight)]
        chosen = st.sampled_from(names * 6 + list(ACTIONS))
        action = data.draw(chosen.flatmap(lambda name: ACTIONS[name][1]), label="act")
        getattr(self, action.name)(**action.args)

    def _fits(self, name: str) -> bool:
        needs = {
            "pay": (PENDING,),
            "cancel": (PENDING,),
            "expire": (PENDING,),
            "ship": (PAID,),
            "deliver": (SHIPPED,),
            "confirm": (DELIVERED,),
            "auto_confirm": (DELIVERED,),
            "refund": (PAID, SHIPPED, DELIVERED),
        }
        if name == "answer_later":
            return bool(self.charges)
        if name == "decide_return":
            return any(r.status == "requested" for r in self.returns)
        if name == "expire" and self.charges:
            return True
        if name == "place":  # not while two orders wait to be paid: they hold the stock
            return sum(o.status == PENDING for o in self.orders) < 2
        return name not in needs or any(o.status in needs[name] for o in self.orders)

    # --- helpers ------------------------------------------------------------------------------

    def _pick(self, pick: tuple[bool, int], *statuses: str) -> Order:
        """An order in one of ``statuses`` if asked and there is one, else any order, else the
        ghost (an id that does not exist)."""
        fitting, index = pick
        pool = [o for o in self.orders if o.status in statuses] if fitting else []
        pool = pool or self.orders or [GHOST]
        return pool[index % len(pool)]

    def _dump(self) -> list[list[str]]:
        with self.uow.read() as session:
            return [
                sorted(repr(tuple(row)) for row in session.execute(select(table)))
                for table in metadata.sorted_tables
            ]

    def _refused(self, error: type[Exception], action: Callable[[], object]) -> None:
        """The action must raise exactly ``error`` and change no row of any table."""
        before = self._dump()
        with pytest.raises(error) as raised:
            action()
        assert type(raised.value) is error, f"expected {error.__name__}, got {raised.value!r}"
        assert self._dump() == before, f"{error.__name__} was raised but the database changed"

    def _relay(self) -> None:
        OutboxRelay(self.db).run_sync_until_idle()
        with self.uow.read() as session:
            # Not yet due is not stuck: a sandbox carrier's pushes wait for their time.
            stuck = session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.published_at.is_(None),
                    or_(OutboxEvent.last_error.is_not(None), OutboxEvent.available_at <= utcnow()),
                )
            )
        assert stuck == 0, "an event handler failed (its event waits to be retried)"

    def _travel(self, minutes: int) -> None:
        clock.travel(timedelta(minutes=minutes))
        self.now += minutes
        Scheduler(self.db, owner="test").run_due()
        self._relay()
        with self.uow.read() as session:
            failed = session.scalars(
                select(Deadline.last_error).where(
                    Deadline.last_error.is_not(None), Deadline.last_error != "cancelled"
                )
            ).all()
        assert failed == [], f"a deadline handler failed: {failed}"
        for ret in self.returns:  # the stores' silence accepted these
            if ret.status == "requested" and ret.answer_by <= self.now:
                self._decided(ret, accept=True)
        for order in self.orders:
            if order.status == PENDING:  # every unpaid order is past its 15 minutes now
                order.status = CANCELLED
                self._release(order.lines, [line.quantity for line in order.lines])
            elif (
                order.status == DELIVERED
                and not order.return_open
                and order.confirm_by is not None
                and order.confirm_by <= self.now
            ):
                self._settle(order)

    def _release(self, lines: Iterable[Line], units: Iterable[int]) -> None:
        for line, n in zip(lines, units, strict=True):
            self.available[line.sku] += n
            self.reserved[line.sku] -= n

    def _settle(self, order: Order) -> None:
        order.status = COMPLETED
        gross = order.total - order.refunded
        commission = commission_of(gross)
        # what the store owes for labels is paid off first from its part
        paid_off = min(self.freight[order.store], gross - commission)
        self.freight[order.store] -= paid_off
        self.freight_paid += paid_off
        self.settled[order.store] += gross - commission - paid_off
        self.commission += commission

    def _pay_back(self, order: Order, amount: int) -> None:
        """Refunds go back to the bank first, then to the wallet."""
        to_bank = min(amount, order.gateway_paid - order.gateway_refunded)
        order.gateway_refunded += to_bank
        self.bank += to_bank
        self.wallets[order.buyer] += amount - to_bank
        order.refunded += amount
        if order.refunded == order.total:
            order.status = REFUNDED

    def _bank_answers(self, charge: PendingCharge, approve: bool) -> None:
        payments.submit_sandbox_payment(
            self.uow, actor=self.shoppers[charge.buyer], charge_id=charge.id, approve=approve
        )
        self._relay()
        if not approve:
            return
        # Captured into the wallet (even late), then each order still unpaid is paid from it.
        self.bank -= charge.amount
        self.wallets[charge.buyer] += charge.amount
        for order, part in zip(charge.orders, charge.parts, strict=True):
            if order.status == PENDING and self.wallets[charge.buyer] >= order.total:
                self.wallets[charge.buyer] -= order.total
                order.status, order.gateway_paid = PAID, part

    # --- actions ------------------------------------------------------------------------------

    def top_up(self, shopper: int, amount: int, approve: bool) -> None:
        actor = self.shoppers[shopper]
        if amount == 0:
            self._refused(
                InvalidInput, lambda: payments.start_top_up(self.uow, actor=actor, amount=0)
            )
            return
        charge = payments.start_top_up(self.uow, actor=actor, amount=amount)
        self._bank_answers(PendingCharge(charge.id, shopper, amount), approve)

    def withdraw(self, shopper: int, share: int, cents: int) -> None:
        """The sandbox bank refuses payouts ending in .13: the money comes back to the wallet."""
        actor = self.shoppers[shopper]
        amount = self.wallets[shopper] * share // 100 // 100 * 100 + cents

        def action() -> payments.Withdrawal:
            return payments.request_withdrawal(self.uow, actor=actor, amount=amount)

        if amount < 1:
            self._refused(InvalidInput, action)
            return
        if amount > self.wallets[shopper]:
            self._refused(ledger.InsufficientFunds, action)
            return
        withdrawal = action()
        self._relay()
        refused = amount % 100 == 13
        [latest, *_] = payments.recent_withdrawals(self.uow, actor=actor)
        assert (latest.id, latest.status) == (withdrawal.id, "failed" if refused else "succeeded")
        if not refused:
            self.wallets[shopper] -= amount
            self.bank += amount

    def place(self, shopper: int, wanted: list[tuple[int, int]]) -> None:
        lines = [LineRequest(self.sku_ids[sku], n) for sku, n in wanted]
        merged: dict[int, int] = {}
        for sku, n in wanted:
            merged[sku] = merged.get(sku, 0) + n
        if any(n > self.available[sku] for sku, n in merged.items()):
            self._refused(
                inventory.InsufficientStock,
                lambda: place_orders(self.uow, actor=self.shoppers[shopper], lines=lines),
            )
            return
        views = place_orders(self.uow, actor=self.shoppers[shopper], lines=lines)
        self.checkouts += 1
        stores = sorted({SKUS[sku][0] for sku in merged}, key=lambda s: self.store_ids[s])
        assert [v.store_id for v in views] == [self.store_ids[s] for s in stores]
        for view, store in zip(views, stores, strict=True):
            mine = [(sku, n) for sku, n in merged.items() if SKUS[sku][0] == store]
            by_sku = {line.sku_id: line for line in view.lines}
            assert sorted(by_sku) == sorted(self.sku_ids[sku] for sku, _ in mine)
            order = Order(
                view.id,
                shopper,
                store,
                self.checkouts,
                [Line(by_sku[self.sku_ids[sku]].id, sku, n, SKUS[sku][2]) for sku, n in mine],
            )
            assert [(v.quantity, v.unit_price) for v in view.lines] == [
                (line.quantity, line.price) for line in order.lines
            ]
            assert (view.status, view.total) == (PENDING, order.total)
            self.orders.append(order)
            for sku, n in mine:
                self.available[sku] -= n
                self.reserved[sku] += n

    def pay(
        self,
        pick: tuple[bool, int],
        intruder: bool,
        whole_checkout: bool,
        how: str,
        wallet_share: int,
        answer: str,
        top_up_first: bool,
    ) -> None:
        """Pay one order or its whole checkout: from the wallet, or partly or wholly at the bank
        (which approves, declines, or answers later); ``top_up_first`` tops up what is missing."""
        target = self._pick(pick, PENDING)
        group = [o for o in self.orders if o.checkout == target.checkout] or [target]
        chosen = sorted(group if whole_checkout else [target], key=lambda o: o.id)
        buyer = 1 - target.buyer if intruder else target.buyer
        total = sum(o.total for o in chosen)
        wallet_part = {"wallet": total, "mixed": total * wallet_share // 100, "bank": 0}[how]
        sources = [SourceRequest("wallet", wallet_part), SourceRequest("gateway:sandbox")]
        if how == "wallet":
            sources = [SourceRequest("wallet")]
        if top_up_first and self.wallets[buyer] < wallet_part:
            self.top_up(buyer, wallet_part - self.wallets[buyer], approve=True)

        def action() -> PaymentOutcome:
            return pay_orders(
                self.uow,
                actor=self.shoppers[buyer],
                order_ids=[o.id for o in chosen],
                sources=sources,
            )

        if intruder or target is GHOST:
            self._refused(OrderNotFound, action)
            return
        if any(o.status != PENDING for o in chosen):
            self._refused(OrderStateConflict, action)
            return
        if self.wallets[buyer] < wallet_part:
            self._refused(ledger.InsufficientFunds, action)
            return
        outcome = action()
        if wallet_part == total:  # nothing left for the bank: paid from the wallet at once
            assert (outcome.status, outcome.wallet_amount) == ("paid", total)
            self.wallets[buyer] -= total
            for order in chosen:
                order.status = PAID
            return
        assert outcome.status == "awaiting_gateway"
        assert (outcome.wallet_amount, outcome.gateway_amount) == (wallet_part, total - wallet_part)
        assert outcome.charge_id is not None
        parts = split_over_orders([o.total for o in chosen], total - wallet_part)
        charge = PendingCharge(outcome.charge_id, buyer, total - wallet_part, chosen, parts)
        if answer == "later":
            self.charges.append(charge)
        else:
            self._bank_answers(charge, answer == "approve")

    def answer_later(self, index: int, approve: bool) -> None:
        """The shopper answers at the bank after the orders may have been paid, cancelled or
        expired (and the charge itself expired): a late capture stays in the wallet."""
        if not self.charges:
            self._refused(
                payments.ChargeNotFound,
                lambda: payments.submit_sandbox_payment(
                    self.uow, actor=self.shoppers[0], charge_id=NOWHERE, approve=approve
                ),
            )
            return
        self._bank_answers(self.charges.pop(index % len(self.charges)), approve)

    def cancel(self, pick: tuple[bool, int], intruder: bool) -> None:
        order = self._pick(pick, PENDING)
        actor = self.shoppers[1 - order.buyer if intruder else order.buyer]

        def action() -> OrderView:
            return cancel_order(self.uow, actor=actor, order_id=order.id)

        if intruder or order is GHOST:
            self._refused(OrderNotFound, action)
            return
        if order.status != PENDING:
            self._refused(OrderStateConflict, action)
            return
        assert action().status == CANCELLED
        order.status = CANCELLED
        self._release(order.lines, [line.quantity for line in order.lines])

    def expire(self) -> None:
        """16 minutes later the sweep cancels every unpaid order (and expires pending charges)."""
        self._travel(PAY_WINDOW + 1)

    def auto_confirm(self) -> None:
        """10 days later delivered orders without an open return complete by themselves."""
        self._travel(AUTO_CONFIRM + 1)

    def ship(self, pick: tuple[bool, int], intruder: bool, tracking: str) -> None:
        order = self._pick(pick, PAID)
        actor = self.merchants[1 - order.store if intruder else order.store]

        def action() -> OrderView:
            return ship_order(self.uow, actor=actor, order_id=order.id, tracking_number=tracking)

        if not tracking.strip():
            self._refused(InvalidInput, action)
        elif intruder or order is GHOST:
            self._refused(OrderNotFound, action)
        elif order.status != PAID:
            self._refused(OrderStateConflict, action)
        else:
            assert action().status == SHIPPED
            order.status = SHIPPED
            for line in order.lines:
                line.shipped = line.quantity - line.refunded
                self.reserved[line.sku] -= line.shipped

    def deliver(self, pick: tuple[bool, int], intruder: bool) -> None:
        order = self._pick(pick, SHIPPED)
        actor = self.merchants[1 - order.store if intruder else order.store]

        def action() -> OrderView:
            return mark_delivered(self.uow, actor=actor, order_id=order.id)

        if intruder or order is GHOST:
            self._refused(OrderNotFound, action)
        elif order.status != SHIPPED:
            self._refused(OrderStateConflict, action)
        else:
            assert action().status == DELIVERED
            order.status, order.confirm_by = DELIVERED, self.now + AUTO_CONFIRM

    def confirm(self, pick: tuple[bool, int], intruder: bool) -> None:
        order = self._pick(pick, DELIVERED)
        actor = self.shoppers[1 - order.buyer if intruder else order.buyer]

        def action() -> OrderView:
            return confirm_receipt(self.uow, actor=actor, order_id=order.id)

        if intruder or order is GHOST:
            self._refused(OrderNotFound, action)
        elif order.status == DELIVERED and order.return_open:
            self._refused(ReturnPending, action)
        elif order.status != DELIVERED:
            self._refused(OrderStateConflict, action)
        else:
            assert action().status == COMPLETED
            self._settle(order)

    def refund(
        self, pick: tuple[bool, int], intruder: bool, whole: bool, asked: list[tuple[int, int]]
    ) -> None:
        """Whole or per line; before shipment at once, after it a return for the merchant."""
        order = self._pick(pick, PAID, SHIPPED, DELIVERED)
        actor = self.shoppers[1 - order.buyer if intruder else order.buyer]
        wanted = {i % len(order.lines): n for i, n in asked}
        if whole:
            wanted = {i: line.left for i, line in enumerate(order.lines) if line.left > 0}
        lines = None if whole else {order.lines[i].id: n for i, n in wanted.items()}

        def action() -> RefundView:
            return request_refund(self.uow, actor=actor, order_id=order.id, lines=lines)

        error: type[Exception] | None = None
        if intruder or order is GHOST:
            error = OrderNotFound
        elif order.status not in (PAID, SHIPPED, DELIVERED):
            error = OrderStateConflict
        elif order.status != PAID and order.return_open:
            error = ReturnPending
        else:
            for i, n in wanted.items():  # checked line by line, in the order asked
                if n < 1 or n > order.lines[i].left:
                    error = InvalidInput if n < 1 else RefundTooLarge
                    break
            if not wanted:
                error = RefundTooLarge
        if error is not None:
            self._refused(error, action)
            return
        view = action()
        amount = sum(order.lines[i].price * n for i, n in wanted.items())
        kind = "refund" if order.status == PAID else "return"
        assert (view.amount, view.kind) == (amount, kind)
        if kind == "refund":  # the goods never left: money and stock back at once
            assert view.status == "refunded"
            for i, n in wanted.items():
                order.lines[i].refunded += n
            self._release([order.lines[i] for i in wanted], wanted.values())
            self._pay_back(order, amount)
        else:  # the merchant decides
            assert view.status == "requested"
            for i, n in wanted.items():
                order.lines[i].returning += n
            order.return_open = True
            # the relay issues the return's label at once, the cheapest carrier's, billed to the
            # store (the shoppers live in Zhejiang, the stores ship from Shanghai)
            self._relay()
            weight = sum(n for n in wanted.values()) * 500
            self.freight[order.store] += min(
                quote.price
                for carrier in carriers.CARRIERS.values()
                if not carrier.fleet and (quote := carrier.quote(carriers.SAME_AREA, weight))
            )
            answer_by = self.now + RETURN_ANSWER
            self.returns.append(Return(view.id, order, wanted, amount, answer_by=answer_by))

    def decide_return(self, index: int, accept: bool, intruder: bool, decided_too: bool) -> None:
        """The merchant accepts (money back, goods back on sale) or rejects a return; deciding
        one again, or another store's, is refused."""
        pool = [r for r in self.returns if r.status == "requested" or decided_too]
        pool = pool or self.returns
        decide = accept_return if accept else reject_return
        if not pool:
            self._refused(
                RefundNotFound,
                lambda: decide(self.uow, actor=self.merchants[0], refund_id=NOWHERE),
            )
            return
        ret = pool[index % len(pool)]
        order = ret.order
        actor = self.merchants[1 - order.store if intruder else order.store]

        def action() -> RefundView:
            return decide(self.uow, actor=actor, refund_id=ret.id)

        if intruder or ret.status != "requested":
            self._refused(RefundNotFound if intruder else RefundDecided, action)
            return
        assert action().status == ("accepted" if accept else "rejected")
        self._decided(ret, accept=accept)

    def _decided(self, ret: Return, *, accept: bool) -> None:
        order = ret.order
        ret.status = "accepted" if accept else "rejected"
        order.return_open = False
        for i, n in ret.lines.items():
            line = order.lines[i]
            line.returning -= n
            if accept:
                line.refunded += n
                line.returned += n
                self.available[line.sku] += n
        if accept:
            self._pay_back(order, ret.amount)

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def the_ledger_replays(self) -> None:
        report = ledger.check(self.uow)
        assert report.ok, "\n".join(report.problems)

    @invariant()
    def money_is_where_the_model_says(self) -> None:
        escrow = sum(
            o.total - o.refunded for o in self.orders if o.status in (PAID, SHIPPED, DELIVERED)
        )
        assert ledger.total_balance(self.uow, owner_type="platform", kind="escrow") == escrow
        with self.uow.read() as session:
            rows = session.execute(
                select(Account.owner_type, Account.owner_id, Account.kind, Account.balance)
            ).all()
        held: dict[tuple[str, uuid.UUID | None, str], int] = {}
        for owner_type, owner_id, kind, balance in rows:
            for key in ((owner_type, owner_id, kind), (owner_type, None, kind)):
                held[key] = held.get(key, 0) + balance
        wallets = [held.get(("user", s.user_id, "wallet"), 0) for s in self.shoppers]
        assert wallets == self.wallets
        assert held.get(("user", None, "wallet"), 0) == sum(self.wallets)  # nobody else's
        settled = [held.get(("store", s, "settlement"), 0) for s in self.store_ids]
        commission = held.get(("platform", None, "commission"), 0)
        assert (settled, commission) == (self.settled, self.commission)
        freight = [-held.get(("store", s, "freight"), 0) for s in self.store_ids]
        assert freight == self.freight
        gross = sum(o.total - o.refunded for o in self.orders if o.status == COMPLETED)
        assert sum(settled) + commission + self.freight_paid == gross
        assert held.get(("platform", None, "gateway:sandbox"), 0) == self.bank
        assert held.get(("platform", None, "withdrawals"), 0) == 0

    @invariant()
    def stock_and_orders_are_where_the_model_says(self) -> None:
        with self.uow.read() as session:
            stock = {
                row.sku_id: (row.available, row.reserved)
                for row in session.scalars(select(inventory.Stock))
            }
            orders = {
                o.id: (o.status, o.paid_amount, o.refunded_amount, o.return_open)
                for o in session.scalars(select(OrderRow))
            }
            lines = {
                line.id: (line.refunded_quantity, line.returning_quantity)
                for line in session.scalars(select(OrderLine))
            }
        held = [0] * len(SKUS)  # units in orders that are pending_payment or paid
        out = [0] * len(SKUS)  # units shipped and not returned
        for order in self.orders:
            for line in order.lines:
                if order.status in (PENDING, PAID):
                    held[line.sku] += line.quantity - line.refunded
                out[line.sku] += line.shipped - line.returned
        for n, (*_, initial) in enumerate(SKUS):
            available, reserved = stock[self.sku_ids[n]]
            assert (available, reserved) == (self.available[n], self.reserved[n])
            assert reserved == held[n]
            assert available + reserved + out[n] == initial
        unpaid = {PENDING: 0, CANCELLED: 0}
        assert orders == {
            o.id: (o.status, unpaid.get(o.status, o.total), o.refunded, o.return_open)
            for o in self.orders
        }
        assert lines == {
            line.id: (line.refunded, line.returning) for o in self.orders for line in o.lines
        }


def test_random_shopping_days_keep_money_and_stock_exact(db: Database) -> None:
    run_state_machine_as_test(
        lambda: ShoppingDays(db),
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        ),
    )
