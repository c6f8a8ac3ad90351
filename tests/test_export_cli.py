"""The real pipeline end to end: tips file -> summarize_tips -> export / package / API."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from export_data import HOSTILE, REVIEWS, TIPS, make_tips

from geoleads import api
from geoleads.cli import main
from geoleads.export.package import verify_package

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tips_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tips") / "tips.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["tip_id", "object_id", "text", "received_at"])
        for tip in make_tips():
            w.writerow([tip.tip_id, tip.object_id, tip.text, tip.received_at.isoformat()])
    return path


@pytest.fixture(scope="module")
def reviews_csv(tips_csv) -> Path:
    path = tips_csv.with_name("reviews.csv")
    path.write_text("tip_id,status\n" + "".join(f"{k},{v}\n" for k, v in REVIEWS.items()))
    return path


@pytest.fixture(scope="module")
def real(gazetteer):
    return api.summarize(make_tips(), reviews=REVIEWS)


def test_api_rankings_from_the_real_pipeline(real):
    table = api.rankings(real, "locality", reviews=REVIEWS, tips=make_tips())
    top = table[table.object_id == "OBJ-PL"].iloc[0]
    assert top["name"] == "Kraków" and top["credible_tips"] == 1 and top["raw_tips"] >= 3
    country = api.rankings(real, "country", reviews=REVIEWS)
    # a namesake village abroad (Krakow am See) carries a sliver of weight, not a tip
    de = country[(country.object_id == "OBJ-PL") & (country.code == "DE")]
    assert de.empty or int(de.iloc[0]["raw_tips"]) == 0
    # nor does it send the tip to Germany's package
    from geoleads.export import tip_rows

    assert (api.leads(real)["country"] == "DE").any()
    assert tip_rows(real, country="DE").empty
    assert set(tip_rows(real, country="PL")["tip_id"]) >= {"T1", "T2", "T3", "T4", "T10"}
    ov = api.overlap(real, "country")
    assert ov.loc["OBJ-PL", "OBJ-UA"] > ov.loc["OBJ-PL", "OBJ-GR"] > 0
    assert ov.loc["OBJ-GR", "OBJ-GR"] == pytest.approx(1.0, abs=1e-3)
    conv = api.converging_regions(real, "country", min_objects=2)
    assert "PL" in set(conv.code) and "UA" not in set(conv.code)
    geo = api.rankings(real, "admin1", geometry=True)
    assert geo.crs.to_epsg() == 4326 and (geo.geometry_source == "polygon").all()
    assert len(api.surface(real[0])) == len(real[0].surface)


def test_cli_export_xlsx_with_progress(tips_csv, reviews_csv, tmp_path, capsys):
    out = tmp_path / "regions.xlsx"
    args = ["export", "--tips", str(tips_csv), "--reviews", str(reviews_csv), "--level",
            "admin1", "-o", str(out)]  # fmt: skip
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "geoleads: [" in err and "reading tips" in err and f"wrote {out}" in err
    wb = openpyxl.load_workbook(out)
    assert {"readme", "country", "admin1", "locality", "tips"} <= set(wb.sheetnames)
    texts = {r[1]: r for r in wb["tips"].values}
    assert texts["T2"][-1] == HOSTILE + " Kraków" and texts["T2"][2] == "doubtful"


def test_cli_export_quiet_and_object_selection(tips_csv, tmp_path, capsys):
    out = tmp_path / "gr.geojson"
    assert (
        main(["export", "--tips", str(tips_csv), "--object", "OBJ-GR", "-q", "-o", str(out)]) == 0
    )
    assert capsys.readouterr().err == ""
    frame = pyogrio.read_dataframe(out)
    assert set(frame.object_id) == {"OBJ-GR"} and "GR" in set(frame.code)


def test_cli_exit_codes(tips_csv, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["export", "--tips", str(tips_csv), "--level", "street", "-o", str(out)]) == 2
    assert main(["export", "--tips", str(tips_csv)]) == 2
    assert main(["export", "--tips", str(tips_csv), "--object", "NOPE", "-o", str(out)]) == 1
    assert "NOPE" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("tip_id,object_id,text,received_at\nT1,O,,yesterday\n", encoding="utf-8")
    assert main(["export", "--tips", str(bad), "-o", str(out)]) == 1
    assert "row 2" in capsys.readouterr().err
    fr = tmp_path / "FR.zip"
    assert main(["package", "--tips", str(tips_csv), "--country", "FR", "-o", str(fr)]) == 1
    assert not out.exists() and not fr.exists()


def test_cli_package_verifies(tips_csv, reviews_csv, tmp_path):
    out = tmp_path / "PL.zip"
    args = ["package", "--tips", str(tips_csv), "--reviews", str(reviews_csv), "--country",
            "PL", "-o", str(out), "-q"]  # fmt: skip
    assert main(args) == 0
    assert verify_package(out) == []
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = zf.namelist()
        page = zf.read("maps/OBJ-PL.html").decode("utf-8")
    assert manifest["objects"] == ["OBJ-PL", "OBJ-UA"]
    assert "maps/OBJ-PL.html" in names and "maps/OBJ-PL.png" in names
    assert "Kraków" in page


def test_help_has_examples(capsys):
    for cmd in ("export", "package"):
        assert main([cmd, "--help"]) == 0
        out = capsys.readouterr().out
        assert "Examples:" in out and f"geoleads {cmd} --tips" in out and "Exit codes" in out


def test_cli_reads_tips_from_stdin(tmp_path):
    out = tmp_path / "ua.kml"
    lines = "".join(json.dumps(t.to_json(), ensure_ascii=False) + "\n" for t in make_tips())
    proc = subprocess.run(
        [sys.executable, "-m", "geoleads", "export", "--tips", "-", "--level", "locality",
         "--format", "kml", "-o", str(out)],
        input=lines.encode("utf-8"), capture_output=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"reading tips from stdin" in proc.stderr
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {oid for _, oid, _, _ in TIPS}


def test_cli_reads_tips_and_reviews_from_the_store(tmp_path, capsys):
    from geoleads.store import Store, import_tips, set_review

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = Store.open(url, upgrade=True)
    try:
        import_tips(store, make_tips())
        with store.session() as s:
            set_review(s, "T1", "credible", user="ana")
            set_review(s, "T2", "doubtful", user="ana")
    finally:
        store.dispose()
    out = tmp_path / "pl.csv"
    args = ["export", "--database", url, "--level", "locality", "--object", "OBJ-PL"]
    args += ["-o", str(out)]
    assert main(args) == 0
    assert "reading tips from" in capsys.readouterr().err
    with out.open(encoding="utf-8-sig") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    assert rows["Kraków"]["credible_tips"] == "1" and int(rows["Kraków"]["reviewed_tips"]) >= 2
    pkg = tmp_path / "PL.zip"
    assert main(["package", "--database", url, "--country", "PL", "-o", str(pkg), "-q"]) == 0
    assert verify_package(pkg) == []
