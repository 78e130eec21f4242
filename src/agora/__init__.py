"""Agora: a social commerce platform — a marketplace mall joined to a messenger and a wallet."""

__version__ = "0.1.0"
