"""Whole conversations through ``interpret``, checking the preferences after every turn."""

from __future__ import annotations

import pytest

from agora.assistant.domain import Vocabulary, interpret
from assistant.dialogues import DIALOGUES, Dialogue, demo_vocabulary


@pytest.fixture
def vocab() -> Vocabulary:
    return demo_vocabulary()


def test_the_suite_covers_both_languages_and_mixed_text() -> None:
    assert len(DIALOGUES) >= 25
    assert {d.language for d in DIALOGUES} == {"en", "zh", "mixed"}
    assert all(3 <= len(d.turns) <= 6 for d in DIALOGUES)


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d.name for d in DIALOGUES])
def test_dialogue(dialogue: Dialogue, vocab: Vocabulary) -> None:
    state = dialogue.start
    for n, turn in enumerate(dialogue.turns, start=1):
        result = interpret(
            turn.text, state, vocab, shown_prices=[yuan * 100 for yuan in turn.shown]
        )
        assert result.preferences == turn.expected, f"turn {n}: {turn.text!r}"
        assert result.changed == (turn.expected != state), f"turn {n}: {turn.text!r}"
        state = result.preferences
