"""Consents a shopper gives or withdraws, each separately (PRODUCT.md P).

Every consent is off until the shopper switches it on: Agora reads chats for shopping intent,
personalises from behaviour, or shares data with partner apps only with that explicit yes.
"""

from __future__ import annotations

from agora.core.errors import N_

# What the shopper writes in chats is read for shopping intent (the chat assistant).
CHAT_ASSISTANT = "chat_assistant"
# Behaviour events are recorded and feeds are personalised from them.
PERSONALISED_RECOMMENDATIONS = "personalised_recommendations"
# Partner apps the shopper signs in to may receive their profile and orders.
PARTNER_SHARING = "partner_sharing"

CONSENT_KINDS: tuple[str, ...] = (CHAT_ASSISTANT, PERSONALISED_RECOMMENDATIONS, PARTNER_SHARING)

CONSENT_TITLES = {
    CHAT_ASSISTANT: N_("Shopping suggestions from my chats"),
    PERSONALISED_RECOMMENDATIONS: N_("Personalised recommendations from what I view and buy"),
    PARTNER_SHARING: N_("Share my data with partner apps I sign in to"),
}
