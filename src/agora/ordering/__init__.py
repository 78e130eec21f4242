"""Cart, checkout and orders (PRODUCT.md part C)."""
