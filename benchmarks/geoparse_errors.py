"""Why gold toponyms resolve beyond 161 km: an error breakdown for LGL or TR-News.

For every gold toponym we found (overlap) that has coordinates and whose best
reading lies more than 161 km away, the error is put in one of three groups:
``same_id`` (the gold GeoNames entity itself, at another representative point),
``alt`` (a right reading is among the alternatives) or ``none``. Each group is
split by the level of our reading. For ``alt`` localities the breakdown also says
whether the document's other confident places (probability >= 0.5) point to the
right admin1 region, and which rank the right reading has.

Usage::

    .venv/bin/python benchmarks/geoparse_errors.py [--corpus LGL] [--show 40]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import geoparse_eval as ge


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=["LGL", "TR-News"], default="LGL")
    ap.add_argument("--show", type=int, default=30, help="print this many wrong names")
    args = ap.parse_args(argv)
    from geoleads.geoparse import Geoparser

    path = {
        "LGL": ge.CORPORA / "LGL" / "lgl.xml",
        "TR-News": ge.CORPORA / "TR-News" / "TR-News.xml",
    }[args.corpus]
    docs = ge.read_lgl(path)
    gp = Geoparser()
    groups: collections.Counter[str] = collections.Counter()
    names: collections.Counter[str] = collections.Counter()
    resolved = right = 0
    for doc in docs:
        mentions = [m for m in gp.parse(doc.text) if m.kind in ("place", "demonym") and m.best]
        used: set[int] = set()
        for g in doc.gold:
            hit = next(
                (
                    k
                    for k, m in enumerate(mentions)
                    if k not in used and m.start < g.end and g.start < m.end
                ),
                None,
            )
            if hit is None:
                continue
            used.add(hit)
            m = mentions[hit]
            best = m.best
            if g.lat is None or g.lon is None or best is None:
                continue
            resolved += 1
            if ge.haversine(g.lat, g.lon, best.lat, best.lon) <= 161:
                right += 1
                continue
            alt = next(
                (c for c in m.candidates[1:] if ge.haversine(g.lat, g.lon, c.lat, c.lon) <= 161),
                None,
            )
            group = "same_id" if g.geonameid == best.geonameid else ("alt" if alt else "none")
            groups[f"{best.level} {group}"] += 1
            names[f"{group}\t{g.phrase} -> {best.name} ({best.admin1 or best.country})"] += 1
            if best.level == "locality" and alt is not None:
                others = collections.Counter(
                    x.best.admin1
                    for x in mentions
                    if x.best
                    and x.text != m.text
                    and x.best.level != "country"
                    and x.best.probability >= 0.5
                )
                top = others.most_common(1)[0][0] if others else None
                where = (
                    "no other places"
                    if top is None
                    else ("others in the right admin1" if top == alt.admin1 else "others elsewhere")
                )
                groups[f"  locality alt: {where}"] += 1
                groups[
                    f"  locality alt: right reading is number {m.candidates.index(alt) + 1}"
                ] += 1
    print(f"{args.corpus}: {resolved} resolved, {right} within 161 km ({right / resolved:.3f})")
    for group, n in sorted(groups.items()):
        print(f"{n:6d}  {group}")
    print(f"\nmost frequent wrong names (of {sum(names.values())}):")
    for name, n in names.most_common(args.show):
        print(f"{n:6d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
