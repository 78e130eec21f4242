"""Errors of privacy and consent."""

from __future__ import annotations

from agora.core.errors import N_, InvalidInput


class UnknownConsent(InvalidInput):
    code = "unknown_consent"

    def __init__(self) -> None:
        super().__init__(N_("There is no such consent."), errors=[{"field": "kind"}])
