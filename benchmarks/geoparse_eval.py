"""Score ``geoleads geoparse`` on the public English geoparsing corpora.

Reads LGL, TR-News and GeoWebNews from ``../shared/benchmarks/geoparsing/``
(never copied into this repository) and prints, per corpus:

- recognition precision / recall / F1 of toponym spans, with *overlap* matching
  (a predicted span that overlaps a gold span counts once) and *exact* matching;
- resolution on the gold toponyms we found that have coordinates: accuracy@161 km,
  median and mean error in km, and AUC of the log-error curve (lower is better);
  also the share within 161 km *or* resolved to the gold GeoNames entity itself
  (our countries and regions sit at the centre of their main landmass or shape,
  GeoNames' at another point: Russia is 169 km, Canada 872 km apart);
- the same recognition figures for flashgeotext (and geotext's city/country
  names, which have no offsets, matched by string) on the same documents, with
  flashgeotext's names resolved by our gazetteer's most prominent reading.

Gold for LGL and TR-News: every ``<toponym>``. Gold for GeoWebNews: every
annotation except types ``Non_Toponym`` and ``Homonym``; demonyms and language
names count there, so our demonym/language mentions count too. LGL and TR-News
annotate demonyms ("American", "Egyptian") among their toponyms, so our
``place`` and ``demonym`` mentions count for them (language clues do not).

Usage::

    .venv/bin/python benchmarks/geoparse_eval.py [--corpus LGL] [--limit 100] [--no-baseline]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "benchmarks" / "geoparsing"
if not CORPORA.exists():
    CORPORA = Path("/work/shared/benchmarks/geoparsing")


@dataclass
class Gold:
    start: int
    end: int
    phrase: str
    lat: float | None
    lon: float | None
    geonameid: int | None = None


@dataclass
class Doc:
    text: str
    gold: list[Gold] = field(default_factory=list)


def _float(node: ET.Element | None) -> float | None:
    if node is None or not (node.text or "").strip():
        return None
    return float(node.text)  # type: ignore[arg-type]


def read_lgl(path: Path) -> list[Doc]:
    """LGL and TR-News (same schema); offsets fixed to the phrase when off by a few chars."""
    docs = []
    for art in ET.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        doc = Doc(text)
        for t in art.iter("toponym"):
            start, end = int(t.findtext("start") or 0), int(t.findtext("end") or 0)
            phrase = (t.findtext("phrase") or "").strip()
            if text[start:end] != phrase and phrase:
                near = text.find(phrase, max(0, start - 10))
                if near >= 0 and abs(near - start) <= 10:
                    start, end = near, near + len(phrase)
            gaz = t.find("gaztag")
            lat = _float(gaz.find("lat")) if gaz is not None else None
            lon = _float(gaz.find("lon")) if gaz is not None else None
            gid = gaz.get("geonameid") if gaz is not None else None
            doc.gold.append(Gold(start, end, phrase, lat, lon, int(gid) if gid else None))
        docs.append(doc)
    return docs


def read_gwn(path: Path) -> list[Doc]:
    docs = []
    for art in ET.parse(path).getroot().iter("article"):
        text = art.findtext("text") or ""
        doc = Doc(text)
        for t in art.iter("toponym"):
            if (t.findtext("type") or "") in ("Non_Toponym", "Homonym"):
                continue
            start, end = int(t.findtext("start") or 0), int(t.findtext("end") or 0)
            doc.gold.append(
                Gold(
                    start,
                    end,
                    t.findtext("extractedName") or "",
                    _float(t.find("latitude")),
                    _float(t.find("longitude")),
                    int(t.findtext("geonamesID") or 0) or None,
                )
            )
        docs.append(doc)
    return docs


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(a, 1.0)))


@dataclass
class Prediction:
    start: int
    end: int
    lat: float | None
    lon: float | None
    geonameid: int | None = None


def score(docs: list[Doc], preds: list[list[Prediction]]) -> dict[str, float]:
    tp_o = fp_o = fn_o = tp_e = 0
    n_pred = 0
    errors: list[float] = []
    same_entity = 0
    gold_with_coords = 0
    for doc, pred in zip(docs, preds, strict=True):
        n_pred += len(pred)
        used: set[int] = set()
        for g in doc.gold:
            if g.lat is not None:
                gold_with_coords += 1
            hit = None
            for k, p in enumerate(pred):
                if k not in used and p.start < g.end and g.start < p.end:
                    hit = k
                    break
            if hit is None:
                fn_o += 1
                continue
            used.add(hit)
            tp_o += 1
            p = pred[hit]
            tp_e += (p.start, p.end) == (g.start, g.end)
            if g.lat is not None and g.lon is not None and p.lat is not None and p.lon is not None:
                err = haversine(g.lat, g.lon, p.lat, p.lon)
                if math.isnan(err):
                    err = 20039.0  # a reading without a position counts as the worst
                errors.append(err)
                same = g.geonameid is not None and g.geonameid == p.geonameid
                same_entity += err <= 161 or same
        fp_o += len(pred) - len(used)
    gold_n = sum(len(d.gold) for d in docs)
    prec = tp_o / (tp_o + fp_o) if tp_o + fp_o else 0.0
    rec = tp_o / gold_n if gold_n else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    prec_e = tp_e / n_pred if n_pred else 0.0
    rec_e = tp_e / gold_n if gold_n else 0.0
    f1_e = 2 * prec_e * rec_e / (prec_e + rec_e) if prec_e + rec_e else 0.0
    out = {
        "gold": gold_n,
        "predicted": n_pred,
        "P": prec,
        "R": rec,
        "F1": f1,
        "F1_exact": f1_e,
        "resolved": len(errors),
    }
    if errors:
        out["acc161"] = sum(e <= 161 for e in errors) / len(errors)
        out["acc161_or_same_id"] = same_entity / len(errors)
        out["acc161_all_gold"] = sum(e <= 161 for e in errors) / max(gold_with_coords, 1)
        out["median_km"] = statistics.median(errors)
        out["mean_km"] = statistics.fmean(errors)
        # AUC of the error curve on a log scale, as in Gritta et al. (0 best, 1 worst)
        scaled = sorted(math.log(e + 1) / math.log(20039 + 1) for e in errors)
        out["AUC"] = sum(scaled) / len(scaled)
    return out


def run_geoleads(docs: list[Doc], kinds: tuple[str, ...]) -> tuple[list[list[Prediction]], float]:
    from geoleads.geoparse import Geoparser

    gp = Geoparser()
    started = time.perf_counter()
    preds = []
    for doc in docs:
        found = []
        for m in gp.parse(doc.text):
            if m.kind not in kinds:
                continue
            best = m.best
            found.append(
                Prediction(
                    m.start,
                    m.end,
                    best.lat if best else None,
                    best.lon if best else None,
                    best.geonameid if best else None,
                )
            )
        preds.append(found)
    return preds, time.perf_counter() - started


def run_flashgeotext(docs: list[Doc]) -> tuple[list[list[Prediction]], float] | None:
    try:
        from flashgeotext.geotext import GeoText
    except ImportError:
        return None
    from geoleads.gazetteer import get_gazetteer
    from geoleads.gazetteer.geocoder import OfflineGeocoder

    geocoder = OfflineGeocoder(get_gazetteer())
    geotext = GeoText()
    started = time.perf_counter()
    raw = []
    for doc in docs:
        found = geotext.extract(input_text=doc.text, span_info=True)
        spans = []
        for kind in ("cities", "countries"):
            for name, info in found.get(kind, {}).items():
                for start, end in info.get("span_info", []):
                    spans.append((start, end, name))
        raw.append(sorted(spans))
    took = time.perf_counter() - started
    preds = []
    for spans in raw:
        out = []
        for start, end, name in spans:
            try:
                loc = geocoder.geocode(name)
            except ValueError:  # an entity without coordinates
                loc = None
            if isinstance(loc, list):  # geopy may answer with several locations
                loc = loc[0] if loc else None
            lat = loc.latitude if loc is not None else None
            lon = loc.longitude if loc is not None else None
            out.append(Prediction(start, end, lat, lon))
        preds.append(out)
    return preds, took


def _fmt(name: str, s: dict[str, float], seconds: float) -> str:
    res = (
        f" acc@161 {s['acc161']:.3f} (or same GeoNames id {s['acc161_or_same_id']:.3f};"
        f" of all gold {s['acc161_all_gold']:.3f})"
        f" median {s['median_km']:.0f} km mean {s['mean_km']:.0f} km AUC {s['AUC']:.3f}"
        if "acc161" in s
        else ""
    )
    return (
        f"  {name:<14} P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f}"
        f" (exact F1 {s['F1_exact']:.3f}) pred {s['predicted']:.0f}/gold {s['gold']:.0f}"
        f"{res} [{seconds:.1f} s]"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", choices=["LGL", "TR-News", "GeoWebNews"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents")
    ap.add_argument("--no-baseline", action="store_true", help="skip flashgeotext")
    args = ap.parse_args(argv)
    corpora = {
        "LGL": (CORPORA / "LGL" / "lgl.xml", read_lgl, ("place", "demonym")),
        "TR-News": (CORPORA / "TR-News" / "TR-News.xml", read_lgl, ("place", "demonym")),
        "GeoWebNews": (
            CORPORA / "GeoWebNews" / "GWN.xml",
            read_gwn,
            ("place", "demonym", "language", "macro"),
        ),
    }
    for name in args.corpus or list(corpora):
        path, reader, kinds = corpora[name]
        if not path.exists():
            print(f"{name}: {path} not found", file=sys.stderr)
            continue
        docs = reader(path)
        if args.limit:
            docs = docs[: args.limit]
        print(f"{name}: {len(docs)} documents, {sum(len(d.gold) for d in docs)} gold toponyms")
        preds, took = run_geoleads(docs, kinds)
        print(_fmt("geoleads", score(docs, preds), took))
        if not args.no_baseline:
            base = run_flashgeotext(docs)
            if base is None:
                print("  flashgeotext   not installed (pip install '.[bench]')")
            else:
                print(_fmt("flashgeotext", score(docs, base[0]), base[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
