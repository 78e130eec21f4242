"""Assistant errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, InvalidInput


class UnknownPart(InvalidInput):
    code = "assistant_unknown_part"
    title = N_("The assistant has not inferred that; nothing was removed.")
