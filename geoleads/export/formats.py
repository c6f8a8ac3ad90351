"""One entry point for every regional-summary format: :func:`export_summary`.

==========  ===============================================================
format      what is written
==========  ===============================================================
csv         rows of ``level`` (one per object and region, or per region with
            ``campaign=True``), formulas neutralised
xlsx        readme sheet, one sheet per level, a campaign sheet, a tips sheet
geojson     ``level`` rows with region outlines (localities as points)
gpkg        one layer per level plus ``campaign_<level>``
kml         ``level`` rows, a folder per object (opens in Google Earth)
html, pdf   printable report: static map, rankings, supporting tips, method notes
==========  ===============================================================

>>> sorted(FORMATS)
['csv', 'geojson', 'gpkg', 'html', 'kml', 'pdf', 'xlsx']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geoleads.errors import ExportError
from geoleads.export import geo, kml, regional, report, staticmap, tables

FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson", "gpkg", "kml", "pdf", "html")
#: Smallest share of a row in GeoJSON, GeoPackage and KML exports by default.
GEO_MIN_SHARE = 0.01
#: File suffix of each format.
SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "geojson": ".geojson", "gpkg": ".gpkg",
          "kml": ".kml", "pdf": ".pdf", "html": ".html"}  # fmt: skip


def format_for(path: str | Path) -> str:
    """Guess the format from a file name.

    >>> format_for("out/PL.GeoJSON"), format_for("x.json")
    ('geojson', 'geojson')
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "json":
        return "geojson"
    if suffix in FORMATS:
        return suffix
    raise ExportError(f"cannot tell the format of {path}: use one of {', '.join(FORMATS)}")


def select(results: Sequence[Any], objects: Iterable[str] | None) -> list[Any]:
    """The results of the given object ids (all when ``objects`` is empty), in their order."""
    wanted = list(dict.fromkeys(objects or []))
    if not wanted:
        return list(results)
    by_id = {r.object_id: r for r in results}
    missing = [o for o in wanted if o not in by_id]
    if missing:
        from geoleads.errors import NotFoundError

        raise NotFoundError(f"no tips for object(s): {', '.join(missing)}")
    return [by_id[o] for o in wanted]


def export_summary(
    results: Sequence[Any],
    path: str | Path,
    fmt: str | None = None,
    level: str = "country",
    *,
    tips: Iterable[Any] | None = None,
    reviews: Mapping[str, str] | None = None,
    objects: Iterable[str] | None = None,
    campaign: bool = False,
    min_share: float | None = None,
    gazetteer: Any = None,
    title: str | None = None,
    step: Callable[[str], None] | None = None,
) -> Path:
    """Write the regional summary of ``results`` at ``level`` to ``path`` in ``fmt``.

    ``tips`` (the :class:`~geoleads.tips.Tip` records) give full tip texts to
    the excerpts; ``reviews`` maps tip_id -> review status; ``objects`` keeps
    only those object ids. ``campaign=True`` writes one row per region over all
    the objects instead of one per object and region. Rows with a share below
    ``min_share`` are left out (default: none in tables and reports,
    :data:`GEO_MIN_SHARE` in GeoJSON/GPKG/KML, where every row carries an
    outline). ``step`` is called with a short message before each stage.
    """
    fmt = fmt or format_for(path)
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    regional.check_level(level)
    chosen = select(results, objects)
    note = step or (lambda _msg: None)
    texts = {t.tip_id: t.text for t in tips} if tips is not None else None
    if gazetteer is None:
        from geoleads.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    if min_share is None:
        min_share = GEO_MIN_SHARE if fmt in ("geojson", "gpkg", "kml") else 0.0
    note("counting tips per region")
    leads = regional.leads_frame(chosen, reviews, texts)
    levels = regional.LEVELS if fmt in ("xlsx", "gpkg") else (level,)
    full = {
        lv: regional.regional_summary(chosen, lv, leads=leads, gazetteer=gazetteer) for lv in levels
    }
    per_object = full[level]
    overall = regional.campaign_summary(per_object, objects=len(chosen))
    if campaign:
        full = {lv: regional.campaign_summary(t, objects=len(chosen)) for lv, t in full.items()}
    share = "max_share" if campaign else "share"
    frames = {lv: t[t[share] >= min_share].reset_index(drop=True) for lv, t in full.items()}
    table = frames[level]
    meta = {
        "objects": len(chosen),
        "tips": sum(int((r.summary or {}).get("tips") or 0) for r in chosen),
        "level": level,
        "rows": "one per region (campaign)" if campaign else "one per object and region",
    }
    if min_share:
        meta["left out"] = f"rows with share < {min_share:g}"
    note(f"writing {fmt} ({len(table):,} rows at {level} level)")
    # write next to the target and rename: a failure never leaves a half-written file
    final, path = path, path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        _write(fmt, path, level, chosen, frames, table, per_object, overall, leads, levels,
               campaign, meta, gazetteer, title, note)  # fmt: skip
        os.replace(path, final)
    except OSError as err:
        raise ExportError(f"cannot write {final}: {err}") from err
    finally:
        path.unlink(missing_ok=True)
    return final


def _write(
    fmt: str,
    path: Path,
    level: str,
    chosen: list[Any],
    frames: dict[str, Any],
    table: Any,
    per_object: Any,
    overall: Any,
    leads: Any,
    levels: Sequence[str],
    campaign: bool,
    meta: dict[str, Any],
    gazetteer: Any,
    title: str | None,
    note: Callable[[str], None],
) -> Path:
    if fmt == "csv":
        return tables.write_csv(table, path)
    if fmt == "xlsx":
        sheets = dict(frames)
        if not campaign:
            sheets[f"campaign_{level}"] = overall
        sheets["tips"] = regional.tip_rows(chosen, leads=leads)
        stamp = {"generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
        return tables.write_xlsx(sheets, path, meta={**meta, **stamp})
    if fmt == "geojson":
        return geo.write_geojson(geo.with_geometry(table, level, gazetteer), path)
    if fmt == "kml":
        frame = geo.with_geometry(table, level, gazetteer, simplify=0.02)
        return kml.write_kml(frame, path, title=title or f"geoleads {level} summary")
    if fmt == "gpkg":
        layers = {lv: geo.with_geometry(frames[lv], lv, gazetteer) for lv in levels}
        if not campaign:
            layers[f"campaign_{level}"] = geo.with_geometry(overall, level, gazetteer)
        return geo.write_gpkg(layers, path)
    # html / pdf
    note("drawing the static map")
    top = overall.head(staticmap.MAX_REGIONS).rename(columns={"mean_share": "share"})
    picture = staticmap.map_png(
        geo.with_geometry(top, level, gazetteer),
        basemap=staticmap.basemap_for(gazetteer),
        title=f"Mean share per {level} over {len(chosen)} object(s)",
    )
    rep = report.build_report(
        chosen, per_object, overall, picture, level=level, title=title, meta=meta
    )
    if fmt == "html":
        return report.write_html(rep, path)
    return report.write_pdf(rep, path)
