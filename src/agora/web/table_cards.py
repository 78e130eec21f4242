"""Tables that turn into cards on phones: each body cell is labelled with its column's heading.

On a narrow screen a ``table.table`` is laid out as a list of cards (agora.css, "Tables as cards
on phones"); every cell shows its column's name from ``data-label``. The labels are filled here,
once per rendered page, from the ``<thead>`` the template already writes, so a template never
repeats its headings cell by cell and a new table gets them too; a labelled table gets the class
``table-cards`` that the phone layout keys on (a table without a heading row stays a table).

A heading can also give its column a role on the card, copied to the column's cells as a class:
``card-title`` (the card's first line, on the left; the first column when none is marked) and
``card-amount`` (the amount, right-aligned on the first line). A heading with the class
``actions`` or no text gives no label. Cells that already carry ``data-label`` keep it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_TABLE = re.compile(
    r"<table\b[^>]*\bclass=\"(?:[^\"]*\s)?table(?:\s[^\"]*)?\"[^>]*>.*?</table>", re.S
)
_TABLE_CLASS = re.compile(r"(<table\b[^>]*\bclass=\"[^\"]*)\"")
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
_TH = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_TBODY = re.compile(r"(<tbody\b[^>]*>)(.*?)(</tbody>)", re.S)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.S)
_CELL_TAG = re.compile(r"<t([dh])\b([^>]*)>")
_CLASS = re.compile(r"\bclass=\"([^\"]*)\"")
_COLSPAN = re.compile(r"\bcolspan=\"?(\d+)")
_TAG = re.compile(r"<[^>]+>")
ROLES = ("card-title", "card-amount")


@dataclass(frozen=True, slots=True)
class Column:
    roles: tuple[str, ...]
    attribute: str  # ' data-label="…"', or "" for a column without a heading


def label_tables(page: str) -> str:
    """``page`` with the body cells of every ``table.table`` labelled by their column."""
    if "<table" not in page:
        return page
    return _TABLE.sub(lambda match: _label_table(match.group(0)), page)


def _label_table(table: str) -> str:
    if table.count("<table") > 1:  # a table inside a cell: left as written
        return table
    head = _THEAD.search(table)
    if head is None:
        return table
    columns = _columns(head.group(1))
    if not columns:
        return table
    table = _TABLE_CLASS.sub(lambda m: f'{m.group(1)} table-cards"', table, count=1)
    return _TBODY.sub(
        lambda body: (
            body.group(1)
            + _ROW.sub(lambda row: _label_row(row, columns), body.group(2))
            + body.group(3)
        ),
        table,
    )


def _columns(thead: str) -> list[Column]:
    columns: list[Column] = []
    for attrs, inner in _TH.findall(thead):
        classes = _classes(attrs)
        text = " ".join(html.unescape(_TAG.sub(" ", inner)).split())
        label = "" if "actions" in classes else text
        column = Column(
            tuple(role for role in ROLES if role in classes),
            f' data-label="{html.escape(label)}"' if label else "",
        )
        span = _COLSPAN.search(attrs)
        columns.extend([column] * (int(span.group(1)) if span else 1))
    if columns and not any("card-title" in c.roles for c in columns):
        first = columns[0]
        columns[0] = Column((*first.roles, "card-title"), first.attribute)
    return columns


def _label_row(row: re.Match[str], columns: list[Column]) -> str:
    index = 0

    def label(cell: re.Match[str]) -> str:
        nonlocal index
        kind, attrs = cell.group(1), cell.group(2)
        column = columns[index] if index < len(columns) else None
        span = _COLSPAN.search(attrs) if "colspan" in attrs else None
        index += int(span.group(1)) if span else 1
        if column is None or span:  # a cell across columns is a note, not one column's value
            return cell.group(0)
        # New attributes go first, so what the template wrote still ends the tag as written.
        if column.roles:
            classes = _classes(attrs)
            added = " ".join(role for role in column.roles if role not in classes)
            if added:
                if _CLASS.search(attrs):
                    attrs = _CLASS.sub(lambda m: f'class="{m.group(1)} {added}"', attrs, count=1)
                else:
                    attrs = f' class="{added}"{attrs}'
        if column.attribute and "data-label=" not in attrs:
            attrs = column.attribute + attrs
        return f"<t{kind}{attrs}>"

    return row.group(1) + _CELL_TAG.sub(label, row.group(2)) + row.group(3)


def _classes(attrs: str) -> set[str]:
    found = _CLASS.search(attrs)
    return set(found.group(1).split()) if found else set()
