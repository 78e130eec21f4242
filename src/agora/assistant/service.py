"""The assistant's use cases: read a message a shopper sent, show what was understood with its
cards, remove one part, forget a conversation, switch the assistant on or off.

Only with the shopper's ``privacy.CHAT_ASSISTANT`` consent: without it a message is not
interpreted and nothing is stored. What was understood is stored per shopper and conversation
(``assistant_states``) and pushed to the shopper's own topic ``user:{id}`` — never the
conversation's, so the people they chat with never see it. Every use case a person calls takes
their principal and refuses a conversation they are not in as not found.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from agora import catalog, chat, privacy, recommendations
from agora.assistant.cards import Card, Wanted, find_cards
from agora.assistant.chips import (
    CategoryNames,
    Chip,
    category_slugs,
    dump_preferences,
    load_preferences,
    parts_of,
    without,
)
from agora.assistant.domain import Preferences, Vocabulary, interpret
from agora.assistant.embedding import default_embedder
from agora.assistant.errors import UnknownPart
from agora.assistant.models import AssistantState
from agora.catalog.images import COLOURS
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.identity import Principal

EVENT = "assistant"
"""Pushed on ``user:{id}`` with one conversation's parts and cards (``AssistantView.as_event``)."""
SWITCHED = "assistant_switched"
"""Pushed on ``user:{id}`` when the shopper switches the assistant on or off (``enabled``)."""


@dataclass(frozen=True, slots=True)
class AssistantView:
    """The panel of one conversation for its shopper: off, or what was understood and its cards.

    ``usual_max`` is set when the cards are capped at what the shopper usually spends in the
    category (their price level), because they named no budget themselves.
    """

    conversation_id: uuid.UUID
    enabled: bool
    parts: tuple[Chip, ...] = ()
    cards: tuple[Card, ...] = ()
    usual_max: int | None = None

    def as_event(self) -> dict[str, Any]:
        return {
            "type": EVENT,
            "conversation_id": str(self.conversation_id),
            "enabled": self.enabled,
            "parts": [part.as_json() for part in self.parts],
            "cards": [card.as_json() for card in self.cards],
            "usual_max": self.usual_max,
        }


# --- the hook's work ----------------------------------------------------------------------------


def read_message(
    uow: UnitOfWork, *, sender_id: uuid.UUID, conversation_id: uuid.UUID, text: str
) -> AssistantView | None:
    """Interpret a text ``sender_id`` has sent (and that is committed) for shopping intent.

    Answers the new view when the message changed what is understood (stored and pushed to the
    sender alone), ``None`` otherwise: small talk, or no consent — then the text is not read.
    """
    with uow.read() as session:
        if not privacy.consent_granted(session, sender_id, privacy.CHAT_ASSISTANT):
            return None
        vocab, names = vocabulary(session)
        row = session.get(AssistantState, (sender_id, conversation_id))
        state = load_preferences(row.preferences) if row else Preferences()
        shown = list(row.shown_prices) if row else []
    turn = interpret(text, state, vocab, shown_prices=shown, embedder=default_embedder())
    if not turn.changed:
        return None
    return _save(uow, sender_id, conversation_id, turn.preferences, vocab, names)


# --- what the shopper calls ---------------------------------------------------------------------


def assistant_view(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> AssistantView:
    """The actor's panel for a conversation they are in (read only: nothing is stored).

    Raises ConversationNotFound for a conversation the actor is not in.
    """
    with uow.read() as session:
        _check_member(session, actor.user_id, conversation_id)
        if not privacy.consent_granted(session, actor.user_id, privacy.CHAT_ASSISTANT):
            return AssistantView(conversation_id, enabled=False)
        row = session.get(AssistantState, (actor.user_id, conversation_id))
        if row is None:
            return AssistantView(conversation_id, enabled=True)
        vocab, names = vocabulary(session)
        preferences = load_preferences(row.preferences)
    return _view(uow, actor.user_id, conversation_id, preferences, vocab, names)


def remove_part(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID, part: str
) -> AssistantView:
    """Take one understood part (``colour:red``, ``category``, ``max_price`` ...) away and show
    the cards for what is left.

    Raises ConversationNotFound (not the actor's conversation), UnknownPart (not understood).
    """
    with uow.read() as session:
        _check_member(session, actor.user_id, conversation_id)
        row = session.get(AssistantState, (actor.user_id, conversation_id))
        if row is None:
            raise UnknownPart()
        vocab, names = vocabulary(session)
        preferences = without(load_preferences(row.preferences), part)
    view = _save(uow, actor.user_id, conversation_id, preferences, vocab, names)
    return view or AssistantView(conversation_id, enabled=False)


def forget_conversation(
    uow: UnitOfWork, *, actor: Principal, conversation_id: uuid.UUID
) -> AssistantView:
    """Delete what was understood in this conversation; the panel starts empty again.

    Raises ConversationNotFound for a conversation the actor is not in.
    """
    with uow:
        session = uow.session
        _check_member(session, actor.user_id, conversation_id)
        session.execute(
            delete(AssistantState).where(
                AssistantState.user_id == actor.user_id,
                AssistantState.conversation_id == conversation_id,
            )
        )
        enabled = privacy.consent_granted(session, actor.user_id, privacy.CHAT_ASSISTANT)
        view = AssistantView(conversation_id, enabled=enabled)
        uow.publish(f"user:{actor.user_id}", view.as_event())
    return view


def set_enabled(uow: UnitOfWork, *, actor: Principal, enabled: bool) -> bool:
    """Switch the assistant on or off for the actor (the chat-assistant consent); switching off
    deletes everything it understood, at once (the consent handler would too, later)."""
    with uow:
        privacy.set_consent(uow, actor=actor, kind=privacy.CHAT_ASSISTANT, granted=enabled)
        if not enabled:
            forget_everything(uow, actor.user_id)
        uow.publish(f"user:{actor.user_id}", {"type": SWITCHED, "enabled": enabled})
    return enabled


def is_enabled(uow: UnitOfWork, user_id: uuid.UUID) -> bool:
    with uow.read() as session:
        return privacy.consent_granted(session, user_id, privacy.CHAT_ASSISTANT)


def consenting(uow: UnitOfWork, user_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``user_ids`` have the assistant on, in one read (the hook's first filter;
    :func:`read_message` asks again for each message it reads)."""
    if not user_ids:
        return set()
    consent = privacy.Consent
    with uow.read() as session:
        return set(
            session.scalars(
                select(consent.user_id).where(
                    consent.user_id.in_(list(user_ids)),
                    consent.kind == privacy.CHAT_ASSISTANT,
                    consent.granted.is_(True),
                )
            )
        )


def forget_everything(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    """Delete every inference about ``user_id`` (consent withdrawn); answers how many states."""
    with uow:
        result = uow.session.execute(
            delete(AssistantState).where(AssistantState.user_id == user_id)
        )
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            uow.publish(f"user:{user_id}", {"type": SWITCHED, "enabled": False})
    return count


# --- the vocabulary, built once per set of categories -------------------------------------------

_vocab_lock = threading.Lock()
_vocab_cache: (
    tuple[tuple[tuple[str, str, str, str | None], ...], Vocabulary, CategoryNames] | None
) = None


def vocabulary(session: Session) -> tuple[Vocabulary, CategoryNames]:
    """The parser's vocabulary from the catalog's categories and colours, with each category's
    names. Rebuilt only when the categories change (one small read per message otherwise)."""
    global _vocab_cache
    category, parent = catalog.Category, aliased(catalog.Category)
    rows = tuple(
        (slug, en, zh or en, parent_slug)
        for slug, en, zh, parent_slug in session.execute(
            select(category.slug, category.name_en, category.name_zh, parent.slug)
            .outerjoin(parent, parent.id == category.parent_id)
            .order_by(category.position, category.name_en, category.slug)
        ).all()
    )
    cached = _vocab_cache
    if cached is not None and cached[0] == rows:
        return cached[1], cached[2]
    with _vocab_lock:
        vocab = Vocabulary.build(
            categories=list(rows),
            colours=[(key, c.name_en, c.name_zh) for key, c in COLOURS.items()],
        )
        names = {slug: (en, zh) for slug, en, zh, _ in rows}
        _vocab_cache = (rows, vocab, names)
    return vocab, names


# --- storing and showing ------------------------------------------------------------------------


def _check_member(session: Session, user_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    if not chat.is_member(session, user_id, conversation_id):
        raise chat.ConversationNotFound()


def _wanted(
    uow: UnitOfWork, user_id: uuid.UUID, preferences: Preferences, names: CategoryNames
) -> tuple[Wanted, int | None]:
    """What to search for; with no budget named, capped at what the shopper usually spends in
    the category (their price level), which is answered as the second value."""
    slugs = category_slugs(preferences.category, names)
    cap, usual = preferences.max_price, None
    if cap is None and slugs:
        usual = _usual_max(uow, user_id, slugs)
        cap = usual
    wanted = Wanted(
        categories=slugs,
        colours=tuple(sorted(preferences.colours)),
        excluded=frozenset(preferences.excluded_colours),
        min_price=preferences.min_price,
        max_price=cap,
    )
    return wanted, usual


def _usual_max(uow: UnitOfWork, user_id: uuid.UUID, slugs: Sequence[str]) -> int | None:
    """Up to what the shopper usually pays in these categories (recommendations' price level,
    from what they bought there), or ``None`` before any purchase in them."""
    typical: list[int] = []
    with uow.read() as session:
        for slug in slugs:
            category = session.scalar(
                select(catalog.Category.id).where(catalog.Category.slug == slug)
            )
            level = (
                recommendations.price_level_for(session, user_id, category) if category else None
            )
            if level is not None and level.typical_max > 0:
                typical.append(level.typical_max)
    return max(typical) if typical else None


def _view(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    conversation_id: uuid.UUID,
    preferences: Preferences,
    vocab: Vocabulary,
    names: CategoryNames,
) -> AssistantView:
    wanted, usual = _wanted(uow, user_id, preferences, names)
    cards = find_cards(uow, wanted)
    if usual is not None and not cards:
        # Nothing of this within the usual spend: show what there is rather than nothing.
        wanted, usual = dataclasses.replace(wanted, max_price=None), None
        cards = find_cards(uow, wanted)
    return AssistantView(
        conversation_id,
        enabled=True,
        parts=parts_of(preferences, names),
        cards=tuple(cards),
        usual_max=usual,
    )


def _save(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    conversation_id: uuid.UUID,
    preferences: Preferences,
    vocab: Vocabulary,
    names: CategoryNames,
) -> AssistantView | None:
    """Store the new state with the prices of its cards and push it to the shopper; nothing when
    the consent went away meanwhile (its withdrawal deletes, and must stay deleted)."""
    view = _view(uow, user_id, conversation_id, preferences, vocab, names)
    try:
        return _store(uow, user_id, conversation_id, preferences, view)
    except IntegrityError:
        # Another process stored this conversation's first state at the same moment (or the
        # conversation went): once more, now as an update (or as nothing to keep).
        return _store(uow, user_id, conversation_id, preferences, view)


def _store(
    uow: UnitOfWork,
    user_id: uuid.UUID,
    conversation_id: uuid.UUID,
    preferences: Preferences,
    view: AssistantView,
) -> AssistantView | None:
    with uow:
        session = uow.session
        # Switched off or gone from the conversation meanwhile: nothing is kept.
        if not privacy.consent_granted(session, user_id, privacy.CHAT_ASSISTANT):
            return None
        if not chat.is_member(session, user_id, conversation_id):
            return None
        row = session.get(AssistantState, (user_id, conversation_id))
        if row is None:
            row = AssistantState(user_id=user_id, conversation_id=conversation_id)
            session.add(row)
        row.preferences = dump_preferences(preferences)
        row.shown_prices = [card.price for card in view.cards]
        row.updated_at = utcnow()
        uow.publish(f"user:{user_id}", view.as_event())
    return view
