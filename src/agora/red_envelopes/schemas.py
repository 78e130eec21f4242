"""Red-envelope API input. (Responses, which embed catalog's MoneyOut, live in api.py.)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agora.core.fields import CheckedAmount, JsonInt


class EnvelopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(
        description="single (a 1:1 chat), lucky (random shares) or equal (a group chat)."
    )
    shares: JsonInt = Field(default=1, ge=1, le=1000, description="Number of shares (1 in a 1:1).")
    total: CheckedAmount | None = Field(default=None, description="Fen in the whole envelope.")
    per_share: CheckedAmount | None = Field(
        default=None, description="Fen per share, for an equal or single envelope instead of total."
    )
    greeting: str = Field(default="", max_length=200)
    source: str = Field(default="wallet", description="wallet or treasure (credit: 422).")
    client_id: str | None = Field(
        default=None,
        max_length=64,
        description="A retry with the same client id returns the envelope sent the first time.",
    )
