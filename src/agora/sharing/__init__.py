"""Share links and attribution (PRODUCT.md K): short codes, visits, first- and last-touch."""

from agora.sharing import chat_kind as _chat_kind
from agora.sharing import handlers as _handlers
from agora.sharing import referral_facts as referral_facts
from agora.sharing.attribution import attribute_order, attribute_signup
from agora.sharing.domain import CHANNELS, VISITOR_COOKIE, VISITOR_COOKIE_DAYS
from agora.sharing.errors import ShareNotFound, TargetNotFound
from agora.sharing.models import Attribution, Share, ShareVisit, VisitorLink
from agora.sharing.posting import Shared, share_to, share_with_friend
from agora.sharing.report import ReportRow, ShareReport, share_report
from agora.sharing.service import (
    MyShare,
    NewShare,
    ShareView,
    access_share,
    create_share,
    landing_of,
    link_visitor,
    list_my_shares,
    record_visit,
)
from agora.sharing.targets import (
    PRODUCT,
    ShareTarget,
    TargetCard,
    register_target,
    target_of,
    target_types,
)

__all__ = [
    "CHANNELS",
    "PRODUCT",
    "VISITOR_COOKIE",
    "VISITOR_COOKIE_DAYS",
    "Attribution",
    "MyShare",
    "NewShare",
    "ReportRow",
    "Share",
    "ShareNotFound",
    "ShareReport",
    "ShareTarget",
    "ShareView",
    "ShareVisit",
    "Shared",
    "TargetCard",
    "TargetNotFound",
    "VisitorLink",
    "access_share",
    "attribute_order",
    "attribute_signup",
    "create_share",
    "landing_of",
    "link_visitor",
    "list_my_shares",
    "record_visit",
    "register_target",
    "share_report",
    "share_to",
    "share_with_friend",
    "target_of",
    "target_types",
]

del _chat_kind, _handlers
