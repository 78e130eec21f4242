"""Privacy and consent (PRODUCT.md P): separate consents with their log; more to come in this
context: the versioned privacy agreement, "download my data" and "delete my account"."""

from agora.privacy.domain import (
    CHAT_ASSISTANT,
    CONSENT_KINDS,
    CONSENT_TITLES,
    PARTNER_SHARING,
    PERSONALISED_RECOMMENDATIONS,
)
from agora.privacy.errors import UnknownConsent
from agora.privacy.models import Consent, ConsentLogEntry
from agora.privacy.service import CONSENT_CHANGED, consent_granted, my_consents, set_consent

__all__ = [
    "CHAT_ASSISTANT",
    "CONSENT_CHANGED",
    "CONSENT_KINDS",
    "CONSENT_TITLES",
    "PARTNER_SHARING",
    "PERSONALISED_RECOMMENDATIONS",
    "Consent",
    "ConsentLogEntry",
    "UnknownConsent",
    "consent_granted",
    "my_consents",
    "set_consent",
]
