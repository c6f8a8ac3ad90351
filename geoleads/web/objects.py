"""Objects list, one object's page (rankings, timeline, tips) and its lead map."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from geoleads.web import queries, tipqueries
from geoleads.web.exports import export_formats
from geoleads.web.filters import PER_PAGE_CHOICES, STATUS_FILTERS, ObjectListState, TipFilter
from geoleads.web.fragments import object_row, piece, tip_rows
from geoleads.web.highlight import cached_highlight
from geoleads.web.security import MAP_CSP
from geoleads.web.state import store, summaries, visits
from geoleads.web.timeline import timeline_svg

bp = Blueprint("objects", __name__)
bp.add_app_template_global(tip_rows, "tip_rows")  # memoised rows of _tip_table.html
bp.add_app_template_global(piece, "piece")  # memoised page pieces (_pieces.html, pager)

#: the object page's ranking tables: summary key, heading
RANKINGS = (("countries", "Countries"), ("admin1", "Regions"), ("localities", "Towns"))


class Rank(NamedTuple):
    """One shown row of a ranking table."""

    name: str | None
    country: str | None
    tips: int | None
    share: float


def ranking_tables(summary: dict[str, Any]) -> tuple[tuple[str, str, tuple[Rank, ...]], ...]:
    """What the ranking tables show: per table the first 8 entries with tips or a share
    of at least 1 %."""
    tables = []
    for key, label in RANKINGS:
        shown = [
            Rank(r.get("name"), r.get("country"), r.get("tips"), r.get("share") or 0.0)
            for r in summary.get(key) or []
            if r.get("tips") or (r.get("share") or 0.0) >= 0.01
        ]
        tables.append((key, label, tuple(shown[:8])))
    return tuple(tables)


#: (script root, object id) -> URL of the object page: the objects page links 50 of them
_DETAIL_URLS: dict[tuple[str, str], str] = {}


def detail_url(object_id: str) -> str:
    """``url_for("objects.detail", object_id=...)``, remembered per process (a link
    depends only on the app's URL map and the request's script root)."""
    key = (request.script_root, object_id)
    url = _DETAIL_URLS.get(key)
    if url is None:
        if len(_DETAIL_URLS) > 50_000:
            _DETAIL_URLS.clear()
        url = _DETAIL_URLS[key] = url_for("objects.detail", object_id=object_id)
    return url


@bp.get("/objects")
def index() -> Any:
    """Every object with tip counts, new tips since the user's last visit, verdict, top regions."""
    state = ObjectListState.from_args(request.args)
    rows = queries.object_rows(store(), summaries(), visits().of(current_user.username))
    summaries().warm([r.object_id for r in rows if r.summary is None])
    shown = queries.filter_sort_objects(rows, state)
    total = len(shown)
    start = (state.page - 1) * state.per_page
    return render_template(
        "objects.html",
        rows=shown[start : start + state.per_page],
        total=total,
        all_count=len(rows),
        state=state,
        pages=max(1, -(-total // state.per_page)),
        detail_url=detail_url,
        object_row=object_row,
    )


@bp.get("/objects/<path:object_id>/map")
def lead_map(object_id: str) -> Any:
    """The object's lead map as a page of its own, embedded in the object page by an iframe."""
    if not queries.object_exists(store(), object_id):
        abort(404, description=f"no object {object_id!r}")
    html = summaries().map_html(object_id)
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = MAP_CSP
    return resp


def _data_stamp(object_id: str, flt: TipFilter, stamp: tuple[Any, ...]) -> tuple[Any, ...]:
    """What the tips matching ``flt`` depend on: the reviews only when it filters on them;
    the tips still waiting for the geoparser when it filters on mentions (they gain theirs
    later); otherwise only the tips (count, last tip: tips are only ever added)."""
    if flt.status is not None:
        return tuple(stamp)
    if flt.country or flt.has_place is not None:
        return (*stamp[:2], tipqueries.pending_geoparse(store(), object_id))
    return tuple(stamp[:2])


@bp.get("/objects/<path:object_id>")
def detail(object_id: str) -> Any:
    """Rankings, map, timeline and the filtered, paginated tip list of one object.

    The selection's count and timeline (one GROUP BY day) and the page's tip ids are
    memoised per object, filter and data stamp; the page's rows (current reviews,
    places) and the highlighting are read and done for the shown tips only."""
    if not queries.object_exists(store(), object_id):
        abort(404, description=f"no object {object_id!r}")
    flt = TipFilter.from_args(request.args)
    cache = summaries()
    cached, stale = cache.current_or_stale(object_id)
    stamp = cached.stamp
    current = cache.stamp(object_id)  # the tips now (a stale summary keeps its old stamp)
    data = _data_stamp(object_id, flt, current)
    selection = tuple(sorted(flt.query(page=1).items()))

    def count_and_timeline() -> list[Any]:
        per_day = tipqueries.tips_per_day(store(), object_id, flt)
        # every tip has a received_at: the days add up to the selection's count
        if flt.active:
            total = sum(per_day.values())
        else:
            total = tipqueries.count_tips(store(), object_id, flt)
        return [total, str(timeline_svg(per_day))]

    # shared with the other server processes and the next start (files in the cache)
    total, svg = cache.memo(
        ("selection", object_id, data, selection), count_and_timeline, shared=True
    )
    timeline = Markup(svg)  # our own SVG, from timeline_svg (which escapes what it draws)
    ids: list[str] = []
    if (flt.page - 1) * flt.per_page < total:  # no query for a page past the matches
        ids = cache.memo(
            ("page_ids", object_id, data, selection, flt.page, flt.per_page),
            lambda: tipqueries.page_ids(store(), object_id, flt),
            shared=True,
        )
    tips, spans = tipqueries.tips_with_spans(store(), ids)
    page = tipqueries.TipPage(tips, total)
    rendered = [(tip, cached_highlight(tip.text, spans.get(tip.tip_id, []))) for tip in page.tips]
    previous = visits().record(current_user.username, object_id, int(stamp[0]))
    since = previous.at if previous is not None else None
    return render_template(
        "object.html",
        object_id=object_id,
        summary=cached.summary,
        rankings=ranking_tables(cached.summary or {}),
        stale=stale,
        meta=queries.object_meta(store(), object_id, int(stamp[2]) if len(stamp) > 2 else 0),
        flt=flt,
        page=page,
        tips=rendered,
        since=since,
        timeline=timeline,
        languages=tuple(
            cache.memo(
                ("languages", object_id, tuple(current[:2])),
                lambda: tipqueries.languages(store(), object_id),
            )
        ),
        statuses=STATUS_FILTERS,
        per_page_choices=PER_PAGE_CHOICES,
        pages=max(1, -(-page.total // flt.per_page)),
        exports=export_formats(),
    )
