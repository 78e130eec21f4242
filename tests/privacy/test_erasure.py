"""Delete my account: nothing personal left in any table, every record others rely on kept, the
ledger still replaying; refused with a wrong password or while business is open."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import factories
from agora import identity, ledger, ordering, privacy, reviews
from agora.chat.models import MessageRow
from agora.core.uow import UnitOfWork
from agora.identity import User
from privacy.world import build_life, drain, every_value, say


def test_an_erased_account_leaves_no_personal_value_in_any_table(uow: UnitOfWork) -> None:
    life = build_life(uow)
    yingtai, shanbo = life.yingtai, life.shanbo
    # A failed sign-in names the account in the audit log and the throttle.
    with pytest.raises(identity.InvalidCredentials):
        identity.sign_in(
            uow, identifier=yingtai.values["email"], password="wrong one", client=factories.CLIENT
        )
    privacy.request_export(uow, actor=yingtai.actor)
    drain(uow)
    # The walk would see each value: before the erasure, every one is somewhere.
    before = every_value(uow)
    assert {
        n for n, v in yingtai.values.items() if any(v in value for _, _, value in before)
    } == set(yingtai.values)

    # A last message just before the erasure, with whatever it left for the relay undelivered.
    say(uow, yingtai, life.conversation_id, "Last words before I leave Agora")
    yingtai.values["last message"] = "Last words before I leave Agora"

    privacy.erase_account(uow, actor=yingtai.actor, password=factories.PASSWORD)
    drain(uow)

    leaks = [
        (table, column, name)
        for table, column, value in every_value(uow)
        for name, personal in yingtai.values.items()
        if personal in value
    ]
    assert leaks == []
    # The friend's own words are untouched.
    assert any(shanbo.values["message"] in value for _, _, value in every_value(uow))
    assert ledger.check(uow).ok

    with uow.read() as session:
        user = session.get(User, yingtai.user.id)
        assert user is not None
        assert (user.display_name, user.phone, user.password_hash, user.status) == (
            "Deleted user",
            None,
            None,
            "erased",
        )
        order = session.get(ordering.Order, yingtai.order_id)
        assert order is not None and order.status == "completed"
        assert order.ship_to is not None
        assert (order.ship_to["recipient"], order.ship_to["city"]) == ("Deleted user", "Hangzhou")
        written = session.execute(
            select(MessageRow.seq, MessageRow.recalled_at).where(
                MessageRow.sender_id == yingtai.user.id
            )
        ).all()
        assert len(written) == 2 and all(w.recalled_at is not None for w in written)
        assert (
            session.scalar(
                select(func.count())
                .select_from(privacy.ConsentLogEntry)
                .where(privacy.ConsentLogEntry.user_id == yingtai.user.id)
            )
            == 1
        )
    # The store's score keeps the rating; the words are gone.
    rating = reviews.product_rating(uow, life.world.coat.product.id)
    assert (rating.count, rating.average) == (1, 4.0)
    with pytest.raises(identity.InvalidCredentials):
        identity.sign_in(
            uow,
            identifier=yingtai.values["email"],
            password=factories.PASSWORD,
            client=factories.CLIENT,
        )


def test_a_wrong_password_or_open_business_refuses_and_changes_nothing(uow: UnitOfWork) -> None:
    life = build_life(uow)
    yingtai, world = life.yingtai, life.world
    with pytest.raises(privacy.WrongPassword):
        privacy.erase_account(uow, actor=yingtai.actor, password="not my password")

    factories.fund_wallet(uow, yingtai.user, 50_000)
    [order] = ordering.place_orders(
        uow, actor=yingtai.actor, lines=[ordering.LineRequest(world.black_coat, 1)]
    )
    with pytest.raises(privacy.AccountInUse) as refused:
        privacy.erase_account(uow, actor=yingtai.actor, password=factories.PASSWORD)
    assert refused.value.reasons == ["open_orders", "wallet_balance"]

    merchant = factories.principal(world.buyer_user)
    with pytest.raises(privacy.AccountInUse) as staff:
        privacy.erase_account(uow, actor=world.merchant_a, password=factories.PASSWORD)
    assert staff.value.reasons == ["store_staff"]
    assert merchant.user_id != world.merchant_a.user_id

    with uow.read() as session:
        user = session.get(User, yingtai.user.id)
        assert user is not None and user.display_name == "Zhu Yingtai"
        assert session.get(ordering.Order, order.id) is not None
