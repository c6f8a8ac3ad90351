"""Dissemination package for one country: what a liaison officer sends to a national unit.

A zip holding, for the objects whose tips point to the country:

* ``README.txt`` — what is inside and how it was made;
* ``summaries.json`` — those objects' summaries (the ``geoleads summarize`` JSON);
* ``regions.xlsx`` / ``regions_<level>.csv`` — their regional summaries, with
  the country's own regions and places;
* ``tips.csv`` and ``tips.jsonl`` — every tip with a reading in the country, with
  its review status and the places it names;
* ``report.pdf`` — the printable report;
* ``maps/<object>.html`` — standalone lead maps (open from disk, no internet) and
  ``maps/<object>.png`` static pictures;
* ``manifest.json`` — every other file with its size and SHA-256.

The zip is written to a temporary file and renamed, so a failure leaves nothing
half-written. :func:`verify_package` checks a received zip against its manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geoleads.errors import ExportError, NotFoundError
from geoleads.export import geo, regional, report, staticmap, tables

#: Objects that get maps (the ones with the largest share in the country).
MAX_MAPS = 20
#: An object belongs in a country's package when the country holds at least
#: this share of it (or is its verdict country).
MIN_SHARE = 0.05
MANIFEST = "manifest.json"


def safe_name(text: str, used: set[str] | None = None) -> str:
    """A file name made of ``text`` that cannot leave its folder.

    >>> safe_name("../../etc/passwd"), safe_name("OBJ 7/ü")
    ('etc_passwd', 'OBJ_7_ü')
    """
    name = re.sub(r"[^\w.-]+", "_", text, flags=re.UNICODE).strip("._") or "object"
    name = name[:80]
    if used is not None:
        base, n = name, 2
        while name.lower() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.lower())
    return name


def country_share(summary: Mapping[str, Any], country: str) -> float:
    """The share of ``country`` in one summary entry (0 when absent)."""
    for entry in summary.get("countries") or []:
        if entry.get("code") == country:
            return float(entry.get("share") or 0.0)
    return 0.0


def objects_for_country(
    results: Sequence[Any], country: str, min_share: float = MIN_SHARE
) -> list[Any]:
    """Results whose tips point to ``country`` (share >= ``min_share`` or verdict there)."""
    chosen = []
    for res in results:
        summary = res.summary or {}
        if country_share(summary, country) >= min_share or verdict_country(summary) == country:
            chosen.append(res)
    return chosen


def verdict_country(summary: Mapping[str, Any]) -> str | None:
    """The country of an object's verdict (``None`` when the verdict is ``none``).

    >>> verdict_country({"verdict": {"level": "admin1", "code": "PL.77"}})
    'PL'
    >>> verdict_country({"verdict": {"level": "locality", "code": "3094802"},
    ...                  "localities": [{"geonameid": 3094802, "country": "PL"}]})
    'PL'
    """
    verdict = summary.get("verdict") or {}
    level, code = verdict.get("level"), str(verdict.get("code") or "")
    if level == "country":
        return code or None
    if level == "admin1":
        return code.split(".")[0] or None
    if level == "locality":
        for entry in summary.get("localities") or []:
            if str(entry.get("geonameid")) == code:
                return entry.get("country")
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _map_html(result: Any) -> bytes | None:
    """A standalone lead map of one object, or ``None`` when the maps module is absent."""
    try:
        from geoleads.maps import lead_map, save_map
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "map.html"
        save_map(lead_map(result, standalone=True), out, standalone=True)
        return out.read_bytes()


def build_package(
    results: Sequence[Any],
    country: str,
    path: str | Path,
    *,
    tips: Iterable[Any] | None = None,
    reviews: Mapping[str, str] | None = None,
    gazetteer: Any = None,
    min_share: float = MIN_SHARE,
    maps: bool = True,
    step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the dissemination zip of ``country`` to ``path``; return its manifest.

    Raises :class:`~geoleads.errors.NotFoundError` when no object points to the
    country, :class:`~geoleads.errors.ExportError` when the zip cannot be written.
    """
    country = country.upper()
    note = step or (lambda _msg: None)
    if gazetteer is None:
        from geoleads.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    try:
        country_name = gazetteer.country(country).name
    except LookupError as err:
        raise NotFoundError(f"unknown country code {country!r}") from err
    chosen = objects_for_country(results, country, min_share)
    if not chosen:
        raise NotFoundError(f"no object's tips point to {country} ({country_name})")
    texts = {t.tip_id: t.text for t in tips} if tips is not None else None
    tip_meta = {t.tip_id: t for t in tips} if tips is not None else {}
    files: dict[str, bytes] = {}

    note(f"{len(chosen)} object(s) point to {country}: summarising")
    leads = regional.leads_frame(chosen, reviews, texts)
    frames = {
        lv: regional.regional_summary(chosen, lv, leads=leads, gazetteer=gazetteer)
        for lv in regional.LEVELS
    }
    frames = {lv: f[f["country"] == country].reset_index(drop=True) for lv, f in frames.items()}
    files["summaries.json"] = _json([r.summary for r in chosen])
    with tempfile.TemporaryDirectory() as tmp:
        tables.write_xlsx(frames, Path(tmp) / "regions.xlsx", meta={"country": country})
        files["regions.xlsx"] = (Path(tmp) / "regions.xlsx").read_bytes()
        for lv, frame in frames.items():
            tables.write_csv(frame, Path(tmp) / f"{lv}.csv")
            files[f"regions_{lv}.csv"] = (Path(tmp) / f"{lv}.csv").read_bytes()
        note("collecting the tips that point there")
        tip_table = regional.tip_rows(chosen, leads=leads, country=country)
        tip_table.insert(2, "received_at", [_received(tip_meta, t) for t in tip_table["tip_id"]])
        tables.write_csv(tip_table, Path(tmp) / "tips.csv")
        files["tips.csv"] = (Path(tmp) / "tips.csv").read_bytes()
    files["tips.jsonl"] = "".join(
        json.dumps(rec, ensure_ascii=False) + "\n" for rec in tip_table.to_dict("records")
    ).encode("utf-8")

    note("drawing maps and the report")
    basemap = staticmap.basemap_for(gazetteer)
    used: set[str] = set()
    level = "admin1"
    mapped = sorted(chosen, key=lambda r: -country_share(r.summary or {}, country))[:MAX_MAPS]
    for res in mapped:
        name = safe_name(str(res.object_id), used)
        rows = frames[level][frames[level]["object_id"] == res.object_id]
        files[f"maps/{name}.png"] = staticmap.map_png(
            geo.with_geometry(rows, level, gazetteer), basemap=basemap,
            title=f"{res.object_id}: share per region in {country_name}",
        )  # fmt: skip
        if maps:
            page = _map_html(res)
            if page is not None:
                files[f"maps/{name}.html"] = page
    campaign = regional.campaign_summary(frames[level], objects=len(chosen))
    picture = staticmap.map_png(
        geo.with_geometry(campaign.rename(columns={"mean_share": "share"}), level, gazetteer),
        basemap=basemap,
        title=f"{country_name}: mean share per region over {len(chosen)} object(s)",
    )
    meta = {"country": f"{country} ({country_name})", "objects": len(chosen),
            "tips pointing there": len(tip_table)}  # fmt: skip
    rep = report.build_report(
        chosen, frames[level], campaign, picture, level=level,
        title=f"Dissemination package: {country_name}", meta=meta,
    )  # fmt: skip
    files["report.pdf"] = report.render_pdf(rep)
    readme = _readme(country, country_name, chosen, len(tip_table), files)
    if len(mapped) < len(chosen):
        readme += (f"Maps: the {len(mapped)} objects with the largest share in {country_name}: "
                   + ", ".join(str(r.object_id) for r in mapped) + "\n")  # fmt: skip
    files["README.txt"] = readme.encode("utf-8")
    manifest = {
        "country": country,
        "country_name": country_name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "generator": f"geoleads {_version()}",
        "objects": [r.object_id for r in chosen],
        "tips": len(tip_table),
        "files": [
            {"path": name, "bytes": len(data), "sha256": sha256(data)}
            for name, data in sorted(files.items())
        ],
    }
    files[MANIFEST] = _json(manifest)
    _write_zip(files, Path(path))
    return manifest


def _received(tip_meta: Mapping[str, Any], tip_id: str) -> str:
    tip = tip_meta.get(tip_id)
    return tip.received_at.isoformat() if tip is not None else ""


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("geoleads")
    except PackageNotFoundError:
        return "unknown"


def _readme(
    country: str, name: str, chosen: Sequence[Any], n_tips: int, files: Mapping[str, bytes]
) -> str:
    has_html = any(f.endswith(".html") for f in files)
    lines = [
        f"geoleads dissemination package: {name} ({country})",
        "",
        f"{len(chosen)} object(s) whose public tips point to {name}; {n_tips} tip(s) name a place",
        "there. Tips are anonymous and unverified: a ranking is a lead, not evidence.",
        "",
        "summaries.json        the objects' summaries (rankings per level, verdict)",
        "regions.xlsx          regional summaries in this country (a sheet per level, readme)",
        "regions_<level>.csv   the same as CSV (cells starting with = + - @ are prefixed by ')",
        "tips.csv, tips.jsonl  the tips pointing here, with review status and places named",
        "report.pdf            printable report: map, rankings, supporting tips, method notes",
        "maps/<object>.png     static map of each object's regions in this country",
    ]
    if has_html:
        lines.append("maps/<object>.html    standalone lead map (opens from disk, no internet)")
    lines += [
        "manifest.json         size and SHA-256 of every other file",
        "",
        "Check the files: sha256sum each file and compare with manifest.json.",
        "Places: GeoNames (CC BY 4.0); borders: Natural Earth (public domain).",
        "",
        "Objects: " + ", ".join(str(r.object_id) for r in chosen),
    ]
    return "\n".join(lines) + "\n"


def _write_zip(files: Mapping[str, bytes], path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"cannot write {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".geoleads-", suffix=".zip", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                zf.writestr(name, data)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {err}") from err


def verify_package(path: str | Path | io.BytesIO) -> list[str]:
    """Problems found checking a package against its manifest (empty when it is intact)."""
    problems = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return [f"{MANIFEST} is missing"]
        manifest = json.loads(zf.read(MANIFEST))
        listed = {f["path"] for f in manifest.get("files", [])}
        for entry in manifest.get("files", []):
            if entry["path"] not in names:
                problems.append(f"{entry['path']}: missing")
                continue
            data = zf.read(entry["path"])
            if sha256(data) != entry["sha256"] or len(data) != entry["bytes"]:
                problems.append(f"{entry['path']}: checksum does not match")
        problems += [f"{n}: not in the manifest" for n in sorted(names - listed - {MANIFEST})]
    return problems


def tips_frame(path: str | Path) -> pd.DataFrame:
    """The ``tips.jsonl`` of a package as a DataFrame (for notebooks)."""
    with zipfile.ZipFile(path) as zf:
        return pd.read_json(io.BytesIO(zf.read("tips.jsonl")), lines=True, dtype=False)
