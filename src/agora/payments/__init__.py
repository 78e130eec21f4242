"""Agora Pay (PRODUCT.md part D): wallets, bank gateways, funding-source switches."""
