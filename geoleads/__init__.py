"""geoleads."""

from geoleads._native import guard as _guard

_guard()  # never import a compiled module older than its .py (see geoleads._native)
