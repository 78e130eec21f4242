"""Red envelopes (PRODUCT.md F): money sent into a chat in shares that members grab."""
