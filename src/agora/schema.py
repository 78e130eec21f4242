"""Every context's tables, imported so that ``Base.metadata`` is complete (migrations, tests)."""

from agora.catalog import models as catalog_models
from agora.chat import models as chat_models
from agora.core import models as core_models
from agora.core.db import Base
from agora.identity import models as identity_models
from agora.inventory import models as inventory_models
from agora.ledger import models as ledger_models
from agora.ordering import models as ordering_models
from agora.payments import models as payments_models
from agora.sharing import models as sharing_models
from agora.social import models as social_models

metadata = Base.metadata

__all__ = [
    "catalog_models",
    "chat_models",
    "core_models",
    "identity_models",
    "inventory_models",
    "ledger_models",
    "metadata",
    "ordering_models",
    "payments_models",
    "sharing_models",
    "social_models",
]
