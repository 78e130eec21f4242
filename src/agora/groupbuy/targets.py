"""Teams as share targets: a card with the product, the group price and where the team stands
("Team of 3 · 2 places left"); a visit to the share lands on the team's page."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from agora import catalog, sharing
from agora.core.clock import utcnow
from agora.groupbuy import domain
from agora.groupbuy.models import GroupDeal, GroupTeam

TEAM = "team"


class TeamTarget:
    def page_url(self, target_id: uuid.UUID) -> str:
        return f"/teams/{target_id}"

    def cards(
        self, session: Session, target_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, sharing.TargetCard]:
        """Cards of teams whose product is on sale (the teams anyone may see)."""
        if not target_ids:
            return {}
        rows = session.execute(
            select(GroupTeam, GroupDeal, catalog.Product)
            .join(GroupDeal, GroupDeal.id == GroupTeam.deal_id)
            .join(catalog.Product, catalog.Product.id == GroupDeal.product_id)
            .join(catalog.Store, catalog.Store.id == catalog.Product.store_id)
            .where(
                GroupTeam.id.in_(set(target_ids)),
                *catalog.on_sale(),
            )
        ).all()
        now = utcnow()
        cards = {}
        for team, deal, product in rows:
            label_en, label_zh = domain.team_labels(
                team.status, team.size, team.joined, expired=team.expires_at <= now
            )
            cards[team.id] = sharing.TargetCard(
                title_en=product.title_en,
                title_zh=product.title_zh,
                price=deal.group_price,
                currency=deal.currency,
                image_url=product.image_url,
                label_en=label_en,
                label_zh=label_zh,
            )
        return cards


sharing.register_target(TEAM, TeamTarget())
