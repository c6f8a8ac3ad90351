"""Regional summaries and dissemination packages in the formats other tools open.

* :mod:`~geoleads.export.regional` — the summary tables (per object and region,
  per region over a campaign);
* :mod:`~geoleads.export.tables` — CSV and XLSX (formula injection neutralised);
* :mod:`~geoleads.export.geo` — GeoJSON, GeoPackage, KML;
* :mod:`~geoleads.export.report` and :mod:`~geoleads.export.staticmap` — printable
  HTML/PDF with a static map;
* :mod:`~geoleads.export.package` — the dissemination zip for one country;
* :func:`export_summary` — one call for every format.
"""

from geoleads.export.formats import FORMATS, export_summary, format_for
from geoleads.export.package import build_package, verify_package
from geoleads.export.regional import (
    LEVELS,
    all_levels,
    campaign_summary,
    leads_frame,
    regional_summary,
    tip_rows,
)

__all__ = [
    "FORMATS",
    "LEVELS",
    "all_levels",
    "build_package",
    "campaign_summary",
    "export_summary",
    "format_for",
    "leads_frame",
    "regional_summary",
    "tip_rows",
    "verify_package",
]
