"""The lean lane: a plain request reaches a lean endpoint without FastAPI's routing and solver, and
every other request is answered by FastAPI exactly as a twin endpoint off the lane answers it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import fastapi.routing
import pytest
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from agora.http import lean as lean_lane
from agora.http.lean import lean
from agora.http.routing import Router


class Body(BaseModel):
    count: int = Field(ge=1, le=9)


async def who(request: Request) -> str:
    user = request.headers.get("x-user")
    if not user:
        raise HTTPException(401, "who are you?")
    return user


User = Annotated[str, Depends(who)]
Key = Annotated[str | None, Header(alias="Idempotency-Key", max_length=5)]
Limit = Annotated[int, Query(ge=1, le=50)]


def build() -> FastAPI:
    router = Router()

    async def make(
        thing_id: uuid.UUID, body: Body, user: User, request: Request, key: Key = None
    ) -> Response:
        answer = {"thing": str(thing_id), "count": body.count, "user": user, "key": key}
        # The router marks every request it routes; the lane leaves routing out.
        return JSONResponse({**answer, "routed": "router" in request.scope}, status_code=201)

    async def twin(
        thing_id: uuid.UUID, body: Body, user: User, request: Request, key: Key = None
    ) -> Response:
        return await make(thing_id, body, user, request, key)

    async def page(user: User, request: Request, limit: Limit = 20) -> Response:
        return JSONResponse({"user": user, "limit": limit, "routed": "router" in request.scope})

    async def page_twin(user: User, request: Request, limit: Limit = 20) -> Response:
        return await page(user, request, limit)

    router.post("/lean/{thing_id}", status_code=201)(lean(make))
    router.post("/full/{thing_id}", status_code=201)(twin)
    router.get("/lean-page")(lean(page))
    router.get("/full-page")(page_twin)
    app = FastAPI()
    app.include_router(router)
    lean_lane.install(app)
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(build())


@pytest.fixture
def no_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI's dependency solver fails the request if it is used at all."""

    async def refuse(**_: Any) -> Any:
        raise AssertionError("FastAPI's solver ran")

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", refuse)


THING = uuid.UUID("00000000-0000-0000-0000-00000000002a")


def test_a_plain_request_skips_the_solver(client: TestClient, no_solver: None) -> None:
    response = client.post(
        f"/lean/{THING}", json={"count": 3}, headers={"x-user": "ann", "Idempotency-Key": "k1"}
    )

    assert response.status_code == 201
    assert response.json() == {
        "thing": str(THING),
        "count": 3,
        "user": "ann",
        "key": "k1",
        "routed": False,
    }
    without_key = client.post(f"/lean/{THING}", json={"count": 3}, headers={"x-user": "ann"})
    assert without_key.json()["key"] is None
    with pytest.raises(AssertionError, match="solver"):
        client.post(f"/full/{THING}", json={"count": 3}, headers={"x-user": "ann"})


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        pytest.param("not-a-uuid", {"count": 3}, {}, id="bad path id"),
        pytest.param(str(THING), {"count": 0}, {}, id="body out of bounds"),
        pytest.param(str(THING), {"count": "three"}, {}, id="body of the wrong type"),
        pytest.param(str(THING), {}, {}, id="body missing a field"),
        pytest.param(str(THING), None, {}, id="no body"),
        pytest.param(str(THING), "{not json", {"content-type": "application/json"}, id="bad json"),
        pytest.param(str(THING), "count=3", {"content-type": "text/plain"}, id="not json"),
        pytest.param(str(THING), {"count": 3}, {"Idempotency-Key": "toolong"}, id="long key"),
        pytest.param(str(THING), {"count": 3}, {"x-user": ""}, id="no user"),
    ],
)
def test_anything_else_is_answered_as_fastapi_answers_it(
    client: TestClient, path: str, body: Any, headers: dict[str, str]
) -> None:
    sent = {"x-user": "ann", **headers}

    def post(prefix: str) -> Any:
        if isinstance(body, str):
            return client.post(f"/{prefix}/{path}", content=body, headers=sent)
        return client.post(f"/{prefix}/{path}", json=body, headers=sent)

    lean_answer, full_answer = post("lean"), post("full")

    assert lean_answer.status_code in (401, 422)
    assert (lean_answer.status_code, lean_answer.json()) == (
        full_answer.status_code,
        full_answer.json(),
    )


def test_a_query_value_is_read_or_takes_its_default(client: TestClient, no_solver: None) -> None:
    ann = {"x-user": "ann"}

    assert client.get("/lean-page?limit=5", headers=ann).json() == {
        "user": "ann",
        "limit": 5,
        "routed": False,
    }
    assert client.get("/lean-page", headers=ann).json()["limit"] == 20
    assert client.get("/lean-page?other=1", headers=ann).json()["limit"] == 20


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "limit=many", "limit="])
def test_a_query_value_refused_is_answered_as_fastapi_answers_it(
    client: TestClient, query: str
) -> None:
    ann = {"x-user": "ann"}

    lean_answer = client.get(f"/lean-page?{query}", headers=ann)
    full_answer = client.get(f"/full-page?{query}", headers=ann)

    assert lean_answer.status_code == 422
    assert lean_answer.json() == full_answer.json()


def test_an_overridden_dependency_is_honoured(client: TestClient) -> None:
    app: Any = client.app
    app.dependency_overrides[who] = lambda: "stand-in"

    response = client.post(f"/lean/{THING}", json={"count": 1})

    assert response.json()["user"] == "stand-in"
    assert response.json()["routed"] is True


@pytest.mark.parametrize(
    "shape", ["required query", "list query", "model answer", "deep dependency", "required header"]
)
def test_an_endpoint_the_plan_cannot_serve_is_refused_when_declared(shape: str) -> None:
    router = Router()

    async def deep(user: User) -> str:
        return user

    async def with_query(q: int) -> Response:
        return Response()

    async def with_list(q: Annotated[list[int], Query()] = []) -> Response:  # noqa: B006
        return Response()

    async def model_answer(thing_id: uuid.UUID) -> Body:
        return Body(count=1)

    async def with_deep(who: Annotated[str, Depends(deep)]) -> Response:
        return Response()

    async def with_required(key: Annotated[str, Header()]) -> Response:
        return Response()

    endpoint = {
        "required query": with_query,
        "list query": with_list,
        "model answer": model_answer,
        "deep dependency": with_deep,
        "required header": with_required,
    }[shape]
    with pytest.raises(TypeError, match="lean endpoint"):
        router.post("/x/{thing_id}" if shape == "model answer" else "/x")(lean(endpoint))
