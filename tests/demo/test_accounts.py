"""`agora demo` prints every account the README's tour signs in as, with the one password."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agora.demo.seed import DEMO_PASSWORD, print_accounts

README = Path(__file__).parents[2] / "README.md"


def test_the_printed_accounts_cover_every_account_the_readme_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_accounts()
    printed = capsys.readouterr().out

    assert f"password for all: {DEMO_PASSWORD}" in printed
    for email, name in [
        ("shopper@agora.demo", "Lin Mei"),
        ("wang.lei@agora.demo", "Wang Lei"),
        ("chen.jing@agora.demo", "Chen Jing"),
        ("zhao.yu@agora.demo", "Zhao Yu"),
        ("liu.yang@agora.demo", "Liu Yang"),
        ("operator@agora.demo", "Agora Ops"),
    ]:
        assert re.search(rf"{re.escape(email)}\s+{name}", printed), email
    readme = README.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in readme
    named = set(re.findall(r"`([a-z.\-]+@agora\.demo)`", readme)) - {"merchant.<store>@agora.demo"}
    assert named and all(email in printed for email in named), named - set(printed.split())
