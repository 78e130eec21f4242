"""The OpenAPI document describes the refusals (http/openapi.py), and a 405 says what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from agora.app import create_app
from agora.config import Settings
from factories import assert_problem

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

# Fixed, not random: parallel test workers must collect the same test ids.
ANY_ID = "0190c3a1-7f00-7000-8000-000000000001"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(
        Settings(database_url="sqlite:///:memory:", embedded_workers=False, serve_tuning=False)
    )
    with TestClient(app) as client:
        served: dict[str, Any] = client.get("/api/openapi.json").json()
    return served


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_refusals_are_problems_and_fastapis_validation_error_is_gone(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["required"] == ["type", "title", "status", "code"]
    assert set(schemas["Problem"]["properties"]) == {
        "type", "title", "status", "detail", "code", "errors", "retry_after",
    }  # fmt: skip
    for name, operation in _operations(document).items():
        refusals = {code: r for code, r in operation["responses"].items() if "400" <= code < "500"}
        assert "422" in refusals, name
        for code, response in refusals.items():
            assert response["content"] == PROBLEM, (name, code)
            assert response["description"], (name, code)


def test_each_operation_lists_what_it_can_refuse(document: dict[str, Any]) -> None:
    def refusals(name: str) -> list[str]:
        return sorted(c for c in _operations(document)[name]["responses"] if c >= "400")

    assert refusals("GET /api/v1/wallet") == ["401", "422"]
    assert refusals("GET /api/v1/products/{product_id}") == ["404", "422"]
    assert refusals("GET /api/v1/operator/users") == ["401", "403", "422"]
    assert refusals("POST /api/v1/orders/{order_id}/cancel") == [
        "401", "403", "404", "409", "413", "422",
    ]  # fmt: skip
    assert refusals("POST /api/v1/tokens") == ["400", "401", "403", "413", "422", "429"]
    assert refusals("POST /api/v1/users") == ["400", "409", "413", "422"]
    assert refusals("POST /api/v1/conversations/{conversation_id}/messages") == [
        "400", "401", "403", "404", "409", "413", "422", "429",
    ]  # fmt: skip
    assert refusals("POST /api/v1/payments/gateways/{gateway}/notifications") == [
        "400", "401", "404", "413", "422",
    ]  # fmt: skip
    limited = _operations(document)["POST /api/v1/tokens"]["responses"]["429"]
    assert set(limited["headers"]) == {"Retry-After"}


def test_the_health_check_documents_its_own_503(document: dict[str, Any]) -> None:
    degraded = _operations(document)["GET /healthz"]["responses"]["503"]
    assert list(degraded["content"]) == ["application/json"]


def test_pages_stay_out_of_the_document(document: dict[str, Any]) -> None:
    outside = [path for path in document["paths"] if not path.startswith("/api/")]
    assert outside == ["/healthz"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (f"/api/v1/cart/items/{ANY_ID}", "DELETE, PUT"),
        (f"/api/v1/stores/{ANY_ID}/products", "GET, POST"),
        ("/api/v1/wallet", "GET"),
    ],
)
def test_a_method_not_allowed_says_which_are(client: TestClient, path: str, allowed: str) -> None:
    for method in ("TRACE", "PATCH"):
        response = client.request(method, path)
        assert_problem(response, 405, "http_405")
        assert response.headers["allow"] == allowed


def test_a_page_not_allowed_says_so_too(client: TestClient) -> None:
    response = client.request("TRACE", "/signin", headers={"Accept": "text/html"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("text/html")
