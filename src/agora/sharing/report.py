"""The operators' share report: new users, orders and GMV per channel and per sharer.

"What share of our new users came from chat?" is answered from the attributions (one row per
credited sign-up or order), with shares made and visits in the same period alongside. GMV is
summed in the platform currency: every order is in it today.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.errors import N_, InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User, require_operator
from agora.sharing import domain
from agora.sharing.models import Attribution, Share, ShareVisit

MAX_DAYS = 366
TOP_SHARERS = 50


@dataclass(slots=True)
class ReportRow:
    key: str
    """The channel, or the sharer's user id."""
    label: str = ""
    shares: int = 0
    visits: int = 0
    new_users: int = 0
    orders: int = 0
    gmv: int = 0


@dataclass(frozen=True, slots=True)
class ShareReport:
    days: int
    since: datetime
    until: datetime
    currency: str
    channels: list[ReportRow]
    """Every channel, in a fixed order, zeros included."""
    sharers: list[ReportRow]
    """The top sharers by GMV, then orders, then new users."""
    total: ReportRow = field(default_factory=lambda: ReportRow("all"))

    def share_of_new_users(self, channel: str) -> float:
        """The fraction of attributed new users that came from ``channel``."""
        row = next((r for r in self.channels if r.key == channel), None)
        return row.new_users / self.total.new_users if row and self.total.new_users else 0.0


def share_report(uow: UnitOfWork, *, actor: Principal, days: int = 30) -> ShareReport:
    """The report over the last ``days`` days. Raises Forbidden for anyone but operators."""
    require_operator(actor)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            N_("The period is 1 to 366 days."), errors=[{"field": "days", "message": "1 to 366"}]
        )
    until = utcnow()
    since = until - timedelta(days=days)
    channels = {c: ReportRow(c) for c in domain.CHANNELS}
    sharers: dict[str, ReportRow] = defaultdict(lambda: ReportRow(""))
    with uow.read() as session:
        made = session.execute(
            select(Share.channel, Share.sharer_id, func.count())
            .where(Share.created_at >= since, Share.created_at <= until)
            .group_by(Share.channel, Share.sharer_id)
        ).all()
        visited = session.execute(
            select(Share.channel, Share.sharer_id, func.count())
            .join(ShareVisit, ShareVisit.share_id == Share.id)
            .where(ShareVisit.created_at >= since, ShareVisit.created_at <= until)
            .group_by(Share.channel, Share.sharer_id)
        ).all()
        credited = session.execute(
            select(
                Attribution.channel,
                Attribution.sharer_id,
                Attribution.kind,
                func.count(),
                func.sum(Attribution.amount),
            )
            .where(Attribution.occurred_at >= since, Attribution.occurred_at <= until)
            .group_by(Attribution.channel, Attribution.sharer_id, Attribution.kind)
        ).all()
        for channel, sharer_id, n in made:
            for row in (channels.setdefault(channel, ReportRow(channel)), sharers[str(sharer_id)]):
                row.shares += n
        for channel, sharer_id, n in visited:
            for row in (channels.setdefault(channel, ReportRow(channel)), sharers[str(sharer_id)]):
                row.visits += n
        for channel, sharer_id, kind, n, amount in credited:
            for row in (channels.setdefault(channel, ReportRow(channel)), sharers[str(sharer_id)]):
                if kind == domain.SIGNUP:
                    row.new_users += n
                else:
                    row.orders += n
                    row.gmv += int(amount or 0)
        for key, row in sharers.items():
            row.key = key
        top = sorted(
            sharers.values(), key=lambda r: (-r.gmv, -r.orders, -r.new_users, -r.visits, r.key)
        )[:TOP_SHARERS]
        names = dict(
            session.execute(
                select(User.id, User.display_name).where(
                    User.id.in_([uuid.UUID(r.key) for r in top])
                )
            ).all()
        )
    for row in top:
        row.label = names.get(uuid.UUID(row.key), "")
    total = ReportRow("all")
    for row in channels.values():
        total.shares += row.shares
        total.visits += row.visits
        total.new_users += row.new_users
        total.orders += row.orders
        total.gmv += row.gmv
    return ShareReport(
        days=days,
        since=since,
        until=until,
        currency=get_settings().default_currency,
        channels=list(channels.values()),
        sharers=top,
        total=total,
    )
