"""Lead maps that work with no internet (Folium + our own Leaflet copy).

>>> from geoleads.maps import lead_map, save_map          # doctest: +SKIP
>>> save_map(lead_map(result), "maps/OBJ-1.html", standalone=True)  # doctest: +SKIP
"""

from geoleads.maps.assets import (
    DEFAULT_STATIC_URL,
    VENDOR_DIR,
    VENDOR_FILES,
    OfflineHeatMap,
    OfflineMap,
)
from geoleads.maps.lead import lead_map
from geoleads.maps.overview import overview_map
from geoleads.maps.save import render_html, save_map

__all__ = [
    "DEFAULT_STATIC_URL",
    "VENDOR_DIR",
    "VENDOR_FILES",
    "OfflineHeatMap",
    "OfflineMap",
    "lead_map",
    "overview_map",
    "render_html",
    "save_map",
]
