"""Payments tables."""
