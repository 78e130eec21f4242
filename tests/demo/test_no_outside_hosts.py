"""The demo never makes a browser ask another host for anything: no record the whole demo
leaves behind names a URL on another host (photos, avatars, links), and every picture it names
on Agora's own static files is one Agora has."""

from __future__ import annotations

import json
import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import JSON, String, Text, select

from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo import seed as seeding
from agora.schema import metadata
from agora.web.pages import STATIC

# An absolute or protocol-relative URL: what a browser would fetch from another host.
OUTSIDE = re.compile(r"(?:\bhttps?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>]*", re.IGNORECASE)
ON_STATIC = re.compile(r"/static/[\w./-]+")


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    monkeypatch.setattr(seeding, "demo_products", seeding.products_in_play)


def _texts(uow: UnitOfWork) -> list[tuple[str, str]]:
    """(table.column, value) for every text and JSON value of every row."""
    found: list[tuple[str, str]] = []
    with uow.read() as session:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not columns:
                continue
            for row in session.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value)
                    found.append((f"{table.name}.{column.name}", text))
    return found


def _outside_urls(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, url) for where, text in texts for url in OUTSIDE.findall(text)]


def test_the_pattern_finds_outside_urls() -> None:
    texts = [
        ("a.b", "see https://picsum.photos/seed/x/480/480 please"),
        ("a.c", '["//cdn.example.com/a.png"]'),
        ("a.d", "/static/img/demo/torn-seam.svg and /media/p/tee/red.svg"),
        ("a.e", "Torn seam on arrival / 到货时开线了 (1/2)"),
    ]
    assert _outside_urls(texts) == [
        ("a.b", "https://picsum.photos/seed/x/480/480"),
        ("a.c", "//cdn.example.com/a.png"),
    ]


def test_the_demo_names_no_outside_host(uow: UnitOfWork) -> None:
    seeding.seed(uow)

    texts = _texts(uow)

    assert _outside_urls(texts) == []
    static = {path: where for where, text in texts for path in ON_STATIC.findall(text)}
    assert "/static/img/demo/torn-seam.svg" in static  # the disputes' photos are among them
    missing = {
        path: where
        for path, where in static.items()
        if not (STATIC / path.removeprefix("/static/")).is_file()
    }
    assert missing == {}
