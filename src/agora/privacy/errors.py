"""Errors of privacy and consent."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound
from agora.core.i18n import gettext
from agora.privacy.domain import BLOCKERS


class UnknownConsent(InvalidInput):
    code = "unknown_consent"

    def __init__(self) -> None:
        super().__init__(N_("There is no such consent."), errors=[{"field": "kind"}])


class NoAgreement(NotFound):
    code = "no_agreement"

    def __init__(self) -> None:
        super().__init__(N_("No privacy agreement has been published."))


class StaleAgreement(Conflict):
    code = "agreement_superseded"

    def __init__(self) -> None:
        super().__init__(
            N_("A newer version of the privacy agreement has been published. Read it and accept.")
        )


class ExportNotFound(NotFound):
    code = "export_not_found"

    def __init__(self) -> None:
        super().__init__(N_("There is no such download, or it has expired."))


class WrongPassword(InvalidInput):
    code = "wrong_password"

    def __init__(self) -> None:
        message = N_("That password is not right.")
        super().__init__(message, errors=[{"field": "password", "message": message}])


class AccountInUse(Conflict):
    """The account still has business that erasing it would break; ``reasons`` says which."""

    code = "account_in_use"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            N_("Your account cannot be deleted yet: finish what is listed first."),
            reasons=[{"code": code, "message": gettext(BLOCKERS[code])} for code in reasons],
        )
        self.reasons = reasons
