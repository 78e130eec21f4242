"""The finder of English left on Chinese pages: what it reports and what it lets through."""

from __future__ import annotations

import pytest

from english_words import ALLOWED, stray_english


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("价格从高到低", []),
        ("Price: high to low", ["Price", "high", "to", "low"]),
        ("积分 Loyalty bonus +20", ["Loyalty", "bonus"]),
        ("已售 2.6k", ["k"]),
        ("已售 2,600 · 1.2万", []),
        ("48h 发货", ["h"]),
        ("重 2.5kg, 长 30cm, 500g", []),
        ("Agora 自营 · Agora Fleet 次日达", []),
        ("SKU 编号 AG-2612070042, 运单 SW123456789", []),
        ("请求 ID 3f2a9c1e-77b0-4d2e-9a1b-0c4d5e6f7a8b", []),
        ("访问 https://agora.example/orders?id=4 或 /api/v1/orders", []),
        ("联系 help.desk@agora.example", []),
        ("2026-12-07 10:30 UTC · ¥12.00 CNY", []),
        ("a 单字母 x 不算", []),
        ("don't 已是好友 Friends", ["don", "Friends"]),
        ("Welcome, welcome 欢迎 Welcome", ["Welcome", "welcome"]),
        ("café 咖啡", ["café"]),
        ("OK", ["OK"]),
    ],
)
def test_stray_english(text: str, expected: list[str]) -> None:
    assert stray_english(text) == expected


def test_the_allowed_words_are_few_and_never_reported() -> None:
    assert len(ALLOWED) <= 45
    assert stray_english(" ".join(sorted(ALLOWED))) == []
    assert "OK" not in ALLOWED
