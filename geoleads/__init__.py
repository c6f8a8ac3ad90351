"""geoleads."""
