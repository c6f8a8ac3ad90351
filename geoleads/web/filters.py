"""Page state kept in the URL query string: tip filters, sorting, pagination.

Every filter, sort order and page lives in the address, so a view can be
bookmarked, shared with a colleague or reloaded and shows the same thing.

>>> f = TipFilter.from_args({"lang": "pl", "status": "unreviewed", "page": "2"})
>>> f.language, f.status, f.page
('pl', 'unreviewed', 2)
>>> f.query(page=3)
{'lang': 'pl', 'status': 'unreviewed', 'page': 3}
>>> TipFilter.from_args({"from": "2024-13-01", "status": "bogus"}).date_from is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

REVIEW_STATUSES = ("credible", "doubtful", "spam", "duplicate")
STATUS_FILTERS = ("unreviewed", "reviewed", *REVIEW_STATUSES)
PER_PAGE_CHOICES = (25, 50, 100, 200)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _word(value: str | None, limit: int = 40) -> str | None:
    value = (value or "").strip()[:limit]
    return value or None


@dataclass(frozen=True)
class TipFilter:
    """Filters of an object's tip list (language, dates, review status, country, has-place)."""

    language: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    country: str | None = None
    has_place: bool | None = None
    q: str | None = None
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TipFilter:
        """Parse request arguments; anything invalid is ignored rather than trusted."""
        status = args.get("status")
        country = (args.get("country") or "").strip().upper()
        has = args.get("has_place")
        per_page = _int(args.get("per_page"), 50, 1, 200)
        return cls(
            language=_word(args.get("lang"), 35),
            date_from=_date(args.get("from")),
            date_to=_date(args.get("to")),
            status=status if status in STATUS_FILTERS else None,
            country=country if len(country) == 2 and country.isalpha() else None,
            has_place={"yes": True, "no": False}.get(has or ""),
            q=_word(args.get("q"), 200),
            page=_int(args.get("page"), 1, 1, 1_000_000),
            per_page=per_page,
        )

    def query(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments of this filter (with ``changes``), defaults left out."""
        f = replace(self, **changes)
        out: dict[str, Any] = {}
        names = {
            "language": "lang",
            "date_from": "from",
            "date_to": "to",
            "has_place": "has_place",
        }
        for fld in fields(f):
            value = getattr(f, fld.name)
            if value is None or value == fld.default:
                continue
            if isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(value, date):
                value = value.isoformat()
            out[names.get(fld.name, fld.name)] = value
        return out

    @property
    def active(self) -> bool:
        """True when any filter (not just the page) is set."""
        return bool(set(self.query()) - {"page", "per_page"})


OBJECT_SORTS = ("object_id", "tips", "new", "unreviewed", "last_tip", "confidence")


@dataclass(frozen=True)
class ObjectListState:
    """Sorting and filtering of the objects page."""

    sort: str = "last_tip"
    order: str = "desc"
    q: str | None = None
    verdict: str | None = None
    country: str | None = None
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ObjectListState:
        """Parse request arguments, ignoring anything invalid."""
        sort = args.get("sort") or "last_tip"
        country = (args.get("country") or "").strip().upper()
        verdict = args.get("verdict")
        return cls(
            sort=sort if sort in OBJECT_SORTS else "last_tip",
            order="asc" if args.get("order") == "asc" else "desc",
            q=_word(args.get("q"), 200),
            verdict=verdict
            if verdict in ("none", "country", "admin1", "locality", "any", "pending")
            else None,
            country=country if len(country) == 2 and country.isalpha() else None,
            page=_int(args.get("page"), 1, 1, 1_000_000),
            per_page=_int(args.get("per_page"), 50, 1, 500),
        )

    def query(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments (with ``changes``), defaults left out."""
        s = replace(self, **changes)
        return {
            f.name: getattr(s, f.name)
            for f in fields(s)
            if getattr(s, f.name) is not None and getattr(s, f.name) != f.default
        }

    def sort_link(self, column: str) -> dict[str, Any]:
        """Arguments for a column header: sort by it, flip the order when already sorted."""
        order = "asc" if self.sort == column and self.order == "desc" else "desc"
        return self.query(sort=column, order=order, page=1)
