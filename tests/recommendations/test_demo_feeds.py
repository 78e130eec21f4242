"""The demo trains its recommenders after its behaviour events: Lin Mei's home page has picks
of her own and what two friends bought and shared, and a product she looked at has similar
items, on the first run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import factories
from agora.core.uow import UnitOfWork
from agora.demo.recs import train_demo
from agora.demo.seed import seed
from agora.identity import User
from agora.recommendations import VIEW, BehaviourEvent, feeds
from agora.recommendations.serving import STORE


@pytest.fixture
def store_closed() -> Iterator[None]:
    yield
    STORE.close()


def test_the_demo_shoppers_have_personal_feeds(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_closed: None
) -> None:
    factories.demo_with(monkeypatch, "seed_behaviour")
    seed(uow)
    path = tmp_path / "recs" / "model.npz"

    summary = train_demo(uow, path)

    # Chosen by validation: on the few products a test lists, popularity may well win.
    assert summary["recommender"] in ("popularity", "item_knn", "ease")
    assert summary["recommender_shoppers"] > 200
    STORE.open(path)
    with uow.read() as session:
        lin = session.scalar(select(User).where(User.email == "shopper@agora.demo"))
        assert lin is not None
        viewed = session.scalar(
            select(BehaviourEvent.product_id)
            .where(BehaviourEvent.user_id == lin.id, BehaviourEvent.kind == VIEW)
            .order_by(BehaviourEvent.occurred_at.desc())
            .limit(1)
        )
        assert viewed is not None
        mine = feeds.guess_you_like(lin.id, 12, session=session)
        similar = feeds.similar_items(viewed, 8, session=session)
        friends = feeds.friends_bought(session, lin.id)
    assert len(mine) >= 5  # of the few products a test lists, not all she has bought
    assert {r.reason_code for r in mine} & {feeds.BECAUSE_VIEWED, feeds.BECAUSE_BOUGHT}
    assert similar and similar[0].reason_code == feeds.SIMILAR
    assert summary["purchases_shared_with_friends"] == 2
    assert {r.reason_args["name"] for r in friends} == {"Chen Jing 陈静", "Wang Lei 王磊"}
    assert train_demo(uow, path)["purchases_shared_with_friends"] == 0  # once only
