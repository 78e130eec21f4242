"""Demo shopping assistant: Lin Mei has switched it on and tells Chen Jing she wants a coat, a red
one, so her chat with Chen opens with red coats in the panel beside it (Chen sees none of it).

The messages go through the real send path and the assistant reads them as the app's hook would,
so her state is what the assistant itself understood. Idempotent: the consent is set once, the
messages have fixed client ids (a re-run sends nothing, so nothing is read again).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agora import catalog, chat, privacy
from agora.assistant import hook
from agora.core.uow import UnitOfWork
from agora.demo.chat import CHEN, SHOPPER
from agora.demo.steps import principal
from agora.identity import User

# (key, sender, text): Lin Mei's coat, in both languages as the demo's friends write.
SCRIPT: tuple[tuple[str, str, str], ...] = (
    ("assistant1", SHOPPER, "Thinking of getting a new winter coat 想买件外套"),
    ("assistant2", CHEN, "Ooh, what colour? 什么颜色？"),
    ("assistant3", SHOPPER, "Red, I think — 红色的"),
    ("assistant4", CHEN, "Red suits you 😊 红色很适合你"),
)


def seed_assistant(
    uow: UnitOfWork,
    *,
    shoppers: Mapping[str, User],
    stores: Mapping[str, catalog.Store],
    password: str,
    **_: Any,
) -> dict[str, int]:
    """Counts of what this run added (0 on a re-run)."""
    lin, chen = principal(shoppers[SHOPPER]), principal(shoppers[CHEN])
    switched = privacy.set_consent(uow, actor=lin, kind=privacy.CHAT_ASSISTANT, granted=True)
    conversation = chat.direct_conversation(uow, actor=lin, other_user_id=chen.user_id)
    people = {SHOPPER: lin, CHEN: chen}
    sent = 0
    # Read as the app's hook reads every send, but at once, so the state is there on return.
    with hook.reading_inline(lambda: UnitOfWork(uow.db)):
        for key, sender, text in SCRIPT:
            before = chat.get_conversation(
                uow, actor=people[sender], conversation_id=conversation.id
            )
            message = chat.send_message(
                uow,
                actor=people[sender],
                conversation_id=conversation.id,
                kind="text",
                body={"text": text},
                client_id=f"demo:{key}",
            )
            sent += message.seq > before.last_seq
    return {"assistant_switched_on": int(switched), "assistant_messages": sent}
