"""The sharing tests' world and the moves they make: share, visit, sign up, buy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

import factories
from agora import catalog, ordering, sharing
from agora.core.events import OutboxRelay
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from agora.sharing.domain import new_visitor_id


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    store: catalog.Store
    coat: catalog.ProductDetail  # red M ¥299.00 ×50
    alice: User
    bob: User
    carol: User

    def share(self, user: User, channel: str = "external") -> sharing.ShareView:
        return sharing.create_share(
            self.uow,
            actor=factories.principal(user),
            target_type="product",
            target_id=self.coat.product.id,
            channel=channel,
        ).share

    def visit(
        self, share: sharing.ShareView, *, visitor: str | None = None, user: User | None = None
    ) -> str:
        """A click on the share's link; returns the visitor id used."""
        visitor = visitor or new_visitor_id()
        sharing.record_visit(
            self.uow, code=share.code, visitor_id=visitor, user_id=user.id if user else None
        )
        return visitor

    def sign_up(self, visitor: str | None, name: str = "Newcomer") -> User:
        user = factories.make_user(self.uow, name=name)
        sharing.attribute_signup(self.uow, user_id=user.id, visitor_id=visitor)
        return user

    def buy(self, user: User, quantity: int = 1) -> ordering.OrderView:
        """``user`` buys red coats and pays from a wallet topped up for it; events delivered."""
        factories.fund_wallet(self.uow, user, 29900 * quantity)
        buyer = factories.principal(user)
        [order] = ordering.place_orders(
            self.uow,
            actor=buyer,
            lines=[ordering.LineRequest(self.coat.skus[0].id, quantity)],
        )
        ordering.pay_orders(
            self.uow,
            actor=buyer,
            order_ids=[order.id],
            sources=[ordering.SourceRequest("wallet")],
        )
        self.deliver()
        return order

    def deliver(self) -> int:
        return OutboxRelay(self.uow.db).run_sync_until_idle()

    def attributions(self, kind: str) -> list[tuple[Any, ...]]:
        """(subject, share code, channel, sharer, user, amount) of each credited kind."""
        with self.uow.read() as session:
            rows = session.execute(
                select(
                    sharing.Attribution.subject_id,
                    sharing.Share.code,
                    sharing.Attribution.channel,
                    sharing.Attribution.sharer_id,
                    sharing.Attribution.user_id,
                    sharing.Attribution.amount,
                )
                .join(sharing.Share, sharing.Share.id == sharing.Attribution.share_id)
                .where(sharing.Attribution.kind == kind)
                .order_by(sharing.Attribution.created_at)
            ).all()
        return [tuple(row) for row in rows]

    def count(self, model: Any) -> int:
        with self.uow.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def share_row(self, share_id: uuid.UUID) -> sharing.Share:
        with self.uow.read() as session:
            row = session.get(sharing.Share, share_id)
            assert row is not None
            return row


def befriend(uow: UnitOfWork, one: User, other: User) -> None:
    from agora import social

    asked = social.send_request(uow, actor=factories.principal(one), to_user_id=other.id)
    social.accept_request(uow, actor=factories.principal(other), request_id=asked.id)
