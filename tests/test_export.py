"""Regional summary exports open in real clients (pyogrio/GDAL, openpyxl, pypdf)."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from export_data import HOSTILE, REVIEWS, make_results, make_tips

from geoleads.errors import ExportError, NotFoundError
from geoleads.export import campaign_summary, export_summary, regional_summary
from geoleads.export.tables import neutralise

UNICODE = ("Kraków", "Θεσσαλονίκη", "Київ")


@pytest.fixture(scope="module")
def results(gazetteer):
    return make_results(gazetteer)


def _export(results, gazetteer, path: Path, level: str = "admin1", **kw) -> Path:
    return export_summary(
        results, path, level=level, tips=make_tips(), reviews=REVIEWS, gazetteer=gazetteer, **kw
    )


def test_regional_summary_counts_tips_and_reviews(results, gazetteer):
    table = regional_summary(results, "admin1", reviews=REVIEWS, gazetteer=gazetteer)
    row = table[(table.object_id == "OBJ-PL") & (table.code == "PL.77")].iloc[0]
    # T1 (credible), T2 (doubtful), T4 (Tarnów + Kraków, both in PL.77: weight capped at 1)
    assert (row.raw_tips, row.reviewed_tips, row.credible_tips) == (3, 2, 1)
    assert row.weighted_tips == pytest.approx(3.0)
    assert row.top_tips.startswith("T1: ")  # credible tips are quoted first
    assert row["name"] == gazetteer.admin1("PL.77").name
    # the Polish country reading (T3) does not count for any admin1 region
    assert "T3" not in " ".join(table.top_tips)
    country = regional_summary(results, "country", reviews=REVIEWS, gazetteer=gazetteer)
    pl = country[(country.object_id == "OBJ-PL") & (country.code == "PL")].iloc[0]
    assert pl.raw_tips == 4 and bool(pl.is_verdict)
    assert pl.lat == pytest.approx(gazetteer.country("PL").lat)


def test_campaign_summary_finds_regions_shared_by_objects(results, gazetteer):
    table = regional_summary(results, "locality", gazetteer=gazetteer)
    camp = campaign_summary(table, objects=len(results)).set_index("code")
    krakow = camp.loc["3094802"]
    assert krakow["objects"] == 2 and krakow["object_ids"] == "OBJ-PL;OBJ-UA"
    expected = table.loc[table.code == "3094802", "share"].sum() / len(results)
    assert krakow["mean_share"] == pytest.approx(expected, abs=1e-4)


def test_csv_neutralises_formulas_and_keeps_unicode(results, gazetteer, tmp_path):
    hostile = [dataclasses.replace(results[0], object_id=HOSTILE), *results[1:]]
    path = _export(hostile, gazetteer, tmp_path / "out.csv", level="locality")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["object_id"] for r in rows} == {"'" + HOSTILE, "OBJ-GR", "OBJ-UA"}
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    text = path.read_text(encoding="utf-8-sig")
    for name in UNICODE:
        assert name in text
    assert neutralise("+1") == "'+1" and neutralise(0.5) == 0.5


def test_xlsx_has_a_sheet_per_level_and_no_formula(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "out.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["readme", "country", "admin1", "locality", "campaign_admin1", "tips"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    tips = pd.DataFrame(wb["tips"].values)
    tips.columns = tips.iloc[0]
    tips = tips.iloc[1:].set_index("tip_id")
    assert tips.loc["T2", "text"] == HOSTILE + " Kraków"  # kept exactly, as text
    assert tips.loc["T2", "review"] == "doubtful"
    assert tips.loc["T5", "text"].startswith("Θεσσαλονίκη")
    assert tips.loc["T8", "text"] == "Бачив у Києві (Київ)"
    header = [c.value for c in wb["country"][1]]
    first = {h: c for h, c in zip(header, wb["country"][2], strict=True)}
    assert (first["share"].data_type, first["raw_tips"].data_type) == ("n", "n")
    assert isinstance(first["raw_tips"].value, int) and first["is_verdict"].data_type == "b"
    locality = pd.DataFrame(wb["locality"].values)
    assert "Kraków" in set(locality[locality.columns[4]])
    readme = " ".join(str(r[0]) for r in wb["readme"].values)
    assert "share" in readme and "objects: 3" in readme


def test_geojson_opens_in_gdal(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "out.geojson", level="country")
    frame = pyogrio.read_dataframe(path)
    table = regional_summary(results, "country", gazetteer=gazetteer)
    assert len(frame) == len(table)
    assert set(frame.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    pl = frame[(frame.object_id == "OBJ-PL") & (frame.code == "PL")].iloc[0]
    assert pl.geometry.contains(gazetteer.candidates("Kraków")[0] and _pt(50.06, 19.94))
    joined = " ".join(frame.top_tips)
    for name in UNICODE:
        assert name in joined
    assert frame.crs.to_epsg() == 4326
    _ogrinfo(path, "OBJ-PL")


def _ogrinfo(path: Path, expected: str) -> None:
    """The system GDAL's ogrinfo, when installed, reads the file too."""
    if not shutil.which("ogrinfo"):
        return
    out = subprocess.run(["ogrinfo", "-ro", "-al", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout


def _pt(lat: float, lon: float):
    from shapely.geometry import Point

    return Point(lon, lat)


def test_gpkg_has_a_layer_per_level(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "out.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"country", "admin1", "locality", "campaign_admin1"}
    admin1 = pyogrio.read_dataframe(path, layer="admin1")
    row = admin1[(admin1.object_id == "OBJ-PL") & (admin1.code == "PL.77")].iloc[0]
    assert row.geometry_source == "polygon" and row.geometry.contains(_pt(50.06, 19.94))
    loc = pyogrio.read_dataframe(path, layer="locality")
    krakow = loc[loc.name == "Kraków"].iloc[0]
    assert krakow.geometry.geom_type == "Point"
    assert "Θεσσαλονίκη" in " ".join(loc.top_tips)
    _ogrinfo(path, "Kraków")


def test_kml_opens_in_gdal_and_escapes_html(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "out.kml", level="locality")
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert sorted(layers) == ["OBJ-GR", "OBJ-PL", "OBJ-UA"]
    frame = pyogrio.read_dataframe(path, layer="OBJ-PL")
    assert "Kraków" in set(frame.Name)
    descriptions = " ".join(frame.description)
    assert "Θεσσαλονίκη" in descriptions
    # Google Earth renders descriptions as HTML: tip text must arrive escaped
    assert "<script>" not in descriptions and "&lt;script&gt;" in descriptions
    assert "<script>" not in path.read_text(encoding="utf-8")
    gr = pyogrio.read_dataframe(path, layer="OBJ-GR")
    assert "Київ" in " ".join(gr.description)
    _ogrinfo(path, "Θεσσαλονίκη")


def test_pdf_report_prints_every_script(results, gazetteer, tmp_path):
    from pypdf import PdfReader

    path = _export(results, gazetteer, tmp_path / "out.pdf", level="locality")
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for name in UNICODE:
        assert name in text
    assert "Method notes" in text and "OBJ-GR" in text
    assert sum(len(page.images) for page in reader.pages) >= 1  # the static map
    if shutil.which("pdftoppm"):  # poppler renders it too
        out = subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(path),
                              str(tmp_path / "page")], capture_output=True, text=True)  # fmt: skip
        assert out.returncode == 0, out.stderr
        [png] = tmp_path.glob("page*.png")
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 1000


def test_html_report_is_escaped_and_offline(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "out.html", title="<b>Campaign</b>")
    page = path.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Campaign&lt;/b&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert 'src="data:image/png;base64,' in page
    for name in UNICODE:
        assert name in page


def test_object_selection_and_bad_arguments(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "one.csv", objects=["OBJ-GR"])
    with path.open(encoding="utf-8-sig") as fh:
        assert {r["object_id"] for r in csv.DictReader(fh)} == {"OBJ-GR"}
    with pytest.raises(NotFoundError, match="NOPE"):
        _export(results, gazetteer, tmp_path / "x.csv", objects=["NOPE"])
    with pytest.raises(ExportError, match="format"):
        _export(results, gazetteer, tmp_path / "x.docx")
    with pytest.raises(ExportError, match="does not exist"):
        _export(results, gazetteer, tmp_path / "missing" / "x.csv")
    with pytest.raises(ValueError, match="level"):
        _export(results, gazetteer, tmp_path / "x.csv", level="street")
    assert not (tmp_path / "x.csv").exists()


def test_campaign_rows_and_min_share(results, gazetteer, tmp_path):
    path = _export(results, gazetteer, tmp_path / "campaign.csv", level="country", campaign=True)
    with path.open(encoding="utf-8-sig") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    assert rows["PL"]["object_ids"] == "OBJ-PL;OBJ-UA" and rows["PL"]["objects"] == "2"
    assert "object_id" not in rows["PL"]
    geo = _export(results, gazetteer, tmp_path / "big.geojson", level="locality", min_share=0.5)
    frame = pyogrio.read_dataframe(geo)
    table = regional_summary(results, "locality", gazetteer=gazetteer)
    assert len(frame) == int((table.share >= 0.5).sum()) > 0
    assert (frame.share >= 0.5).all()


def test_xlsx_cells_keep_their_types(tmp_path):
    from geoleads.export.xlsx import write_workbook

    path = tmp_path / "t.xlsx"
    rows = [["\x07bell", 3, 0.25, True, None, float("nan")], ["+1", -2, 1e-9, False, "", "x"]]
    write_workbook(path, {"s": (["a", "b", "c", "d", "e", "f"], rows)})
    ws = openpyxl.load_workbook(path)["s"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert values[0][:5] == ["\ufffdbell", 3, 0.25, True, None] and values[0][5] is None
    assert values[1][:4] == ["+1", -2, 1e-9, False]
    assert ws["A3"].data_type == "s"


def test_report_of_many_objects_is_capped(results, gazetteer, tmp_path, monkeypatch):
    from pypdf import PdfReader

    from geoleads.export import report

    monkeypatch.setattr(report, "MAX_DETAILED", 1)
    path = _export(results, gazetteer, tmp_path / "capped.pdf", level="country")
    text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    assert "detailed for the 1 objects with the most tips" in text
    assert text.count("Object OBJ-") == 1  # one detailed section
    assert "OBJ-GR" in text and "OBJ-UA" in text  # every object in the overview


def test_a_failing_writer_leaves_no_file(results, gazetteer, tmp_path, monkeypatch):
    from geoleads.export import tables

    def half_then_fail(table, path):
        Path(path).write_text("object_id,level\nOBJ", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables, "write_csv", half_then_fail)
    with pytest.raises(ExportError, match="No space left"):
        _export(results, gazetteer, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []
