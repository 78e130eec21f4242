"""Every context's tables, imported so that ``Base.metadata`` is complete (migrations, tests)."""

from agora.assistant import models as assistant_models
from agora.bargain import models as bargain_models
from agora.catalog import models as catalog_models
from agora.chat import models as chat_models
from agora.core import models as core_models
from agora.core.db import Base
from agora.credit import models as credit_models
from agora.groupbuy import models as groupbuy_models
from agora.identity import models as identity_models
from agora.inventory import models as inventory_models
from agora.ledger import models as ledger_models
from agora.live import models as live_models
from agora.logistics import models as logistics_models
from agora.ordering import models as ordering_models
from agora.payments import models as payments_models
from agora.payouts import models as payouts_models
from agora.points import models as points_models
from agora.privacy import models as privacy_models
from agora.recommendations import models as recommendations_models
from agora.red_envelopes import models as red_envelopes_models
from agora.referrals import models as referrals_models
from agora.reputation import models as reputation_models
from agora.reviews import models as reviews_models
from agora.sharing import models as sharing_models
from agora.social import models as social_models
from agora.treasure import models as treasure_models

metadata = Base.metadata

__all__ = [
    "assistant_models",
    "bargain_models",
    "catalog_models",
    "chat_models",
    "core_models",
    "credit_models",
    "groupbuy_models",
    "identity_models",
    "inventory_models",
    "ledger_models",
    "live_models",
    "logistics_models",
    "metadata",
    "ordering_models",
    "payments_models",
    "payouts_models",
    "points_models",
    "privacy_models",
    "recommendations_models",
    "red_envelopes_models",
    "referrals_models",
    "reputation_models",
    "reviews_models",
    "sharing_models",
    "social_models",
    "treasure_models",
]
