"""One-time form keys: a page form that creates an order or moves money carries a key rendered
with it (``form_key()`` in templates), used as the ``Idempotency-Key`` of its use case, so a
double click or a resubmitted form does the thing once and the repeat lands where the first did.

Forms without a key (an old page, a hand-made request) still work, without that protection.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from fastapi import Request

from agora.core.errors import InvalidInput
from agora.core.i18n import gettext as _
from agora.core.idempotency import run_idempotent
from agora.core.money import parse_amount
from agora.core.security import request_digest
from agora.core.uow import UnitOfWork
from agora.identity import Principal

MAX_KEY_LENGTH = 64


def run_once(
    request: Request,
    uow: UnitOfWork,
    actor: Principal,
    key: str,
    fields: str,
    action: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Run ``action`` once per (actor, form key); a repeat returns the first run's result.

    ``fields`` is what the form asked for, so the same key sent with other values is refused.
    ``action`` returns a JSON-able dict (typically where to go next), which is what is replayed.
    """
    digest = request_digest("POST", request.url.path, fields)
    result = run_idempotent(
        uow,
        scope=f"user:{actor.user_id}",
        key=key[:MAX_KEY_LENGTH] or None,
        request_hash=digest,
        action=lambda: (200, action()),
    )
    body: dict[str, Any] = result.body
    return body


def yuan_amount(raw: str) -> int:
    """A money field as typed ("88", "88.00") in fen; 422 with a hint for anything else."""
    try:
        return parse_amount(raw)
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(_("Enter an amount in yuan, e.g. 88.00.")) from exc
