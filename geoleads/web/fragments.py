"""Escaped HTML of table rows and page pieces, rendered once per process for the same data.

The objects page and the tip tables render the same rows again and again (50 objects,
up to 200 tips). A row's HTML depends only on the row's data and, for tip rows, on
whether the viewer may review (the row's checkbox) and whether the object is shown:
those values are the memo's key, so a fragment never carries another user's or role's
content. Nothing session-bound (CSRF tokens) is in a row.

:func:`piece` does the same for any macro of the page shell (top bar, filter form,
pager, rankings): its key is the macro, the request's script root and every argument
(typed, so ``1``, ``True`` and ``"1"`` differ). Such a macro may use only its arguments
and ``url_for`` — never ``current_user``, ``session``, ``csrf_token()`` or ``request``
(``tests/test_web_fragments.py`` checks the templates for that).

Examples
--------
>>> _bounded_get({}, ("k",), lambda: "v")
'v'
>>> _freeze({"page": 2, "q": Markup("a")}) != _freeze({"page": 2, "q": "a"})
True
>>> _freeze([True]) != _freeze([1])
True
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import get_template_attribute, request
from markupsafe import Markup

#: fragments per kind; cleared when full (a process serves a bounded set of rows)
_LIMIT = 20_000
_OBJECT_ROWS: dict[Hashable, Markup] = {}
_TIP_ROWS: dict[Hashable, Markup] = {}
_PIECES: dict[Hashable, Markup] = {}


def _bounded_get(memo: dict[Any, Any], key: Hashable, make: Callable[[], Any]) -> Any:
    """``memo[key]``, made by ``make()`` on a miss; the memo is emptied when full."""
    value = memo.get(key)
    if value is None:
        if len(memo) >= _LIMIT:
            memo.clear()
        value = memo[key] = make()
    return value


def _summary_key(summary: dict[str, Any] | None) -> Hashable:
    """What the objects row shows of a summary: the verdict and the top 3 countries."""
    if not summary:
        return None
    v = summary.get("verdict") or {}
    countries = tuple((c.get("name"), c.get("share")) for c in summary.get("countries", [])[:3])
    return (v.get("level"), v.get("name"), v.get("confidence"), countries)


def object_row(r: Any, url: str) -> Markup:
    """The ``<tr>`` of one objects-page row (``templates/_rows.html``, ``object_row``);
    ``url`` is the object page's URL."""
    key = (
        url,
        r.object_id,
        r.title,
        r.tips,
        r.new,
        r.unreviewed,
        r.last_tip,
        _summary_key(r.summary),
    )
    return _bounded_get(
        _OBJECT_ROWS,
        key,
        lambda: Markup(get_template_attribute("_rows.html", "object_row")(r, url)),
    )


def tip_row(tip: Any, text: Markup, index: int, can_review: bool, show_object: bool) -> Markup:
    """The ``<tr>`` of one tip (``templates/_rows.html``, ``tip_row``); ``text`` is the
    tip's highlighted, escaped text."""
    impact = getattr(tip, "impact", None)
    key = (
        request.script_root,
        tip.tip_id,
        text,  # the same Markup object when highlight.cached_highlight made it: hashed once
        isinstance(text, Markup),  # a plain str is escaped when rendered
        tip.status,
        tip.reviewer,
        tip.received_at,
        tip.language,
        tip.places,
        tip.object_id,
        impact,
        index,
        bool(can_review),
        bool(show_object),
    )
    return _bounded_get(
        _TIP_ROWS,
        key,
        lambda: Markup(
            get_template_attribute("_rows.html", "tip_row")(
                tip, text, index, can_review, show_object, impact
            )
        ),
    )


def tip_rows(tips: Any, can_review: bool, show_object: bool) -> Markup:
    """The rows of ``tips`` (``[(tip, highlighted text)]``) joined, numbered from 1."""
    return Markup(
        "\n".join(
            tip_row(tip, text, index, can_review, show_object)
            for index, (tip, text) in enumerate(tips, 1)
        )
    )


def _freeze(value: Any) -> Hashable:
    """A hashable key of ``value`` that keeps its type (dicts and lists walked)."""
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, list) or type(value) is tuple:
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    # a NamedTuple or a frozen dataclass: its fields and their types are fixed by its class
    hash(value)  # anything else must be hashable (a frozen dataclass, a date, a str...)
    return (type(value), value)


def piece(template: str, macro: str, *args: Any) -> Markup:
    """``macro(*args)`` of ``template``, rendered once per process for the same arguments
    and script root (the macro must use nothing but its arguments and ``url_for``)."""
    key = (template, macro, request.script_root, _freeze(args))
    return _bounded_get(
        _PIECES,
        key,
        lambda: Markup(get_template_attribute(template, macro)(*args)),
    )
