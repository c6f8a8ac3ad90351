"""Country borders from Natural Earth (public domain), read offline.

>>> frame = read_natural_earth()           # doctest: +SKIP
>>> frame.loc[frame.code == "PL", "name"].item()   # doctest: +SKIP
'Poland'
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geoleads.gazetteer.sources import natural_earth_zip

#: An equal-area projection for areas in km² (World Mollweide).
EQUAL_AREA_CRS = "ESRI:54009"


def read_natural_earth() -> gpd.GeoDataFrame:
    """Countries with ``code`` (ISO 3166-1 alpha-2), ``name``, label point, ``area_km2``.

    Uses ``ISO_A2_EH`` (``ISO_A2`` is -99 for France, Norway, ...), repairs
    invalid rings with ``make_valid`` and merges the rows sharing a code.
    """
    raw = gpd.read_file(f"zip://{natural_earth_zip()}", encoding="utf-8")
    raw = raw[raw["ISO_A2_EH"].str.fullmatch(r"[A-Z]{2}")].copy()
    raw["geometry"] = raw.geometry.make_valid()
    raw = raw.rename(
        columns={
            "ISO_A2_EH": "code",
            "NAME": "name",
            "LABEL_X": "label_lon",
            "LABEL_Y": "label_lat",
        }
    )
    # One row per code: keep the largest part's name and label point, merge geometries.
    raw["_area"] = raw.geometry.to_crs(EQUAL_AREA_CRS).area
    raw = raw.sort_values("_area", ascending=False)
    first = raw.groupby("code", as_index=False).first()[["code", "name", "label_lat", "label_lon"]]
    merged = raw[["code", "geometry"]].dissolve(by="code").reset_index()
    frame = gpd.GeoDataFrame(pd.merge(first, merged, on="code"), geometry="geometry", crs=4326)
    frame["area_km2"] = frame.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6
    return frame.sort_values("code").reset_index(drop=True)
