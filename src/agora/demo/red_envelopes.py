"""The demo's red envelopes, in the demo chats (demo/chat.py):

- in the group "Deal hunters": Lin Mei's lucky envelope of ¥8.88 in 3 shares, opened by Wang Lei
  and Chen Jing (one share left, open for 24 hours after seeding, then refunded like any);
- in the group: Wang Lei's lucky envelope of ¥20.00 in 3 shares, opened by all three — finished,
  so its page names the luckiest;
- in Wang Lei and Lin Mei's 1:1 chat: Wang Lei's ¥6.66 envelope, opened by Lin Mei.

Each sender's wallet is first topped up at the sandbox bank. Everything goes through the public
use cases; each step runs once under ``agora-demo:red_envelopes:<step>`` in the acting user's
scope, so a second ``agora demo`` replays them and adds nothing. Without the demo chats (a
partial seed) nothing is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from agora import catalog, chat, red_envelopes
from agora.core.uow import UnitOfWork
from agora.demo.chat import GROUP_TITLE
from agora.demo.steps import principal, relay, run_once, top_up
from agora.identity import Principal, User

SHOPPER, WANG, CHEN = "shopper@agora.demo", "wang.lei@agora.demo", "chen.jing@agora.demo"
STEP_PREFIX = "agora-demo:red_envelopes:"
TOP_UP = 10_000  # fen, each sender, before the first envelope


def _group(uow: UnitOfWork, wang: Principal) -> uuid.UUID | None:
    return next(
        (
            c.id
            for c in chat.list_conversations(uow, actor=wang)
            if c.kind == "group" and c.owner_id == wang.user_id and c.title == GROUP_TITLE
        ),
        None,
    )


def seed_red_envelopes(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, catalog.Store], password: str
) -> dict[str, Any]:
    """Send and open the demo envelopes; returns what this run added."""
    if not all(email in shoppers for email in (SHOPPER, WANG, CHEN)):
        return {"red_envelopes": 0, "red_envelope_grabs": 0}
    lin, wang, chen = (principal(shoppers[e]) for e in (SHOPPER, WANG, CHEN))
    group = _group(uow, wang)
    if group is None:
        return {"red_envelopes": 0, "red_envelope_grabs": 0}
    direct = chat.direct_conversation(uow, actor=wang, other_user_id=lin.user_id).id
    counts = {"red_envelopes": 0, "red_envelope_grabs": 0}

    def step(actor: Principal, name: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        ran, body = run_once(uow, actor, STEP_PREFIX + name, action)
        if ran and "envelope_id" in body:
            counts["red_envelope_grabs" if name.startswith("grab") else "red_envelopes"] += 1
        return dict(body)

    for who in (lin, wang):
        step(who, "top-up", partial(top_up, uow, who, TOP_UP))
    relay(uow)

    def send(actor: Principal, conversation: uuid.UUID, **fields: Any) -> dict[str, Any]:
        envelope = red_envelopes.send(uow, actor=actor, conversation_id=conversation, **fields)
        return {"envelope_id": str(envelope.id)}

    def grab(actor: Principal, envelope_id: str) -> dict[str, Any]:
        outcome = red_envelopes.grab(uow, actor=actor, envelope_id=uuid.UUID(envelope_id))
        return {"envelope_id": envelope_id, "amount": outcome.amount}

    lucky = step(
        lin,
        "send-lin-lucky",
        partial(
            send, lin, group, kind="lucky", total=888, shares=3, greeting="周末快乐 Happy weekend!"
        ),
    )["envelope_id"]
    step(wang, "grab-lin-lucky", partial(grab, wang, lucky))
    step(chen, "grab-lin-lucky", partial(grab, chen, lucky))

    finished = step(
        wang,
        "send-wang-lucky",
        partial(send, wang, group, kind="lucky", total=2000, shares=3, greeting="恭喜发财"),
    )["envelope_id"]
    for who in (lin, chen, wang):
        step(who, "grab-wang-lucky", partial(grab, who, finished))

    single = step(
        wang,
        "send-wang-single",
        partial(send, wang, direct, kind="single", total=666, greeting="Thanks for the tip!"),
    )["envelope_id"]
    step(lin, "grab-wang-single", partial(grab, lin, single))
    return counts
