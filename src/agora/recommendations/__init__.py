"""Recommendations: behaviour events, the shopper profile, trained recommenders and their feeds."""
