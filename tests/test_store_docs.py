"""The examples in the docstrings of the store and the tip readers run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "geoleads.tips",
    "geoleads.store",
    "geoleads.store.audit",
    "geoleads.store.engine",
    "geoleads.store.imports",
    "geoleads.store.jobs",
    "geoleads.store.objects",
    "geoleads.store.reviews",
    "geoleads.store.schema",
    "geoleads.store.users",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_store_public_functions_are_documented() -> None:
    import geoleads.store as store

    missing = [n for n in store.__all__ if not (getattr(store, n).__doc__ or "").strip()]
    assert missing == []
