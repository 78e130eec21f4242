"""Demo data for `agora demo`: a shop that is alive on first run."""
