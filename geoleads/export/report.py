"""Printable reports: HTML (one self-contained file) and PDF, with a static map.

A report holds a static map picture, the campaign ranking over the exported
objects, each object's verdict and ranking with its strongest supporting tips,
and the method notes. Tip texts are escaped in HTML (Jinja autoescape) and drawn
as plain text in the PDF: nothing in a tip is ever interpreted.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geoleads.errors import ExportError

#: Rows of each ranking shown in a report.
TOP_ROWS = 10
#: Objects listed in the overview table / detailed with their rankings.
MAX_OVERVIEW = 200
MAX_DETAILED = 40

METHOD_NOTES = (
    "Tips are anonymous and unverified. geoleads finds the places each tip mentions "
    "(place names in any European language, demonyms, language clues, coordinates, map "
    "links, postal codes) and geocodes them with an offline gazetteer (GeoNames, CC BY 4.0).",
    "Each reading is weighted by its confidence, by the tip's review status and by how many "
    "places the tip names; the weights of one object's tips are spread on a grid (H3) — a "
    "village reading as a small kernel, a region or country reading over its area.",
    "share is the object's probability mass in a region (0..1). tips counts the tips the "
    "narrowing model assigns to the region; raw tips are distinct tips with at least 10% of "
    "their weight there; weighted tips add the weights of the readings there.",
    "The verdict is the finest level at which the tips converge with enough confidence; "
    "'none' means they do not converge (sold everywhere, or too few tips).",
    "Admin1 outlines are approximate unless real boundaries were supplied; country borders "
    "are Natural Earth (public domain). A ranking is a lead for investigators, not evidence.",
)

_COLS = ("rank", "name", "code", "country", "share", "tips", "raw_tips", "credible_tips")


@dataclass
class Report:
    """Everything a printed regional summary shows."""

    title: str
    level: str
    campaign: pd.DataFrame
    objects: list[dict[str, Any]]
    map_png: bytes
    generated: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    meta: dict[str, Any] = field(default_factory=dict)
    overview: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def build_report(
    results: Sequence[Any],
    table: pd.DataFrame,
    campaign: pd.DataFrame,
    map_png: bytes,
    *,
    level: str,
    title: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Report:
    """Collect a :class:`Report` from results, their regional table and the campaign table."""
    objects = []
    ranked = sorted(results, key=lambda r: -int((r.summary or {}).get("tips") or 0))
    overview = pd.DataFrame(
        [_overview_row(r) for r in ranked[:MAX_OVERVIEW]],
        columns=["object", "tips", "with places", "verdict", "confidence"],
    ).astype(str)
    for res in ranked[:MAX_DETAILED]:
        summary = res.summary or {}
        rows = table[table["object_id"] == res.object_id].head(TOP_ROWS)
        objects.append(
            {
                "object_id": res.object_id,
                "tips": summary.get("tips"),
                "tips_with_places": summary.get("tips_with_places"),
                "verdict": summary.get("verdict") or {"level": "none"},
                "ranking": _display(rows),
                "quotes": [
                    (str(r["name"]), str(r["top_tips"]).split(" | "))
                    for _, r in rows.head(3).iterrows()
                    if r["top_tips"]
                ],
            }
        )
    notes = []
    if len(results) > MAX_OVERVIEW:
        notes.append(f"The overview lists the {MAX_OVERVIEW} objects with the most tips of "
                     f"{len(results)}; every object is in the XLSX/CSV exports.")  # fmt: skip
    if len(results) > MAX_DETAILED:
        notes.append(f"Rankings are detailed for the {MAX_DETAILED} objects with the most tips.")
    return Report(
        title=title or f"Regional summary ({level})",
        level=level,
        campaign=_display(campaign.head(TOP_ROWS * 2), campaign=True),
        objects=objects,
        map_png=map_png,
        meta=dict(meta or {}),
        overview=overview,
        notes=notes,
    )


def _overview_row(res: Any) -> list[Any]:
    summary = res.summary or {}
    verdict = summary.get("verdict") or {}
    conf = verdict.get("confidence")
    return [
        res.object_id,
        summary.get("tips"),
        summary.get("tips_with_places"),
        _verdict_text(verdict).split(" (")[0] if verdict.get("level") not in (None, "none")
        else "none",
        f"{float(conf):.2f}" if conf is not None else "",
    ]  # fmt: skip


def _display(frame: pd.DataFrame, campaign: bool = False) -> pd.DataFrame:
    cols = (
        ("name", "code", "country", "objects", "verdict_objects", "mean_share", "raw_tips")
        if campaign
        else _COLS
    )
    out = frame[[c for c in cols if c in frame]].copy()
    for col in ("share", "mean_share"):
        if col in out:
            out[col] = out[col].map(lambda v: f"{float(v):.3f}" if pd.notna(v) else "")
    return out.fillna("").astype(str)


def _verdict_text(verdict: Mapping[str, Any]) -> str:
    if not verdict or verdict.get("level") in (None, "none"):
        return "no convergence (verdict: none)"
    conf = verdict.get("confidence")
    conf_text = f", confidence {float(conf):.2f}" if conf is not None else ""
    return f"{verdict.get('name')} ({verdict.get('level')} {verdict.get('code')}{conf_text})"


# --- HTML ------------------------------------------------------------------
_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>{{ r.title }}</title>
<style>
body{font-family:DejaVu Sans,Arial,sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #bbb;padding:2px 6px;font-size:.85em}
th{background:#eee}img{max-width:100%}.quote{font-size:.85em;color:#444;margin:.2em 0 .2em 1em}
section{page-break-inside:avoid}@media print{body{margin:0}}
</style></head><body>
<h1>{{ r.title }}</h1>
<p>Generated {{ r.generated }}{% for k, v in r.meta.items() %} · {{ k }}: {{ v }}{% endfor %}</p>
<img alt="map of the ranked regions" src="data:image/png;base64,{{ png }}">
{% for n in r.notes %}<p><i>{{ n }}</i></p>{% endfor %}
<h2>Objects</h2>
{{ table(r.overview) }}
<h2>Campaign ranking ({{ r.level }})</h2>
{{ table(r.campaign) }}
{% for o in r.objects %}<section>
<h2>Object {{ o.object_id }}</h2>
<p>{{ o.tips }} tips, {{ o.tips_with_places }} with places.
Verdict: <b>{{ verdict(o.verdict) }}</b></p>
{{ table(o.ranking) }}
{% for name, quotes in o.quotes %}<p><b>{{ name }}</b> — supporting tips:</p>
{% for q in quotes %}<p class="quote">{{ q }}</p>{% endfor %}{% endfor %}
</section>{% endfor %}
<h2>Method notes</h2>
{% for n in notes %}<p>{{ n }}</p>{% endfor %}
</body></html>
"""


def _html_table(frame: pd.DataFrame) -> Any:
    from markupsafe import Markup, escape

    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return Markup(f"<table><tr>{head}</tr>{body}</table>")


def render_html(report: Report) -> str:
    """The report as one HTML page (map picture inlined, no outside requests)."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    template = env.from_string(_HTML)
    return template.render(
        r=report,
        png=base64.b64encode(report.map_png).decode("ascii"),
        table=_html_table,
        verdict=_verdict_text,
        notes=METHOD_NOTES,
    )


def write_html(report: Report, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.write_text(render_html(report), encoding="utf-8")
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path


# --- PDF -------------------------------------------------------------------
def _font_paths() -> tuple[Path, Path]:
    """DejaVu Sans (Latin, Greek, Cyrillic) as shipped inside matplotlib."""
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4, DejaVu Sans so every European script prints)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = _font_paths()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(report.title)
    pdf.set_creator("geoleads")
    pdf.add_page()

    def para(text: str, size: float = 9, style: str = "") -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(frame: pd.DataFrame) -> None:
        """Fixed-width rows, long cells cut with an ellipsis (fast for long tables)."""
        if frame.empty:
            para("(no rows)")
            return
        cells = [list(map(str, frame.columns)), *([str(v) for v in r] for r in frame.values)]
        longest = [min(max(len(row[i]) for row in cells), 40) + 2 for i in range(len(cells[0]))]
        widths = [pdf.epw * n / sum(longest) for n in longest]
        for k, row in enumerate(cells):
            pdf.set_font("DejaVu", "B" if k == 0 else "", 7)
            for w, text in zip(widths, row, strict=True):
                fit = max(int(w / 1.35), 3)
                shown = text if len(text) <= fit else text[: fit - 1] + "…"
                pdf.cell(w, 4, shown, border=1)
            pdf.ln(4)
        pdf.ln(2)

    para(report.title, 16, "B")
    meta = " · ".join(f"{k}: {v}" for k, v in report.meta.items())
    para(f"Generated {report.generated}" + (f" · {meta}" if meta else ""), 8)
    pdf.ln(2)
    pdf.image(io.BytesIO(report.map_png), w=pdf.epw)
    pdf.ln(2)
    for n in report.notes:
        para(n, 8)
    para("Objects", 12, "B")
    table(report.overview)
    para(f"Campaign ranking ({report.level})", 12, "B")
    table(report.campaign)
    for obj in report.objects:
        para(f"Object {obj['object_id']}", 12, "B")
        para(
            f"{obj['tips']} tips, {obj['tips_with_places']} with places. "
            f"Verdict: {_verdict_text(obj['verdict'])}"
        )
        table(obj["ranking"])
        for name, quotes in obj["quotes"]:
            para(f"{name} — supporting tips:", 8.5, "B")
            for q in quotes:
                para("   " + q, 8)
        pdf.ln(2)
    para("Method notes", 12, "B")
    for note in METHOD_NOTES:
        para(note, 8.5)
        pdf.ln(1)
    return bytes(pdf.output())


def write_pdf(report: Report, path: str | Path) -> Path:
    path = Path(path)
    try:
        path.write_bytes(render_pdf(report))
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err}") from err
    return path
