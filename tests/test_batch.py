"""Batch geoparsing/summarizing on Dask: same answers as one process, and kill -9 safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geoleads.batch import (
    MANIFEST,
    SUCCESS,
    SUMMARIES,
    part_name,
    partition_of,
    read_geoparse_output,
    run_batch,
    split_tips,
)
from geoleads.cli.geoparse import parse_line
from geoleads.errors import BatchError
from geoleads.gazetteer import Gazetteer
from geoleads.geoparse import Geoparser
from geoleads.narrow import summarize_tips
from geoleads.tips import Tip, read_tips

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
DEMO = ROOT / "data" / "demo" / "tips.csv"


def write_tips(path: Path, n: int, objects: int) -> Path:
    """``n`` tips over ``objects`` objects, texts from the multilingual test tips (varied)."""
    texts = [
        json.loads(line)
        for line in (DATA / "multilingual_tips.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            t = texts[i % len(texts)]
            record = {
                "tip_id": f"T{i:06d}",
                "object_id": f"OBJ-{(i * 7) % objects:04d}",
                "text": f"{t['text']} ({i})",
                "received_at": f"2025-01-01T00:{i % 60:02d}:00+00:00",
                "language": t.get("lang") if i % 3 else None,
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def single_process_geoparse(tips: list[Tip], geoparser: Geoparser) -> dict[str, dict]:
    """What ``geoleads geoparse`` writes for each tip, keyed by tip id."""
    out = {}
    for n, tip in enumerate(tips, start=1):
        line = json.dumps({"id": tip.tip_id, "text": tip.text, "language": tip.language})
        out[tip.tip_id] = parse_line(geoparser, n, line.encode("utf-8"))
    return out


@pytest.fixture(scope="module")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


def test_partitions_keep_objects_together() -> None:
    tips = read_tips(DEMO)
    parts = split_tips(tips, 5)
    assert sum(len(p) for p in parts) == len(tips)
    for index, part in enumerate(parts):
        assert all(partition_of(t.object_id, 5) == index for t in part)
    # input order is kept inside a partition
    position = {t.tip_id: i for i, t in enumerate(tips)}
    for part in parts:
        assert [position[t.tip_id] for t in part] == sorted(position[t.tip_id] for t in part)


@pytest.mark.slow
def test_geoparse_on_local_cluster_equals_single_process(
    tmp_path: Path, geoparser: Geoparser
) -> None:
    src = write_tips(tmp_path / "tips.jsonl", 600, 23)
    report = run_batch(
        "geoparse", src, tmp_path / "out", scheduler="processes", workers=2, partition_tips=100
    )
    assert report.partitions == 6 and report.computed == 6 and report.skipped == 0
    records = list(read_geoparse_output(tmp_path / "out"))
    tips = read_tips(src)
    assert sorted(r["id"] for r in records) == sorted(t.tip_id for t in tips)
    expected = single_process_geoparse(tips, geoparser)
    objects = {t.tip_id: t.object_id for t in tips}
    for r in records:
        assert r["object_id"] == objects[r["id"]]
        assert {"id": r["id"], "places": r["places"]} == expected[r["id"]]
    assert sum(bool(r["places"]) for r in records) > 300  # the test data has places


@pytest.mark.slow
def test_summarize_on_local_cluster_equals_summarize_tips(
    tmp_path: Path, gazetteer: Gazetteer, geoparser: Geoparser
) -> None:
    run_batch("summarize", DEMO, tmp_path / "out", workers=2, partition_tips=60)
    batch = json.loads((tmp_path / "out" / SUMMARIES).read_text(encoding="utf-8"))
    single = [
        r.summary
        for r in summarize_tips(
            read_tips(DEMO), gazetteer=gazetteer, geoparser=geoparser, keep_leads=False
        )
    ]
    assert batch == single
    first_seen = dict.fromkeys(t.object_id for t in read_tips(DEMO))
    assert [s["object_id"] for s in batch] == list(first_seen)
    assert any(s["verdict"]["level"] != "none" for s in batch)


def test_synchronous_summarize_cli_output_is_byte_identical(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    single = subprocess.run(
        [sys.executable, "-m", "geoleads", "summarize", str(DEMO), "-q"],
        capture_output=True, check=True, env=env, cwd=ROOT,
    ).stdout  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "geoleads", "batch", "summarize", str(DEMO), "-o",
         str(tmp_path / "out"), "--scheduler", "synchronous", "--partition-tips", "40", "-q"],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert (tmp_path / "out" / SUMMARIES).read_bytes() == single


def test_resume_recomputes_only_missing_partitions(tmp_path: Path) -> None:
    src = write_tips(tmp_path / "tips.jsonl", 300, 11)
    out = tmp_path / "out"
    first = run_batch("geoparse", src, out, scheduler="synchronous", partition_tips=50)
    assert first.computed == 6
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    lost = out / part_name("geoparse", 2)
    lost.unlink()
    (out / SUCCESS).unlink()
    with pytest.raises(BatchError, match="not finished"):
        list(read_geoparse_output(out))
    again = run_batch("geoparse", src, out, scheduler="synchronous", partition_tips=50)
    assert (again.computed, again.skipped) == (1, 5)
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    assert {k for k in before if before[k] != after[k]} == {lost.name}
    ids = [r["id"] for r in read_geoparse_output(out)]
    assert len(ids) == len(set(ids)) == 300


def test_folder_of_another_input_is_refused(tmp_path: Path) -> None:
    src = write_tips(tmp_path / "tips.jsonl", 30, 3)
    run_batch("geoparse", src, tmp_path / "out", scheduler="synchronous")
    other = write_tips(tmp_path / "other.jsonl", 31, 3)
    with pytest.raises(BatchError, match="another input"):
        run_batch("geoparse", other, tmp_path / "out", scheduler="synchronous")
    with pytest.raises(BatchError, match="another input"):
        run_batch("summarize", src, tmp_path / "out", scheduler="synchronous")
    assert json.loads((tmp_path / "out" / MANIFEST).read_text())["tips"] == 30


def test_bad_tip_file_writes_nothing(tmp_path: Path) -> None:
    from geoleads.errors import TipFormatError

    with pytest.raises(TipFormatError):
        run_batch("geoparse", DATA / "tips_bad.csv", tmp_path / "out", scheduler="synchronous")
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("geoleads.batch.CONNECT_TIMEOUT", "2s")
    src = write_tips(tmp_path / "tips.jsonl", 10, 2)
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler"):
        run_batch("geoparse", src, tmp_path / "out", scheduler="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_sigkill_mid_batch_leaves_whole_partitions_and_rerun_completes(
    tmp_path: Path, geoparser: Geoparser
) -> None:
    n, parts = 12000, 60
    src = write_tips(tmp_path / "tips.jsonl", n, 300)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "geoleads", "batch", "geoparse", str(src), "-o", str(out),
           "--scheduler", "synchronous", "--partition-tips", str(n // parts), "-q"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(list(out.glob("part-*"))) < 3:
            assert proc.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    written = sorted(out.glob("part-*"))
    assert 3 <= len(written) < parts, "kill landed after the run had finished"
    assert not (out / SUCCESS).exists()
    tips = read_tips(src)
    split = split_tips(tips, parts)
    for path in written:  # every file there is whole: all its partition's tips, parseable
        index = int(path.name[5:10])
        lines = path.read_text(encoding="utf-8").splitlines()
        assert [json.loads(x)["id"] for x in lines] == [t.tip_id for t in split[index]]
    kept = {p.name: p.stat().st_mtime_ns for p in written}

    subprocess.run(cmd, env=env, cwd=ROOT, check=True, timeout=300)
    assert (out / SUCCESS).exists()
    assert not list(out.glob(".part-*"))  # no temporaries left
    assert {p.name: p.stat().st_mtime_ns for p in written} == kept  # not recomputed
    records = list(read_geoparse_output(out))
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == n
    expected = single_process_geoparse(tips[:500], geoparser)
    got = {r["id"]: {"id": r["id"], "places": r["places"]} for r in records}
    assert all(got[k] == v for k, v in expected.items())
