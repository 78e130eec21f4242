"""Choosing the page language: ?lang=, then the remembered choice, then Accept-Language."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_an_explicit_choice_is_remembered_in_a_cookie(client: TestClient) -> None:
    chosen = client.get("/healthz?lang=zh", headers={"Accept-Language": "en"})

    assert chosen.headers["content-language"] == "zh-CN"
    assert chosen.cookies.get("agora_lang") == "zh"
    assert "Max-Age=31536000" in chosen.headers["set-cookie"]

    later = client.get("/healthz", headers={"Accept-Language": "en"})
    assert later.headers["content-language"] == "zh-CN"
    assert "set-cookie" not in later.headers


def test_the_browser_language_is_followed_without_a_choice(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert response.headers["content-language"] == "zh-CN"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in response.headers
    assert client.get("/healthz").headers["content-language"] == "en"


def test_api_errors_speak_the_chosen_language(client: TestClient) -> None:
    response = client.get("/api/v1/wallet", headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (response.json()["code"], response.json()["title"]) == ("unauthenticated", "请先登录。")
