"""Tips and ObjectResult-shaped results for the export tests, from the real gazetteer.

The leads are real gazetteer readings of the place names each tip names; the
summaries rank them by summed weight, which is all the exporters read. The
pipeline tests (``test_export_pipeline.py``) use the real ``summarize_tips``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from geoleads.gazetteer import Gazetteer
from geoleads.tips import Tip

HOSTILE = '=HYPERLINK("http://x","y")'

#: (tip_id, object_id, text, places the tip points to: locality names or country codes)
TIPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("T1", "OBJ-PL", "Widziałem tę butelkę w Krakowie, Kraków", ("Kraków",)),
    ("T2", "OBJ-PL", HOSTILE + " Kraków", ("Kraków",)),
    ("T3", "OBJ-PL", "To polski szampon, sprzedawany w Polsce", ("PL",)),
    ("T4", "OBJ-PL", "Sold in Tarnów and Kraków <script>alert(1)</script>", ("Tarnów", "Kraków")),
    ("T5", "OBJ-PL", "Θεσσαλονίκη, το είδα εκεί", ("Thessaloníki",)),
    ("T6", "OBJ-GR", "Το είδα στη Θεσσαλονίκη", ("Thessaloníki",)),
    ("T7", "OBJ-GR", "Θεσσαλονίκη, Ελλάδα", ("Thessaloníki", "GR")),
    ("T8", "OBJ-GR", "Бачив у Києві (Київ)", ("Kyiv",)),
    ("T9", "OBJ-UA", "Продається тільки в Україні, Київ", ("Kyiv", "UA")),
    ("T10", "OBJ-UA", "Kraków? no idea", ("Kraków",)),
    ("T11", "OBJ-UA", "no place here", ()),
)

REVIEWS = {"T1": "credible", "T2": "doubtful", "T6": "credible", "T9": "spam"}


@dataclass
class Result:
    """The fields of contract 6's ObjectResult that the exporters read."""

    object_id: str
    summary: dict[str, Any]
    leads: pd.DataFrame
    surface: pd.DataFrame = field(default_factory=pd.DataFrame)
    credible_regions: dict[int, Any] = field(default_factory=dict)


def make_tips() -> list[Tip]:
    when = datetime(2024, 5, 1, 10, tzinfo=UTC)
    return [Tip(tid, oid, text, when) for tid, oid, text, _ in TIPS]


def _place(gaz: Gazetteer, name: str) -> Any:
    if len(name) == 2 and name.isupper():
        return gaz.country(name)
    found = gaz.candidates(name, levels=("locality",))
    assert found, f"{name} is not in the gazetteer"
    return found[0]


def _ranking(leads: pd.DataFrame, level: str, gaz: Gazetteer) -> list[dict[str, Any]]:
    if level == "country":
        key = leads["country"]
    elif level == "admin1":
        key = leads["admin1"].where(leads["level"] != "country")
    else:
        key = leads["geonameid"].where(leads["level"] == "locality")
    df = leads.assign(key=key).dropna(subset=["key"])
    total = df["weight"].sum()
    out = []
    for k, grp in sorted(df.groupby("key"), key=lambda kv: -kv[1]["weight"].sum()):
        share = round(float(grp["weight"].sum() / total), 4)
        tips = int(grp["tip_id"].nunique())
        if level == "country":
            out.append({"code": k, "name": gaz.country(k).name, "share": share, "tips": tips})
        elif level == "admin1":
            a = gaz.admin1(k)
            out.append({"code": k, "name": a.name, "country": a.country, "share": share,
                        "tips": tips})  # fmt: skip
        else:
            p = gaz.by_geonameid(int(k))
            out.append({"geonameid": int(k), "name": p.name, "country": p.country,
                        "admin1": p.admin1, "lat": p.lat, "lon": p.lon, "share": share,
                        "tips": tips})  # fmt: skip
    return out


def make_results(gaz: Gazetteer) -> list[Result]:
    """One Result per object of :data:`TIPS`, in first-seen order."""
    rows: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    for tid, oid, text, names in TIPS:
        counts[oid] = counts.get(oid, 0) + 1
        rows.setdefault(oid, [])
        for name in names:
            p = _place(gaz, name)
            rows[oid].append({
                "tip_id": tid, "text": text, "kind": "place", "mention": name,
                "geonameid": p.geonameid, "name": p.name, "level": p.level,
                "country": p.country, "admin1": p.admin1, "lat": p.lat, "lon": p.lon,
                "weight": 1.0 / len(names),
            })  # fmt: skip
    results = []
    for oid, lead_rows in rows.items():
        leads = pd.DataFrame(lead_rows)
        summary: dict[str, Any] = {
            "object_id": oid,
            "tips": counts[oid],
            "tips_with_places": int(leads["tip_id"].nunique()),
            "countries": _ranking(leads, "country", gaz),
            "admin1": _ranking(leads, "admin1", gaz),
            "localities": _ranking(leads, "locality", gaz),
        }
        top = summary["countries"][0]
        summary["verdict"] = {"level": "country", "code": top["code"], "name": top["name"],
                              "confidence": top["share"]}  # fmt: skip
        results.append(Result(oid, summary, leads))
    return results
