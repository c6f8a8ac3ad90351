"""The dissemination package: right objects and tips, checksums that verify."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import zipfile

import openpyxl
import pytest
from export_data import HOSTILE, REVIEWS, make_results, make_tips

from geoleads.errors import NotFoundError
from geoleads.export.package import build_package, objects_for_country, verify_package


@pytest.fixture(scope="module")
def results(gazetteer):
    return make_results(gazetteer)


@pytest.fixture(scope="module")
def pl_zip(results, gazetteer, tmp_path_factory):
    path = tmp_path_factory.mktemp("pkg") / "PL.zip"
    manifest = build_package(
        results, "pl", path, tips=make_tips(), reviews=REVIEWS, gazetteer=gazetteer, maps=False
    )
    return path, manifest


def test_package_holds_the_country_objects_and_tips(pl_zip):
    path, manifest = pl_zip
    assert manifest["country"] == "PL" and manifest["objects"] == ["OBJ-PL", "OBJ-UA"]
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        expected = {"README.txt", "manifest.json", "summaries.json", "regions.xlsx", "tips.csv",
                    "tips.jsonl", "report.pdf", "maps/OBJ-PL.png", "maps/OBJ-UA.png"}  # fmt: skip
        assert expected <= names
        summaries = json.loads(zf.read("summaries.json"))
        tips = list(csv.DictReader(io.StringIO(zf.read("tips.csv").decode("utf-8-sig"))))
        jsonl = [json.loads(line) for line in zf.read("tips.jsonl").decode().splitlines()]
        wb = openpyxl.load_workbook(io.BytesIO(zf.read("regions.xlsx")))
    assert [s["object_id"] for s in summaries] == ["OBJ-PL", "OBJ-UA"]
    # only tips with a reading in Poland; T5 (Thessaloniki) and T9 (Kyiv) stay out
    assert [t["tip_id"] for t in tips] == ["T1", "T2", "T3", "T4", "T10"]
    status = {t["tip_id"]: t["review"] for t in tips}
    assert (status["T1"], status["T2"], status["T3"]) == ("credible", "doubtful", "unreviewed")
    by_id = {t["tip_id"]: t for t in tips}
    assert by_id["T2"]["text"] == "'" + HOSTILE + " Kraków"  # neutralised in CSV
    assert {t["tip_id"]: t["text"] for t in jsonl}["T2"] == HOSTILE + " Kraków"  # exact in JSON
    assert by_id["T4"]["places"] == "Tarnów (PL); Kraków (PL)"
    assert by_id["T1"]["received_at"].startswith("2024-05-01T10:00")
    # every region in the package lies in Poland
    for level in ("country", "admin1", "locality"):
        rows = list(wb[level].values)
        country_col = rows[0].index("country")
        assert rows[1:] and {r[country_col] for r in rows[1:]} == {"PL"}


def test_manifest_checksums_verify_and_catch_tampering(pl_zip, tmp_path):
    path, manifest = pl_zip
    assert verify_package(path) == []
    with zipfile.ZipFile(path) as zf:
        for entry in manifest["files"]:
            data = zf.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert json.loads(zf.read("manifest.json")) == manifest
        copies = {n: zf.read(n) for n in zf.namelist()}
    copies["tips.csv"] = copies["tips.csv"].replace(b"credible", b"spam")
    copies["extra.txt"] = b"slipped in"
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zf:
        for name, data in copies.items():
            zf.writestr(name, data)
    assert verify_package(tampered) == [
        "tips.csv: checksum does not match",
        "extra.txt: not in the manifest",
    ]


def test_report_in_package_prints(pl_zip):
    from pypdf import PdfReader

    path, _ = pl_zip
    with zipfile.ZipFile(path) as zf:
        reader = PdfReader(io.BytesIO(zf.read("report.pdf")))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Poland" in text and "Kraków" in text and "OBJ-UA" in text


def test_objects_for_country_uses_share_and_verdict(results):
    assert [r.object_id for r in objects_for_country(results, "GR")] == ["OBJ-PL", "OBJ-GR"]
    assert [r.object_id for r in objects_for_country(results, "GR", min_share=0.5)] == ["OBJ-GR"]


def test_unknown_or_empty_country_writes_nothing(results, gazetteer, tmp_path):
    with pytest.raises(NotFoundError, match="unknown country"):
        build_package(results, "XX", tmp_path / "XX.zip", gazetteer=gazetteer, maps=False)
    with pytest.raises(NotFoundError, match="France"):
        build_package(results, "FR", tmp_path / "FR.zip", gazetteer=gazetteer, maps=False)
    assert list(tmp_path.iterdir()) == []


def test_hostile_object_ids_cannot_escape_the_zip(results, gazetteer, tmp_path):
    evil = [dataclasses.replace(results[0], object_id="../../etc/passwd"), results[2]]
    manifest = build_package(evil, "PL", tmp_path / "PL.zip", gazetteer=gazetteer, maps=False)
    paths = [f["path"] for f in manifest["files"]]
    assert "maps/etc_passwd.png" in paths
    assert all(".." not in p and not p.startswith("/") for p in paths)
    assert verify_package(tmp_path / "PL.zip") == []
