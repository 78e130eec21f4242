"""Identifiers: UUIDv7 layout, ordering within one process, parsing untrusted text."""

from __future__ import annotations

import itertools
import os
import time
import uuid

import pytest

from agora.core.ids import new_id, parse_id


def test_new_id_is_a_uuid_version_7_with_the_rfc_variant() -> None:
    before_ms = time.time_ns() // 1_000_000
    value = new_id()
    after_ms = time.time_ns() // 1_000_000

    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert (value.int >> 76) & 0xF == 0x7
    assert (value.int >> 62) & 0b11 == 0b10
    # The 48-bit prefix is the Unix time in milliseconds (the counter may push it ahead slightly).
    assert before_ms <= value.int >> 80 <= after_ms + 1


def test_ten_thousand_ids_made_in_a_tight_loop_are_strictly_increasing() -> None:
    ids = [new_id() for _ in range(10_000)]

    assert len(set(ids)) == 10_000
    assert all(a < b for a, b in itertools.pairwise(ids))
    assert all(str(a) < str(b) for a, b in itertools.pairwise(ids))
    assert all(i.version == 7 for i in ids)


def test_parse_id_round_trips() -> None:
    value = new_id()

    assert parse_id(str(value)) == value
    assert parse_id(str(value).upper()) == value
    assert parse_id(value.hex) == value


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "junk",
        "12345",
        "0190f3d2-7c1a-7000-8000-00000000000",  # one hex digit short
        "0190f3d2-7c1a-7000-8000-00000000000g",
        "' OR 1=1 --",
        "../../etc/passwd",
    ],
)
def test_parse_id_returns_none_for_junk(raw: str) -> None:
    assert parse_id(raw) is None


def test_parse_id_returns_none_for_non_strings() -> None:
    assert parse_id(None) is None  # type: ignore[arg-type]
    assert parse_id(12345) is None  # type: ignore[arg-type]


def test_a_forked_process_draws_its_own_random_part() -> None:
    new_id()  # the parent has bytes buffered
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(writer, new_id().bytes)
        os._exit(0)
    from_child = os.read(reader, 16)
    os.waitpid(child, 0)
    in_parent = new_id().bytes

    assert from_child[8:] != in_parent[8:]  # the same buffered bytes would be equal here
