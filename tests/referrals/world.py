"""The referral tests' world and the moves they make: share, click, sign up, complete orders,
let the relay deliver ordering's events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

import factories
from agora import catalog, ordering, points, referrals, sharing
from agora.core.events import OutboxRelay
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.sharing.domain import new_visitor_id

PRICE = 29900


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    merchant: Principal
    coat: catalog.ProductDetail  # red M ¥299.00 ×50
    alice: User
    bob: User

    def share(self, user: User) -> sharing.ShareView:
        return sharing.create_share(
            self.uow,
            actor=factories.principal(user),
            target_type="product",
            target_id=self.coat.product.id,
            channel="external",
        ).share

    def click(
        self,
        share: sharing.ShareView,
        *,
        visitor: str | None = None,
        user: User | None = None,
        ip: str | None = None,
    ) -> str:
        """A click on the share's link from a browser (and an address hash); returns the
        browser's visitor id."""
        visitor = visitor or new_visitor_id()
        sharing.record_visit(
            self.uow,
            code=share.code,
            visitor_id=visitor,
            user_id=user.id if user else None,
            ip_hash=ip,
        )
        return visitor

    def sign_up(self, visitor: str | None, name: str = "Newcomer") -> User:
        """A new account made in the browser ``visitor`` (credited to its first click)."""
        user = factories.make_user(self.uow, name=name)
        sharing.attribute_signup(self.uow, user_id=user.id, visitor_id=visitor)
        return user

    def referred(self, name: str = "Newcomer", *, ip: str | None = None) -> User:
        """Someone clicks Alice's link in a fresh browser and signs up there."""
        return self.sign_up(self.click(self.share(self.alice), ip=ip), name)

    def paid_order(self, user: User) -> ordering.OrderView:
        factories.fund_wallet(self.uow, user, PRICE)
        buyer = factories.principal(user)
        [order] = ordering.place_orders(
            self.uow, actor=buyer, lines=[ordering.LineRequest(self.coat.skus[0].id, 1)]
        )
        ordering.pay_orders(
            self.uow, actor=buyer, order_ids=[order.id], sources=[ordering.SourceRequest("wallet")]
        )
        return order

    def complete(self, order: ordering.OrderView) -> ordering.OrderView:
        """Ship, deliver and confirm a paid order; then the relay delivers the events."""
        ordering.ship_order(
            self.uow, actor=self.merchant, order_id=order.id, tracking_number="SF0001"
        )
        ordering.mark_delivered(self.uow, actor=self.merchant, order_id=order.id)
        buyer = Principal(user_id=order.buyer_id, display_name="")
        done = ordering.confirm_receipt(self.uow, actor=buyer, order_id=order.id)
        self.deliver()
        return done

    def buy(self, user: User) -> ordering.OrderView:
        """``user`` buys a coat and the order goes all the way to completed."""
        return self.complete(self.paid_order(user))

    def deliver(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def rewards(self) -> list[tuple[Any, ...]]:
        """(referee, referrer, order, points, status, reasons) of every reward, oldest first."""
        with self.uow.read() as session:
            rows = session.scalars(
                select(referrals.ReferralReward).order_by(referrals.ReferralReward.created_at)
            ).all()
        return [
            (r.referee_id, r.referrer_id, r.order_id, r.points, r.status, list(r.reasons))
            for r in rows
        ]

    def reward_id(self, referee: User) -> Any:
        with self.uow.read() as session:
            found = session.scalar(
                select(referrals.ReferralReward.id).where(
                    referrals.ReferralReward.referee_id == referee.id
                )
            )
        assert found is not None
        return found

    def points(self, user: User) -> int:
        return points.summary(self.uow, user_id=user.id).active

    def count(self, model: Any) -> int:
        with self.uow.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
