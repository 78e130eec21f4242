"""The assistant in the chat, through the real send path: nothing read or stored without consent;
the state changes turn by turn and its cards reach the writer alone; a part removed, a
conversation forgotten, the switch off deleting everything; group chats; refusals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from agora import catalog, chat, privacy, recommendations
from agora.assistant import chips, handlers, service
from agora.assistant.errors import UnknownPart
from agora.assistant.models import AssistantState
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.events import Event
from agora.core.uow import UnitOfWork
from assistant.coats import (
    RED_COATS,
    Shop,
    assistant_events,
    behaviour_events,
    open_shop,
    reading,
    say,
    states,
)
from chat.world import Recorder


@pytest.fixture
def shop(uow: UnitOfWork) -> Shop:
    return open_shop(uow)


@pytest.fixture
def recorder(db: Database) -> Any:
    recorder = Recorder()
    with reading(lambda: recorder.uow(db)):
        yield recorder


def switch_on(uow: UnitOfWork, shop: Shop) -> None:
    service.set_enabled(uow, actor=shop.alice, enabled=True)


def prices(view: service.AssistantView) -> list[int]:
    return [card.price for card in view.cards]


def colours(view: service.AssistantView) -> set[str]:
    return {card.colour for card in view.cards}


def keys(view: service.AssistantView) -> list[str]:
    return [chip.key for chip in view.parts]


def panel(uow: UnitOfWork, shop: Shop, conversation_id: uuid.UUID) -> service.AssistantView:
    return service.assistant_view(uow, actor=shop.alice, conversation_id=conversation_id)


def test_without_consent_nothing_is_read_or_stored(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    for words in ("I want to buy a coat", "I like red", "too expensive", "我想买件外套"):
        say(recorder.uow(db), shop.alice, shop.direct, words)

    assert states(db) == 0
    assert behaviour_events(db) == 0
    assert assistant_events(recorder) == []
    view = panel(uow, shop, shop.direct)
    assert (view.enabled, view.parts, view.cards) == (False, (), ())


def test_the_state_changes_turn_by_turn_and_only_the_writer_hears_of_it(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    recorder.events.clear()
    coat_ids = set(shop.coats)

    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    first = panel(uow, shop, shop.direct)
    assert keys(first) == ["category"]
    assert [chip.label_en for chip in first.parts] == ["Coats"]
    assert len(first.cards) == 6
    assert {card.product_id for card in first.cards} <= coat_ids

    say(recorder.uow(db), shop.alice, shop.direct, "I like red")
    second = panel(uow, shop, shop.direct)
    assert keys(second) == ["category", "colour:red"]
    assert [chip.label_en for chip in second.parts] == ["Coats", "red"]
    assert colours(second) == {"red"}
    assert sorted(prices(second)) == RED_COATS

    say(recorder.uow(db), shop.alice, shop.direct, "too expensive")
    third = panel(uow, shop, shop.direct)
    assert keys(third) == ["category", "colour:red", "max_price"]
    # Below the median of the six shown (¥399): the last whole yuan under it, ¥398.
    assert third.parts[-1].label_en == "under ¥398"
    assert colours(third) == {"red"}
    assert sorted(prices(third)) == [19900, 29900]
    assert max(prices(third)) < max(prices(second))

    with db.read_session() as session:
        row = session.get(AssistantState, (shop.alice.user_id, shop.direct))
        assert row is not None
        assert row.preferences["colours"] == ["red"]
        assert row.preferences["max_price"] == 39800
        assert sorted(row.shown_prices) == [19900, 29900]

    # Three turns, three pushes, each to Alice's own topic with that turn's cards.
    pushed = assistant_events(recorder)
    assert [topic for topic, _ in pushed] == [f"user:{shop.alice.user_id}"] * 3
    assert [len(event["cards"]) for _, event in pushed] == [6, 6, 2]  # type: ignore[arg-type]
    assert all(event["conversation_id"] == str(shop.direct) for _, event in pushed)
    # The conversation's topic carried the three messages and nothing of the assistant.
    assert [e["type"] for t, e in recorder.events if t.startswith("conv:")] == ["message"] * 3
    assert not any(t == f"user:{shop.bob.user_id}" for t, _ in recorder.events)


def test_chinese_turns_reach_the_same_state(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    for words in ("我想买件外套", "我喜欢红色", "太贵了"):
        say(recorder.uow(db), shop.alice, shop.direct, words)

    view = panel(uow, shop, shop.direct)
    assert keys(view) == ["category", "colour:red", "max_price"]
    assert [chip.label_zh for chip in view.parts][:1] == ["外套"]
    assert sorted(prices(view)) == [19900, 29900]


def test_small_talk_changes_nothing(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    with db.read_session() as session:
        before = session.get(AssistantState, (shop.alice.user_id, shop.direct))
        assert before is not None
        stamp = (dict(before.preferences), list(before.shown_prices), before.updated_at)
    recorder.events.clear()

    for words in ("haha see you at 8", "红包收到了，谢谢", "ok"):
        say(recorder.uow(db), shop.alice, shop.direct, words)

    with db.read_session() as session:
        after = session.get(AssistantState, (shop.alice.user_id, shop.direct))
        assert after is not None
        assert (dict(after.preferences), list(after.shown_prices), after.updated_at) == stamp
    assert assistant_events(recorder) == []


def test_the_friend_writing_is_not_read_and_sees_nothing(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    say(recorder.uow(db), shop.bob, shop.direct, "I like red coats too")

    with db.read_session() as session:
        owners = session.scalars(select(AssistantState.user_id)).all()
    assert owners == [shop.alice.user_id]
    friend = service.assistant_view(uow, actor=shop.bob, conversation_id=shop.direct)
    assert (friend.enabled, friend.parts, friend.cards) == (False, (), ())
    assert keys(panel(uow, shop, shop.direct)) == ["category"]


def test_removing_a_part_brings_other_colours_back(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    for words in ("I want to buy a coat", "I like red"):
        say(recorder.uow(db), shop.alice, shop.direct, words)
    recorder.events.clear()

    view = service.remove_part(
        recorder.uow(db), actor=shop.alice, conversation_id=shop.direct, part="colour:red"
    )

    assert keys(view) == ["category"]
    assert len(colours(view)) > 1
    assert keys(panel(uow, shop, shop.direct)) == ["category"]
    assert [t for t, _ in assistant_events(recorder)] == [f"user:{shop.alice.user_id}"]
    with pytest.raises(UnknownPart):
        service.remove_part(uow, actor=shop.alice, conversation_id=shop.direct, part="colour:red")
    with pytest.raises(UnknownPart):
        service.remove_part(uow, actor=shop.alice, conversation_id=shop.direct, part="size")


def test_a_negation_and_its_removal(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "a coat, but not red")
    view = panel(uow, shop, shop.direct)
    assert keys(view) == ["category", "not:red"]
    assert "red" not in colours(view)

    after = service.remove_part(uow, actor=shop.alice, conversation_id=shop.direct, part="not:red")
    assert keys(after) == ["category"]


def test_forgetting_a_conversation_keeps_the_others(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    say(recorder.uow(db), shop.alice, shop.group, "looking for a dress")

    view = service.forget_conversation(uow, actor=shop.alice, conversation_id=shop.direct)

    assert (view.enabled, view.parts, view.cards) == (True, (), ())
    assert states(db) == 1
    assert keys(panel(uow, shop, shop.group)) == ["category"]


def test_switching_off_deletes_every_inference(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    say(recorder.uow(db), shop.alice, shop.group, "我想买连衣裙")
    assert states(db) == 2
    recorder.events.clear()

    service.set_enabled(recorder.uow(db), actor=shop.alice, enabled=False)

    assert states(db) == 0
    assert (f"user:{shop.alice.user_id}", {"type": "assistant_switched", "enabled": False}) in (
        recorder.events
    )
    # Off: the next messages are not read.
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    assert states(db) == 0
    assert panel(uow, shop, shop.direct).enabled is False


def test_a_consent_withdrawn_elsewhere_deletes_through_its_event(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    # The privacy page withdraws the consent itself; the assistant hears of it by its event.
    privacy.set_consent(uow, actor=shop.alice, kind=privacy.CHAT_ASSISTANT, granted=False)
    event = Event(
        id=uuid.uuid4(),
        event_type=privacy.CONSENT_CHANGED,
        payload={
            "user_id": str(shop.alice.user_id),
            "kind": privacy.CHAT_ASSISTANT,
            "granted": False,
        },
        topics=(),
        created_at=shop_now(),
    )
    with uow:
        handlers.forget_when_withdrawn(uow, event)
    assert states(db) == 0
    with uow:
        handlers.forget_when_withdrawn(uow, event)  # idempotent
    assert states(db) == 0


def shop_now() -> Any:
    from agora.core.clock import utcnow

    return utcnow()


def test_group_chats_keep_a_state_per_conversation(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    service.set_enabled(uow, actor=shop.carol, enabled=True)
    say(recorder.uow(db), shop.alice, shop.group, "I want to buy a coat")
    say(recorder.uow(db), shop.carol, shop.group, "I like red dresses")
    say(recorder.uow(db), shop.alice, shop.direct, "我想买连衣裙")
    recorder.events.clear()
    say(recorder.uow(db), shop.alice, shop.group, "black please")

    assert keys(panel(uow, shop, shop.group)) == ["category", "colour:black"]
    assert colours(panel(uow, shop, shop.group)) == {"black"}
    assert keys(panel(uow, shop, shop.direct)) == ["category"]
    carol = service.assistant_view(uow, actor=shop.carol, conversation_id=shop.group)
    assert keys(carol) == ["category", "colour:red"]
    assert {card.title_en for card in carol.cards} == {"Red Dress"}
    # Only Alice heard of her turn: not Bob, not Carol, not the group.
    assert [t for t, _ in assistant_events(recorder)] == [f"user:{shop.alice.user_id}"]


def test_nobody_reaches_a_conversation_they_are_not_in(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    service.set_enabled(uow, actor=shop.carol, enabled=True)
    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a red coat")
    before = states(db)

    for attempt in (
        lambda: service.assistant_view(uow, actor=shop.carol, conversation_id=shop.direct),
        lambda: service.remove_part(
            uow, actor=shop.carol, conversation_id=shop.direct, part="colour:red"
        ),
        lambda: service.forget_conversation(uow, actor=shop.carol, conversation_id=shop.direct),
        lambda: service.assistant_view(uow, actor=shop.alice, conversation_id=uuid.uuid4()),
    ):
        with pytest.raises(chat.ConversationNotFound):
            attempt()

    assert states(db) == before
    assert keys(panel(uow, shop, shop.direct)) == ["category", "colour:red"]


def test_preferences_survive_the_row(shop: Shop) -> None:
    from agora.assistant.domain import Preferences

    preferences = Preferences(
        category="coats",
        colours=frozenset({"red", "blue"}),
        excluded_colours=frozenset({"black"}),
        size="L",
        max_price=42000,
        min_price=10000,
    )
    stored = chips.dump_preferences(preferences)
    assert stored["colours"] == ["blue", "red"]
    assert chips.load_preferences(stored) == preferences
    assert chips.load_preferences({}) == Preferences()


def test_with_no_budget_named_the_cards_stay_within_the_usual_spend(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder
) -> None:
    switch_on(uow, shop)
    # Alice bought two coats, at ¥259 and ¥279: that is what she usually spends on one.
    bought = [pid for pid, (_, price) in shop.coats.items() if price in (25900, 27900)]
    with uow:
        for product_id, amount in zip(bought, (25900, 27900), strict=True):
            uow.session.add(
                recommendations.BehaviourEvent(
                    user_id=shop.alice.user_id,
                    kind=recommendations.PURCHASE,
                    product_id=product_id,
                    amount=amount,
                    occurred_at=utcnow(),
                )
            )
    with uow.read() as session:
        level = recommendations.price_level_for(session, shop.alice.user_id, coats_id(uow))
    assert level is not None

    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a coat")
    view = panel(uow, shop, shop.direct)
    assert view.usual_max == level.typical_max
    assert view.cards and max(prices(view)) <= level.typical_max

    # A budget she names herself wins over the usual one.
    say(recorder.uow(db), shop.alice, shop.direct, "under 700")
    named = panel(uow, shop, shop.direct)
    assert named.usual_max is None
    assert max(prices(named)) > level.typical_max


def test_when_nothing_fits_the_usual_spend_the_whole_range_shows(
    db: Database, uow: UnitOfWork, shop: Shop, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch_on(uow, shop)
    cheap = recommendations.PriceLevel(percentile=0.0, typical_max=100, basis=1, low=100, high=100)
    monkeypatch.setattr(recommendations, "price_level_for", lambda *_: cheap)

    say(recorder.uow(db), shop.alice, shop.direct, "I want to buy a red coat")

    view = panel(uow, shop, shop.direct)
    assert view.usual_max is None
    assert sorted(prices(view)) == RED_COATS


def coats_id(uow: UnitOfWork) -> uuid.UUID:
    with uow.read() as session:
        found = session.scalar(select(catalog.Category.id).where(catalog.Category.slug == "coats"))
    assert found is not None
    return found
