"""One error hierarchy for geoleads.

Every error subclasses :class:`GeoleadsError` *and* the builtin it behaves like,
so callers can catch either (the geopy pattern)::

    >>> try:
    ...     raise TipFormatError([(3, "text is empty")])
    ... except ValueError as err:
    ...     print(err)
    row 3: text is empty
"""

from __future__ import annotations

from collections.abc import Iterable


class GeoleadsError(Exception):
    """Base class of every error geoleads raises on purpose."""


class ConfigError(GeoleadsError, ValueError):
    """A setting (environment variable, config file, CLI option) is wrong."""


class TipFormatError(GeoleadsError, ValueError):
    """A tip file has bad rows. ``problems`` lists ``(row_number, reason)``.

    Row numbers count the header of a CSV/XLSX file as row 1, and the first line
    of a JSON Lines file as row 1, as a spreadsheet or an editor shows them.
    """

    def __init__(self, problems: Iterable[tuple[int, str]], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        shown = "\n".join(f"row {row}: {reason}" for row, reason in self.problems[:50])
        more = len(self.problems) - 50
        if more > 0:
            shown += f"\n... and {more} more problems"
        prefix = f"{source}: " if source else ""
        if len(self.problems) > 1 or source:
            shown = f"{prefix}{len(self.problems)} bad row(s):\n{shown}"
        super().__init__(shown)


class GazetteerError(GeoleadsError, RuntimeError):
    """The gazetteer cannot be built or loaded."""


class GazetteerCacheError(GazetteerError):
    """The prepared gazetteer cache is missing, stale or corrupt (it can be rebuilt)."""


class GeocoderServiceError(GeoleadsError, RuntimeError):
    """A configured online or self-hosted geocoder failed."""


class StoreError(GeoleadsError, RuntimeError):
    """The database cannot be read or written (read-only, full disk, bad URL...)."""


class LexiconError(GeoleadsError, ValueError):
    """A lexicon file in data/lexicons/ is malformed (row, column and reason in the message)."""


class ConflictError(StoreError):
    """A concurrent change won (e.g. another analyst reviewed the tip first): re-read, retry."""


class NotFoundError(GeoleadsError, LookupError):
    """An object, tip or user that was asked for does not exist."""


class ExportError(GeoleadsError, RuntimeError):
    """An export or dissemination package cannot be written."""


class MapError(GeoleadsError, RuntimeError):
    """A map cannot be built or would load something from outside (a CDN)."""


class SubmissionError(GeoleadsError, ValueError):
    """A public tip submission is refused. ``field`` names the form field, ``code`` the reason."""

    def __init__(self, field: str, code: str, message: str) -> None:
        self.field = field
        self.code = code
        super().__init__(message)


class BatchError(GeoleadsError, RuntimeError):
    """A batch run cannot start or finish (output folder of another input, a failed task...)."""
