"""Pure chat rules."""

from __future__ import annotations

from agora.chat import domain


def test_clean_text_trims_and_drops_control_characters_but_tabs_and_newlines() -> None:
    assert domain.clean_text("  hi\x00 there\r\n\tok \x07\x1f ") == "hi there\n\tok"
    assert domain.clean_text("\x0b\x0c 你好 \U0001f600\x7f") == "你好 \U0001f600\x7f"
    assert domain.clean_text("\x01\x02 ") == ""
