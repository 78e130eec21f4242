"""Product search over one token index: SQLite FTS5 in embedded mode, a GIN tsvector on PostgreSQL.

Both backends index the same pre-segmented tokens (see ``text.py``), so results agree. The text
index is keyed by ``search_entries.id`` (a small integer): a match joins the entries table by
integer to filter on price, category, store and status, sorts, keeps one page, and only then
reads that page's cards from ``products``. Pages are keyset-paginated on ``(sort key, entry id)``;
relevance is scaled to an integer so the cursor compares exactly. The index tables' DDL is in the
migration (it is dialect-specific, so not in the ORM metadata).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from agora.catalog.models import Product, SearchEntry, Store
from agora.core.errors import N_, InvalidInput

SORTS = ("relevance", "price_asc", "price_desc", "sales", "newest")
SCORE_SCALE = 1_000_000
_fts = table("product_search", column("rowid"), column("entry_id"))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text_tokens: tuple[str, ...] = ()
    filter_tokens: tuple[str, ...] = ()
    category_ids: tuple[uuid.UUID, ...] | None = None
    store_id: uuid.UUID | None = None
    price_min: int | None = None
    price_max: int | None = None
    sort: str = "relevance"
    cursor: str | None = None
    before: str | None = None
    limit: int = 24
    with_total: bool = False


@dataclass(frozen=True, slots=True)
class ProductCard:
    id: uuid.UUID
    title_en: str
    title_zh: str | None
    image_url: str
    min_price: int
    list_price: int
    currency: str
    sales_count: int
    created_at: datetime
    store_id: uuid.UUID
    store_name_en: str
    store_name_zh: str | None
    self_operated: bool


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results. ``prev_cursor`` (as ``before``) goes back a page; with
    ``with_total``, ``total`` counts every match and ``offset`` the matches before this page."""

    items: list[ProductCard] = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None
    total: int | None = None
    offset: int | None = None


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def index_product(
    session: Session, product: Product, *, store_active: bool, tokens: list[str]
) -> None:
    """Write the product's entry and its tokens, inside the caller's transaction."""
    entry = session.scalar(select(SearchEntry).where(SearchEntry.product_id == product.id))
    if entry is None:
        entry = SearchEntry(product_id=product.id)
        session.add(entry)
    entry.store_id = product.store_id
    entry.category_id = product.category_id
    entry.min_price = product.min_price
    entry.sales_count = product.sales_count
    entry.created_at = product.created_at
    entry.active = product.status == "active" and store_active
    session.flush()
    if _is_sqlite(session):
        session.execute(text("DELETE FROM product_search WHERE rowid = :id"), {"id": entry.id})
        session.execute(
            text("INSERT INTO product_search (rowid, doc) VALUES (:id, :doc)"),
            {"id": entry.id, "doc": " ".join(tokens)},
        )
    else:
        session.execute(
            text(
                "INSERT INTO product_search (entry_id, document) "
                "VALUES (:id, array_to_tsvector(CAST(:tokens AS text[]))) "
                "ON CONFLICT (entry_id) DO UPDATE SET document = EXCLUDED.document"
            ).bindparams(bindparam("tokens", type_=ARRAY(Text))),
            {"id": entry.id, "tokens": tokens},
        )


def set_store_active(session: Session, store_id: uuid.UUID, active: bool) -> None:
    """A suspended store's products leave search at once; reinstated, they come back."""
    if active:
        session.execute(
            update(SearchEntry)
            .where(
                SearchEntry.store_id == store_id,
                SearchEntry.product_id.in_(
                    select(Product.id).where(
                        Product.store_id == store_id, Product.status == "active"
                    )
                ),
            )
            .values(active=True)
        )
    else:
        session.execute(
            update(SearchEntry).where(SearchEntry.store_id == store_id).values(active=False)
        )


def _text_match(
    session: Session, tokens: list[str]
) -> tuple[Any, ColumnElement[Any], ColumnElement[bool]]:
    """The index table's join key, an integer relevance score and the match condition."""
    if _is_sqlite(session):
        expression = " AND ".join('"' + token.replace('"', '""') + '"' for token in tokens)
        score = cast(literal_column("bm25(product_search)") * -SCORE_SCALE, BigInteger)
        index: ColumnElement[Any] = literal_column("product_search")
        return _fts.c.rowid, score, index.op("MATCH")(bindparam("match", expression))
    quoted = " & ".join(
        "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" for token in tokens
    )
    document: ColumnElement[Any] = literal_column("product_search.document")
    query = cast(bindparam("tsq", quoted), TSQUERY)
    score = cast(func.ts_rank(document, query) * SCORE_SCALE, BigInteger)
    return _fts.c.entry_id, score, document.op("@@")(query)


def search(session: Session, query: SearchQuery) -> SearchPage:
    if query.sort not in SORTS:
        raise InvalidInput(f"Unknown sort; use one of {', '.join(SORTS)}.")
    if query.category_ids is not None and not query.category_ids:
        return SearchPage()
    tokens = list(query.text_tokens) + list(query.filter_tokens)
    sort = query.sort if (query.sort != "relevance" or query.text_tokens) else "sales"
    entry = SearchEntry
    conditions: list[ColumnElement[bool]] = [entry.active.is_(True)]
    if query.category_ids is not None:
        conditions.append(entry.category_id.in_(query.category_ids))
    if query.store_id is not None:
        conditions.append(entry.store_id == query.store_id)
    if query.price_min is not None:
        conditions.append(entry.min_price >= query.price_min)
    if query.price_max is not None:
        conditions.append(entry.min_price <= query.price_max)
    columns = (entry.id, entry.product_id, entry.min_price, entry.sales_count, entry.created_at)

    inner: Any
    if tokens:
        key, score, match = _text_match(session, tokens)
        matches = select(key.label("entry_id"), score.label("score")).where(match).cte("matches")
        if _is_sqlite(session):
            # Match first, always: left to itself SQLite may walk an entries index in sort order
            # and probe the text index once per product, which is slow when little matches.
            matches = matches.prefix_with("MATERIALIZED")
        inner = (
            select(*columns, matches.c.score)
            .select_from(matches)
            .join(entry, entry.id == matches.c.entry_id)
            .where(*conditions)
        )
    else:
        inner = select(*columns, literal(0, BigInteger).label("score")).where(*conditions)
    hits = inner.subquery("hits")
    sort_key, descending = _sort_key(hits, sort)
    stmt = select(hits)
    limit = max(1, min(query.limit, 100))
    backwards = query.before is not None and not query.cursor
    if query.cursor:
        stmt = stmt.where(_beyond(hits, sort, _decode_cursor(query.cursor, sort), after=True))
    elif query.before:
        stmt = stmt.where(_beyond(hits, sort, _decode_cursor(query.before, sort), after=False))
    order = sort_key.desc() if descending != backwards else sort_key.asc()
    tie = hits.c.id.desc() if backwards else hits.c.id.asc()
    rows = session.execute(stmt.order_by(order, tie).limit(limit + 1)).all()
    more = len(rows) > limit
    page = rows[:limit][::-1] if backwards else rows[:limit]
    cards = _cards(session, [row.product_id for row in page])
    first, last = (page[0], page[-1]) if page else (None, None)
    # Going back, the page we came from is still ahead; going forward, so is this one's past.
    has_next = more or (backwards and last is not None)
    has_prev = more if backwards else bool(query.cursor) and first is not None
    total = offset = None
    if query.with_total:
        total = session.scalar(select(func.count()).select_from(hits)) or 0
        offset = 0
        if first is not None:
            position = (_key_value(first, sort), int(first.id))
            offset = (
                session.scalar(
                    select(func.count())
                    .select_from(hits)
                    .where(_beyond(hits, sort, position, after=False))
                )
                or 0
            )
    return SearchPage(
        items=[cards[row.product_id] for row in page if row.product_id in cards],
        next_cursor=_cursor_at(last, sort) if has_next else None,
        prev_cursor=_cursor_at(first, sort) if has_prev else None,
        total=total,
        offset=offset,
    )


def _beyond(hits: Any, sort: str, position: tuple[Any, int], *, after: bool) -> Any:
    """The rows after (or before) ``position`` in the page order ``(sort key, entry id)``."""
    sort_key, descending = _sort_key(hits, sort)
    key, entry_id = position
    if sort == "newest":
        key = datetime.fromisoformat(key)
    ahead = sort_key < key if descending == after else sort_key > key
    same = hits.c.id > entry_id if after else hits.c.id < entry_id
    return or_(ahead, and_(sort_key == key, same))


def _cursor_at(row: Any, sort: str) -> str | None:
    return None if row is None else _encode_cursor(sort, _key_value(row, sort), int(row.id))


def _cards(session: Session, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, ProductCard]:
    if not product_ids:
        return {}
    rows = session.execute(
        select(
            Product.id,
            Product.title_en,
            Product.title_zh,
            Product.image_url,
            Product.min_price,
            Product.list_price,
            Product.currency,
            Product.sales_count,
            Product.created_at,
            Product.store_id,
            Store.name_en.label("store_name_en"),
            Store.name_zh.label("store_name_zh"),
            Store.self_operated,
        )
        .join(Store, Store.id == Product.store_id)
        .where(Product.id.in_(product_ids))
    ).all()
    return {row.id: ProductCard(**row._asdict()) for row in rows}


def _sort_key(hits: Any, sort: str) -> tuple[ColumnElement[Any], bool]:
    return {
        "relevance": (hits.c.score, True),
        "price_asc": (hits.c.min_price, False),
        "price_desc": (hits.c.min_price, True),
        "sales": (hits.c.sales_count, True),
        "newest": (hits.c.created_at, True),
    }[sort]


def _key_value(row: Any, sort: str) -> Any:
    if sort == "relevance":
        return int(row.score)
    if sort in ("price_asc", "price_desc"):
        return int(row.min_price)
    if sort == "sales":
        return int(row.sales_count)
    created: datetime = row.created_at
    return created.isoformat()


def _encode_cursor(sort: str, key: Any, last_id: int) -> str:
    raw = json.dumps([sort, key, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    invalid = InvalidInput("The cursor is not valid; start again from the first page.")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, key, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise invalid from exc
    if cursor_sort != sort:
        raise InvalidInput(N_("The cursor belongs to another sort order; start again."))
    if not _is_bigint(last_id):
        raise invalid
    if sort == "newest":
        if not isinstance(key, str):
            raise invalid
        try:
            parsed = datetime.fromisoformat(key)
        except ValueError as exc:
            raise invalid from exc
        if parsed.tzinfo is None:  # stored times are UTC; a naive one cannot be compared
            raise invalid
    elif not _is_bigint(key):
        raise invalid
    return key, last_id


def _is_bigint(value: Any) -> bool:
    """An integer the database can bind (a forged huge one would overflow the driver)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
