"""The chat socket against hostile frames: each is answered with an error frame or a close code,
stores nothing, reaches no one else, and the server goes on serving (a fresh socket, an HTTP
request and another client's socket all still work)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from agora import chat
from agora.chat import frames
from agora.chat import sending as chat_sending
from agora.config import Settings, get_settings
from agora.core.uow import UnitOfWork
from chat.conftest import Trio
from chat.world import WAIT, auth, bearer, recv

MiB = 1024 * 1024
TEXT_TITLE = "Text must not contain NUL characters or unpaired surrogates."


def closed_with(ws: WebSocketTestSession) -> int:
    """The close code the server ends ``ws`` with, sending nothing before it."""
    with pytest.raises(WebSocketDisconnect) as closed:
        unexpected = recv(ws)
        pytest.fail(f"{unexpected} came instead of the close")
    return closed.value.code


def error(status: int, code: str, title: str, client_id: str | None = None) -> dict[str, Any]:
    return {"type": "error", "client_id": client_id, "status": status, "code": code, "title": title}


BAD_FRAME = error(400, "bad_frame", "The frame is not a JSON object.")
UNKNOWN_TYPE = error(400, "bad_frame", "Unknown frame type.")
NOT_FOUND = error(404, "conversation_not_found", "This conversation does not exist.")
READ_INPUT = error(422, "invalid_input", "Some of the input is not valid.")


class FrozenClock:
    """Stands in for the gateway's monotonic clock so the frame budget refills only on demand.

    The budget reads the clock once per frame it takes, so ``calls`` also counts frames read.
    """

    def __init__(self) -> None:
        self.now = 1000.0
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.now

    def wait_for_calls(self, ws: WebSocketTestSession, calls: int) -> None:
        """Wait until the gateway has read the clock ``calls`` times (its frames are all read:
        dropped ones leave no other trace)."""

        async def read() -> None:
            with anyio.fail_after(WAIT):
                while self.calls < calls:
                    await anyio.sleep(0)

        ws.portal.call(read)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr(frames, "monotonic", frozen)
    return frozen


@pytest.fixture
def direct(uow: UnitOfWork, trio: Trio) -> uuid.UUID:
    return chat.direct_conversation(uow, actor=trio.alice, other_user_id=trio.bob.user_id).id


@contextmanager
def synced(client: TestClient, token: str) -> Iterator[WebSocketTestSession]:
    """A socket past ``ready`` and a handled empty ``sync`` (two frames of its budget spent): from
    here it only answers what it is sent."""
    with client.websocket_connect(f"/ws?token={token}") as ws:
        assert recv(ws)["type"] == "ready"
        ws.send_json({"type": "sync", "cursors": {}})
        ping_answered(ws, "synced")
        yield ws


@pytest.fixture
def alice(client: TestClient, uow: UnitOfWork, trio: Trio) -> Iterator[WebSocketTestSession]:
    """Bob's peer, connected throughout: she must see nothing of what Bob's socket does."""
    with synced(client, bearer(uow, trio.alice)) as ws:
        yield ws


@pytest.fixture
def bob_token(uow: UnitOfWork, trio: Trio) -> str:
    return bearer(uow, trio.bob)


def ping_answered(ws: WebSocketTestSession, ping_id: str) -> None:
    """The socket answers a ping next: still serving, and nothing else was on its way to it."""
    ws.send_json({"type": "ping", "id": ping_id})
    assert recv(ws) == {"type": "pong", "id": ping_id}


def assert_unharmed(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    alice: WebSocketTestSession,
    bob_token: str,
) -> None:
    """Nothing stored, nothing shown to Alice, and the server still serves sockets and HTTP."""
    assert chat.history(uow, actor=trio.alice, conversation_id=direct, after=0) == []
    ping_answered(alice, "alice-after")
    with client.websocket_connect(f"/ws?token={bob_token}") as fresh:
        assert recv(fresh) == {
            "type": "ready",
            "user_id": str(trio.bob.user_id),
            "conversations": {str(direct): 0},
        }
        ping_answered(fresh, "fresh")
    listed = client.get("/api/v1/conversations", headers=auth(uow, trio.bob))
    assert (listed.status_code, [c["id"] for c in listed.json()]) == (200, [str(direct)])


def send_frame(**fields: Any) -> str:
    """A ``send`` frame of a text message, with ``fields`` replaced (CONV: the conversation)."""
    frame = {
        "type": "send",
        "conversation_id": "CONV",
        "client_id": "c1",
        "kind": "text",
        "body": {"text": "hi"},
    }
    return json.dumps({**frame, **fields})


def refused(raw: str, answer: dict[str, Any] | None, name: str) -> Any:
    return pytest.param(raw, answer, id=name)


SEND_INPUT = error(422, "invalid_input", "Some of the input is not valid.", "c1")
NO_TEXT = {**SEND_INPUT, "detail": "A text message needs its text."}
NO_CLIENT_ID = {**SEND_INPUT, "detail": "A message needs a client id of 1 to 64 characters."}
UNKNOWN_KIND = error(422, "unknown_message_kind", "This kind of message is not supported.", "c1")
BAD_READ = error(422, "invalid_input", "read needs conversation_id and seq.")


def bad_text(field: str, client_id: str | None = None) -> dict[str, Any]:
    """The answer to a NUL or a lone surrogate: which field holds it (a key: the object's)."""
    refusal = error(422, "invalid_text", "Some of the input is not valid.", client_id)
    return {**refusal, "detail": TEXT_TITLE, "errors": [{"field": field}]}


DEEP = "[" * 30_000 + "]" * 30_000  # under the size limit, too deep for any JSON reader

# Each frame as sent (CONV stands for the conversation's id) and the one answer it earns (an
# error frame, but for the pong); None where the frame asks for nothing Bob may have, so it is
# ignored without an answer.
REFUSED = [
    # not JSON, or not a JSON object
    refused("not json", BAD_FRAME, "not-json"),
    refused("[1,2]", BAD_FRAME, "array"),
    refused('"str"', BAD_FRAME, "string"),
    refused("5", BAD_FRAME, "number"),
    refused("null", BAD_FRAME, "null"),
    refused("{", BAD_FRAME, "open-brace"),
    refused("", BAD_FRAME, "empty"),
    refused('{"type":"ping","id":NaN}', BAD_FRAME, "nan"),
    refused('{"type":"sync","cursors":{"CONV":Infinity}}', BAD_FRAME, "infinity"),
    refused('{"type":"ping","id":' + DEEP + "}", BAD_FRAME, "nested-too-deep"),
    # unknown frame types and message kinds
    refused("{}", UNKNOWN_TYPE, "no-type"),
    refused('{"type":"shout"}', UNKNOWN_TYPE, "unknown-type"),
    refused('{"type":["send"],"client_id":"c1"}', {**UNKNOWN_TYPE, "client_id": "c1"}, "type-list"),
    refused(send_frame(kind="shout"), UNKNOWN_KIND, "unknown-kind"),
    refused(send_frame(kind=5), UNKNOWN_KIND, "kind-number"),
    # fields of the wrong type or out of range
    refused(
        '{"type":"sync","cursors":[]}',
        error(422, "invalid_input", "cursors must map conversation ids to seqs."),
        "cursors-list",
    ),
    refused('{"type":"read","conversation_id":"CONV","seq":"x"}', BAD_READ, "read-seq-string"),
    refused('{"type":"read","conversation_id":"CONV","seq":1.5}', BAD_READ, "read-seq-float"),
    refused('{"type":"read","conversation_id":"CONV","seq":-1}', BAD_READ, "read-seq-negative"),
    refused(
        '{"type":"read","conversation_id":"CONV","seq":' + "9" * 30 + "}", BAD_READ, "read-seq-huge"
    ),
    refused('{"type":"read","conversation_id":5,"seq":1}', BAD_READ, "read-conversation-number"),
    refused(send_frame(conversation_id=5), {**NOT_FOUND, "client_id": "c1"}, "send-conv-number"),
    refused(send_frame(conversation_id=None), {**NOT_FOUND, "client_id": "c1"}, "send-conv-null"),
    refused(send_frame(body="text"), NO_TEXT, "body-string"),
    refused(send_frame(body=["hi"]), NO_TEXT, "body-list"),
    refused(send_frame(body={"text": 5}), NO_TEXT, "body-text-number"),
    refused(send_frame(client_id={}), {**NO_CLIENT_ID, "client_id": None}, "client-id-object"),
    refused(send_frame(client_id=""), {**NO_CLIENT_ID, "client_id": ""}, "client-id-empty"),
    refused('{"type":"sync","cursors":{"CONV":' + "9" * 30 + "}}", None, "cursor-huge"),
    refused('{"type":"sync","cursors":{"CONV":1e999}}', None, "cursor-float-overflow"),
    refused('{"type":"sync","cursors":{"CONV":"x"}}', None, "cursor-string"),
    refused('{"type":"sync","cursors":{"not-a-uuid":1}}', None, "cursor-not-a-uuid"),
    # a ping id that is not a string or an integer is not echoed
    refused('{"type":"ping","id":[[{"a":1}]]}', {"type": "pong", "id": None}, "ping-id-nested"),
    # lone surrogates and NUL as JSON escapes, anywhere in the frame
    refused(send_frame(body={"text": "hi \ud800"}), bad_text("body.text", "c1"), "text-surrogate"),
    refused(send_frame(body={"text": "hi \udfff!"}), bad_text("body.text", "c1"), "low-half"),
    refused(send_frame(body={"text": "hi\u0000"}), bad_text("body.text", "c1"), "text-nul"),
    refused(send_frame(client_id="c\ud800"), bad_text("client_id"), "client-id-surrogate"),
    refused(send_frame(client_id="c\u0000"), bad_text("client_id"), "client-id-nul"),
    refused(send_frame(body={"te\u0000xt": "hi"}), bad_text("body", "c1"), "key-nul"),
    refused(send_frame(**{"\ud800": 1}), bad_text("(root)", "c1"), "top-key-surrogate"),
    refused(send_frame(kind="text\ud800"), bad_text("kind", "c1"), "kind-surrogate"),
    refused('{"type":"ping","id":"\\ud800"}', bad_text("id"), "ping-id-surrogate"),
    refused('{"type":"sync","cursors":{"\\u0000":1}}', bad_text("cursors"), "cursor-key-nul"),
    refused('{"type":"shout","x":["a","\\udbff"]}', bad_text("x.1"), "in-a-list"),
    # and as raw characters (no client on the network can send these; the test client can)
    refused('{"type":"ping","id":"\ud800"}', bad_text("id"), "raw-surrogate"),
]


@pytest.mark.parametrize(("raw", "answer"), REFUSED)
def test_a_hostile_frame_is_refused_and_harms_nothing(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    alice: WebSocketTestSession,
    bob_token: str,
    raw: str,
    answer: dict[str, Any] | None,
) -> None:
    with synced(client, bob_token) as bob:
        # when Bob's socket sends the frame
        bob.send_text(raw.replace("CONV", str(direct)))

        # then it is answered by exactly this error frame (or nothing), and the socket goes on
        if answer is not None:
            assert recv(bob) == answer
        ping_answered(bob, "bob-after")
    assert_unharmed(client, uow, trio, direct, alice, bob_token)


def test_a_surrogate_pair_is_text_like_any_other(
    client: TestClient, uow: UnitOfWork, trio: Trio, direct: uuid.UUID, bob_token: str
) -> None:
    with synced(client, bob_token) as bob:
        # when Bob sends an emoji, which JSON escapes as its two surrogate halves
        bob.send_text(send_frame(conversation_id=str(direct), body={"text": "ok \U0001f600"}))

        # then it is stored as the one character it is
        answers = [recv(bob), recv(bob)]
        assert sorted(f["type"] for f in answers) == ["ack", "message"]
    [stored] = chat.history(uow, actor=trio.alice, conversation_id=direct, after=0)
    assert stored.body == {"text": "ok \U0001f600"}


@pytest.mark.parametrize(
    "data", [b"", b'{"type":"ping","id":1}', b"\x00\xff\xfe", bytes(4096)], ids=len
)
def test_a_binary_frame_is_refused(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    alice: WebSocketTestSession,
    bob_token: str,
    data: bytes,
) -> None:
    with synced(client, bob_token) as bob:
        # when Bob's socket sends a binary frame
        bob.send_bytes(data)

        # then it is refused with an error frame, and the socket goes on
        assert recv(bob) == error(400, "bad_frame", "Frames must be JSON text.")
        ping_answered(bob, "bob-after")
    assert_unharmed(client, uow, trio, direct, alice, bob_token)


def padded_ping(length: int) -> str:
    """A valid ping frame exactly ``length`` characters long."""
    frame = '{"type":"ping","id":"%s"}'
    return frame % ("x" * (length - len(frame % "")))


def test_a_frame_at_the_size_limit_is_served(
    client: TestClient, settings: Settings, bob_token: str
) -> None:
    # given the largest frame allowed
    limit = settings.chat_ws_max_frame_chars
    with synced(client, bob_token) as bob:
        # when Bob sends it
        bob.send_text(padded_ping(limit))

        # then it is served as any other
        assert recv(bob) == {"type": "pong", "id": "x" * (limit - len('{"type":"ping","id":""}'))}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda limit, conv: "x" * MiB, id="1MiB-of-text"),
        pytest.param(
            lambda limit, conv: send_frame(conversation_id=conv, body={"text": "y" * MiB}),
            id="1MiB-message",
        ),
        pytest.param(lambda limit, conv: padded_ping(limit + 1), id="one-over-the-limit"),
        pytest.param(lambda limit, conv: "\u4e2d" * (limit + 1), id="wide-characters"),
        pytest.param(lambda limit, conv: "z" * (32 * MiB), id="32MiB"),
    ],
)
def test_a_frame_over_the_size_limit_closes_the_socket_with_1009(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    settings: Settings,
    alice: WebSocketTestSession,
    bob_token: str,
    make: Callable[[int, str], str],
) -> None:
    with synced(client, bob_token) as bob:
        # when Bob sends a frame over the limit
        bob.send_text(make(settings.chat_ws_max_frame_chars, str(direct)))

        # then his socket is closed with "message too big", unanswered
        assert closed_with(bob) == 1009
    assert_unharmed(client, uow, trio, direct, alice, bob_token)


def test_a_binary_frame_over_the_size_limit_closes_the_socket_with_1009(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    alice: WebSocketTestSession,
    bob_token: str,
) -> None:
    with synced(client, bob_token) as bob:
        # when Bob sends 1 MiB as one binary frame
        bob.send_bytes(bytes(MiB))

        # then it is closed as too big, not answered as a mere binary frame
        assert closed_with(bob) == 1009
    assert_unharmed(client, uow, trio, direct, alice, bob_token)


def test_a_flood_of_pings_is_served_up_to_the_burst_then_answered_once_with_429(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    settings: Settings,
    clock: FrozenClock,
    alice: WebSocketTestSession,
    bob_token: str,
) -> None:
    # given Bob's socket with what is left of its burst
    left = settings.chat_ws_frame_burst - 2
    with synced(client, bob_token) as bob:
        # when 1,000 pings arrive at one instant
        read = clock.calls
        for n in range(1000):
            bob.send_json({"type": "ping", "id": n})

        # then what is left of the burst is answered, then one 429 speaks for all the rest
        too_many = {
            **error(429, "rate_limited", "Too many attempts. Please wait and try again."),
            "retry_after": 1,
        }
        answers = [recv(bob) for _ in range(left + 1)]
        assert answers == [{"type": "pong", "id": n} for n in range(left)] + [too_many]
        # and a second flood that later outruns the refill is answered once more, the same way
        clock.wait_for_calls(bob, read + 1000)
        clock.now += 1
        refill = int(settings.chat_ws_frames_per_second)
        for n in range(100):
            bob.send_json({"type": "ping", "id": n})
        answers = [recv(bob) for _ in range(refill + 1)]
        assert answers == [{"type": "pong", "id": n} for n in range(refill)] + [too_many]
        # and once the budget refills the socket serves again, having dropped the rest unanswered
        clock.wait_for_calls(bob, read + 1100)
        clock.now += 1
        ping_answered(bob, "bob-after")
    assert_unharmed(client, uow, trio, direct, alice, bob_token)


def test_a_flood_of_sends_stores_no_more_than_the_service_allows(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    settings: Settings,
    clock: FrozenClock,
    alice: WebSocketTestSession,
    bob_token: str,
) -> None:
    send_limit = get_settings().chat_send_limit  # the service's own limit, which still applies
    admitted = settings.chat_ws_frame_burst - 2
    with synced(client, bob_token) as bob:
        # when Bob fires 1,000 sends at one instant
        read = clock.calls
        for n in range(1000):
            bob.send_text(send_frame(conversation_id=str(direct), client_id=f"c{n}"))

        # then the frames within the burst reach the service, which stores its limit's worth,
        frames = [recv(bob) for _ in range(admitted + 1 + send_limit)]
        acks = [f["client_id"] for f in frames if f["type"] == "ack"]
        echoed = [f["seq"] for f in frames if f["type"] == "message"]
        refused = [(f["client_id"], f["code"]) for f in frames if f["type"] == "error"]
        assert acks == [f"c{n}" for n in range(send_limit)]
        assert echoed == list(range(1, send_limit + 1))
        # and the rest of the burst is refused by the service, the flood beyond it by the socket
        assert refused == [(f"c{n}", "chat_rate_limited") for n in range(send_limit, admitted)] + [
            (None, "rate_limited")
        ]
        clock.wait_for_calls(bob, read + 1000)
        clock.now += 1
        ping_answered(bob, "bob-after")
    stored = chat.history(uow, actor=trio.alice, conversation_id=direct, after=0, limit=100)
    assert [m.client_id for m in stored] == [f"c{n}" for n in range(send_limit)]
    # Alice saw each stored message once, and nothing of the refused ones
    seen = [recv(alice) for _ in range(send_limit)]
    assert [(f["type"], f["seq"]) for f in seen] == [
        ("message", n) for n in range(1, send_limit + 1)
    ]
    ping_answered(alice, "alice-after")


def test_a_failure_inside_frame_handling_closes_that_socket_with_1011_only(
    client: TestClient,
    uow: UnitOfWork,
    trio: Trio,
    direct: uuid.UUID,
    alice: WebSocketTestSession,
    bob_token: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a bug in the service a socket calls
    def broken(*args: Any, **kwargs: Any) -> None:
        raise LookupError("a bug")

    caplog.set_level(logging.ERROR, logger="agora.chat.gateway")
    with synced(client, bob_token) as bob:
        with monkeypatch.context() as patched:
            patched.setattr(chat_sending, "send_message", broken)
            # when Bob sends
            bob.send_text(send_frame(conversation_id=str(direct)))

            # then his socket is closed with 1011 and the failure is logged
            assert closed_with(bob) == 1011
        assert [r.getMessage() for r in caplog.records] == [
            f"chat socket of user {trio.bob.user_id} failed"
        ]
    # and everyone else goes on
    assert_unharmed(client, uow, trio, direct, alice, bob_token)
