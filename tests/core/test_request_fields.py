"""Integers in requests: strict in JSON bodies, bounded everywhere (core/fields.py).

The walk over every route makes the class of bug impossible to add back: a new ``int`` in a
request body without ``Strict``, or an integer parameter without an upper bound a BIGINT holds,
fails here before it reaches a database as an overflow.
"""

from __future__ import annotations

import typing
import uuid
from collections.abc import Iterator
from typing import Any

import annotated_types
import pytest
from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel, Strict
from pydantic.fields import FieldInfo
from sqlalchemy import func, select

import factories
from agora.app import create_app
from agora.config import Settings
from agora.core.fields import BIGINT_MAX
from agora.core.uow import UnitOfWork
from factories import assert_problem

Headers = dict[str, str]

# Fixed, not random: parallel test workers must collect the same test ids.
ANY_ID = "0190c3a1-7f00-7000-8000-000000000001"


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _integers(annotation: Any, metadata: list[Any], where: str) -> Iterator[tuple[str, list[Any]]]:
    """Every ``int`` reachable in ``annotation`` (through models, lists, unions, Annotated), with
    the constraints that apply to it."""
    if annotation is int:
        yield where, metadata
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _integers(field.annotation, list(field.metadata), f"{where}.{name}")
    elif typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        # A ``Field(...)`` inside ``Annotated`` holds its constraints in its own metadata.
        flat = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        yield from _integers(inner, [*metadata, *flat], where)
    else:
        for arg in typing.get_args(annotation):
            yield from _integers(arg, metadata, where)


def _upper_bound(metadata: list[Any]) -> int | None:
    bounds = [m.le for m in metadata if isinstance(m, annotated_types.Le)]
    bounds += [m.lt - 1 for m in metadata if isinstance(m, annotated_types.Lt)]
    return min(bounds) if bounds else None


def _request_integers() -> Iterator[tuple[str, str, str, list[Any]]]:
    """(operation, where, kind, constraints) of every integer any route reads from a request."""
    app = create_app(
        Settings(database_url="sqlite:///:memory:", embedded_workers=False, serve_tuning=False)
    )
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        operation = f"{','.join(sorted(context.methods or ()))} {context.path_format}"
        for dependant in _dependants(context.dependant):
            for kind in ("path_params", "query_params", "header_params", "body_params"):
                for param in getattr(dependant, kind):
                    info = param.field_info
                    # Form values are text: they cannot be strict, only bounded.
                    read_as = "form" if isinstance(info, params.Form) else kind
                    for where, metadata in _integers(
                        info.annotation, list(info.metadata), param.name
                    ):
                        yield operation, where, read_as, metadata


def test_the_walk_finds_the_integers_it_guards() -> None:
    found = {(operation, where) for operation, where, _, _ in _request_integers()}
    assert ("POST /api/v1/credit/repayments", "body.amount") in found
    assert ("GET /api/v1/points/history", "cursor") in found
    assert ("POST /api/v1/conversations/{conversation_id}/messages/{seq}/recall", "seq") in found
    assert ("POST /chat/{conversation_id}/messages/{seq}/recall", "seq") in found


def test_every_integer_of_a_request_is_bounded_and_every_json_one_strict() -> None:
    loose = [
        f"{operation} {where}: not strict"
        for operation, where, kind, metadata in _request_integers()
        if kind == "body_params" and not any(isinstance(m, Strict) and m.strict for m in metadata)
    ]
    unbounded = [
        f"{operation} {where}: upper bound {bound}"
        for operation, where, _, metadata in _request_integers()
        if (bound := _upper_bound(metadata)) is None or bound > BIGINT_MAX
    ]
    assert loose == []
    assert unbounded == []


# --- the findings of the adversarial pass, over HTTP ----------------------------------------


@pytest.fixture
def shopper(client: TestClient, uow: UnitOfWork) -> Headers:
    user = factories.make_user(uow)
    signed = client.post(
        "/api/v1/tokens", json={"identifier": user.email, "password": factories.PASSWORD}
    )
    assert signed.status_code == 201, signed.text
    return {"Authorization": f"Bearer {signed.json()['token']}"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/points/history?cursor=" + "9" * 38, "cursor"),
        ("/api/v1/wallet/statement?before=99999999999999999999", "before"),
        ("/api/v1/credit/instalments/quote?amount=" + "9" * 20 + "&months=3", "amount"),
        (f"/api/v1/conversations/{ANY_ID}/messages?before={2**63}", "before"),
    ],
)
def test_an_integer_past_a_bigint_in_the_query_is_refused(
    client: TestClient, shopper: Headers, url: str, field: str
) -> None:
    problem = assert_problem(client.get(url, headers=shopper), 422, "invalid_input")
    assert [e["field"] for e in problem["errors"]] == [f"query.{field}"]


def test_a_quote_for_more_than_any_amount_is_refused(client: TestClient, shopper: Headers) -> None:
    url = "/api/v1/credit/instalments/quote?months=3&amount="
    assert_problem(client.get(url + "10000000001", headers=shopper), 422, "invalid_input")
    assert client.get(url + "10000000000", headers=shopper).status_code == 200


def test_a_message_seq_past_a_bigint_is_refused(client: TestClient, shopper: Headers) -> None:
    url = f"/api/v1/conversations/{uuid.uuid4()}/messages/{2**63}/recall"
    problem = assert_problem(client.post(url, headers=shopper), 422, "invalid_input")
    assert [e["field"] for e in problem["errors"]] == ["path.seq"]


def _count(uow: UnitOfWork, table: str) -> int:
    from agora.schema import metadata

    with uow.read() as session:
        return int(
            session.execute(select(func.count()).select_from(metadata.tables[table])).scalar_one()
        )


@pytest.mark.parametrize("number", ["100", True, 100.0])
def test_money_and_counts_must_be_json_integers(
    client: TestClient, uow: UnitOfWork, shopper: Headers, number: Any
) -> None:
    sku = uuid.uuid4()
    conversation = uuid.uuid4()
    refusals = [
        ("post", "/api/v1/credit/repayments", {"amount": number}, "amount"),
        (
            "post",
            f"/api/v1/conversations/{conversation}/red-envelopes",
            {"kind": "lucky", "total": number, "shares": 2},
            "total",
        ),
        (
            "post",
            f"/api/v1/conversations/{conversation}/red-envelopes",
            {"kind": "lucky", "total": 200, "shares": number},
            "shares",
        ),
        (
            "post",
            f"/api/v1/conversations/{conversation}/red-envelopes",
            {"kind": "equal", "per_share": number, "shares": 2},
            "per_share",
        ),
        ("post", "/api/v1/cart/items", {"sku_id": str(sku), "quantity": number}, "quantity"),
        ("put", f"/api/v1/cart/items/{sku}", {"quantity": number}, "quantity"),
        (
            "post",
            "/api/v1/checkout",
            {"lines": [{"sku_id": str(sku), "quantity": number}]},
            "lines.0.quantity",
        ),
        ("post", "/api/v1/wallet/top-ups", {"amount": number}, "amount"),
        ("post", "/api/v1/treasure/deposits", {"amount": number}, "amount"),
    ]
    tables = (
        "credit_repayments",
        "red_envelopes",
        "cart_items",
        "payment_charges",
        "ledger_entries",
    )
    before = {table: _count(uow, table) for table in tables}

    for method, url, body, field in refusals:
        response = client.request(method, url, json=body, headers=shopper)
        problem = assert_problem(response, 422, "invalid_input")
        assert [e["field"] for e in problem["errors"]] == [field], (url, problem)

    assert {table: _count(uow, table) for table in tables} == before
    assert client.get("/api/v1/cart", headers=shopper).json()["count"] == 0
