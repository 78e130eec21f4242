"""The red-envelope API: send, read, grab; outsiders get 404; refusals are problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

from chat.world import auth
from factories import assert_problem
from red_envelopes.world import FUNDS, World


def test_send_read_and_grab_over_http(client: TestClient, world: World) -> None:
    alice, bob = auth(world.uow, world.people["alice"]), auth(world.uow, world.people["bob"])
    sent = client.post(
        f"/api/v1/conversations/{world.group}/red-envelopes",
        json={"kind": "lucky", "total": 900, "shares": 3, "greeting": "新年快乐"},
        headers={**alice, "Idempotency-Key": "env-1"},
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["total"] == {"amount": 900, "currency": "CNY"}
    assert (body["shares"], body["shares_left"], body["status"]) == (3, 3, "open")
    again = client.post(
        f"/api/v1/conversations/{world.group}/red-envelopes",
        json={"kind": "lucky", "total": 900, "shares": 3, "greeting": "新年快乐"},
        headers={**alice, "Idempotency-Key": "env-1"},
    )
    assert again.json()["id"] == body["id"]
    assert world.wallet("alice") == FUNDS - 900

    grabbed = client.post(f"/api/v1/red-envelopes/{body['id']}/grab", headers=bob)
    assert grabbed.status_code == 200, grabbed.text
    share = grabbed.json()["amount"]["amount"]
    assert grabbed.json()["envelope"]["mine"] == {"amount": share, "currency": "CNY"}
    assert "grabs" not in grabbed.json()["envelope"]  # who got how much: the envelope's GET
    assert_problem(
        client.post(f"/api/v1/red-envelopes/{body['id']}/grab", headers=bob),
        409,
        "red_envelope_already_grabbed",
    )
    read = client.get(f"/api/v1/red-envelopes/{body['id']}", headers=bob).json()
    assert [g["display_name"] for g in read["grabs"]] == ["Bob"]
    assert read["luckiest"] is None


def test_outsiders_get_404_and_refusals_are_problems(client: TestClient, world: World) -> None:
    alice, erin = auth(world.uow, world.people["alice"]), auth(world.uow, world.people["erin"])
    envelope = world.send(total=300, shares=3)
    assert_problem(
        client.get(f"/api/v1/red-envelopes/{envelope.id}", headers=erin),
        404,
        "red_envelope_not_found",
    )
    assert_problem(
        client.post(f"/api/v1/red-envelopes/{envelope.id}/grab", headers=erin),
        404,
        "red_envelope_not_found",
    )
    assert_problem(
        client.post(
            f"/api/v1/conversations/{world.group}/red-envelopes",
            json={"kind": "lucky", "total": 300, "shares": 3},
            headers=erin,
        ),
        404,
        "conversation_not_found",
    )
    before = world.snapshot()
    assert_problem(
        client.post(
            f"/api/v1/conversations/{world.group}/red-envelopes",
            json={"kind": "lucky", "total": 300, "shares": 3, "source": "credit"},
            headers=alice,
        ),
        422,
        "credit_orders_only",
    )
    problem = assert_problem(
        client.post(
            f"/api/v1/conversations/{world.direct}/red-envelopes",
            json={"kind": "single", "total": 20_001},
            headers=alice,
        ),
        422,
        "red_envelope_invalid",
    )
    assert problem["errors"][0]["field"] == "amount"
    assert world.snapshot() == before
