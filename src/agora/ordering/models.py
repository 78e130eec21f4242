"""Ordering tables."""
