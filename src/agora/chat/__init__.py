"""Chat (PRODUCT.md J): 1:1 and group conversations, sequenced messages, the WebSocket gateway."""
