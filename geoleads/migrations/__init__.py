"""Alembic migrations of the geoleads store, run programmatically by
:func:`geoleads.store.schema.upgrade` (``geoleads db upgrade``); no ``alembic.ini``
is needed. New revision: ``.venv/bin/python -m geoleads.store.schema revision -m "..."``.
"""
