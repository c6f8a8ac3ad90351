"""Shared fixtures: the real gazetteer (built once by ``make gazetteer``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 (fixtures)

from geoleads.gazetteer import Gazetteer, get_gazetteer

TESTS = Path(__file__).parent
DATA = TESTS / "data"


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The full offline gazetteer, loaded once per test session."""
    return get_gazetteer()
