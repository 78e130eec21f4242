"""Privacy and consent (PRODUCT.md P): separate consents with their log, the versioned privacy
agreement, "download my data" and "delete my account".

Events this context emits (outbox):
- ``privacy.consent_changed`` {"user_id", "kind", "granted"}: a consent was given or withdrawn;
  the contexts that hold what it allowed (behaviour events, chat inferences) erase it on a
  withdrawal.
- ``privacy.agreement_published`` {"version"}: shoppers are asked to accept it at next sign-in.
- ``privacy.export_ready`` {"user_id", "export_id"} (topic ``user:{id}``): a download is ready.
- ``privacy.account_erased`` {"user_id"}: the account was erased in the database (see
  ``privacy.erasure`` for what went and what stays); a context keeping anything about the user
  outside the database (in-memory models, caches) drops it in a handler.

Privacy sits on identity; export and erasure walk the tables of every context through
``Base.metadata`` by name, never by importing them, so no context depends on privacy and a new
table with a ``users.id`` column is exported and erased without an edit here.
"""

from agora.privacy import handlers as _handlers
from agora.privacy import jobs as _jobs
from agora.privacy.agreements import (
    AGREEMENT_PUBLISHED,
    Acceptance,
    accept_agreement,
    agreement_pending,
    agreement_state,
    current_agreement,
    list_agreements,
    my_acceptance,
    publish_agreement,
)
from agora.privacy.cache import AgreementCache, cache_of
from agora.privacy.domain import (
    BLOCKERS,
    CHAT_ASSISTANT,
    CONSENT_KINDS,
    CONSENT_TITLES,
    ERASED_NAME,
    EXPIRED,
    EXPORT_DAYS,
    PARTNER_SHARING,
    PERSONALISED_RECOMMENDATIONS,
    QUEUED,
    READY,
)
from agora.privacy.erasure import ACCOUNT_ERASED, blockers, erase_account
from agora.privacy.errors import (
    AccountInUse,
    ExportNotFound,
    NoAgreement,
    StaleAgreement,
    UnknownConsent,
    WrongPassword,
)
from agora.privacy.exports import (
    EXPORT_READY,
    ExportView,
    build_export,
    collect_personal_data,
    download_export,
    my_export,
    my_exports,
    read_archive,
    request_export,
)
from agora.privacy.models import (
    AgreementAcceptance,
    Consent,
    ConsentLogEntry,
    DataExport,
    PrivacyAgreement,
)
from agora.privacy.service import (
    CONSENT_CHANGED,
    ConsentChange,
    consent_granted,
    consent_log,
    my_consents,
    set_consent,
)

__all__ = [
    "ACCOUNT_ERASED",
    "AGREEMENT_PUBLISHED",
    "BLOCKERS",
    "CHAT_ASSISTANT",
    "CONSENT_CHANGED",
    "CONSENT_KINDS",
    "CONSENT_TITLES",
    "ERASED_NAME",
    "EXPIRED",
    "EXPORT_DAYS",
    "EXPORT_READY",
    "PARTNER_SHARING",
    "PERSONALISED_RECOMMENDATIONS",
    "QUEUED",
    "READY",
    "Acceptance",
    "AccountInUse",
    "AgreementAcceptance",
    "AgreementCache",
    "Consent",
    "ConsentChange",
    "ConsentLogEntry",
    "DataExport",
    "ExportNotFound",
    "ExportView",
    "NoAgreement",
    "PrivacyAgreement",
    "StaleAgreement",
    "UnknownConsent",
    "WrongPassword",
    "accept_agreement",
    "agreement_pending",
    "agreement_state",
    "blockers",
    "build_export",
    "cache_of",
    "collect_personal_data",
    "consent_granted",
    "consent_log",
    "current_agreement",
    "download_export",
    "erase_account",
    "list_agreements",
    "my_acceptance",
    "my_consents",
    "my_export",
    "my_exports",
    "publish_agreement",
    "read_archive",
    "request_export",
    "set_consent",
]

del _handlers, _jobs
