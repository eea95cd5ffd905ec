"""The snapshot: write/read round trip with manifest, all-or-nothing imports, corruption found."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from nokkeltall import cli, snapshot
from nokkeltall.datasets import Dataset

GOOD_07459 = ['"region";"age";"Persons 2022"', '"K-1835 Træna";"0 years";3', '"K-1835 Træna";"1 year";7']


def observations(name: str, value: float = 1.0, years=(2020, 2022)) -> Dataset:
    frame = pd.DataFrame([{"region_code": "1835", "year": y, "measure": "m", "value": value} for y in years])
    return Dataset(
        name,
        "observations",
        frame,
        "12134",
        "Tittel",
        f"{name}.csv",
        updated="2026-02-20",
        caveat="Forbehold.",
    )


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path → sha256)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_round_trip_with_manifest(tmp_path):
    folder = tmp_path / "snapshot"
    dataset = observations("a", 2.5)
    dataset.frame.loc[1, "value"] = pd.NA
    snapshot.write_datasets([dataset], folder)
    assert folder.is_dir() and not folder.is_symlink()  # the first snapshot is a plain directory, as in git
    entry = snapshot.read_manifest(folder)["datasets"]["a"]
    assert entry["sha256"] == hashlib.sha256((folder / "a.parquet").read_bytes()).hexdigest()
    assert (entry["rows"], entry["years"], entry["kind"], entry["file"]) == (
        2,
        [2020, 2022],
        "observations",
        "a.parquet",
    )
    assert (entry["table_id"], entry["title"], entry["source"], entry["updated"]) == (
        "12134",
        "Tittel",
        "a.csv",
        "2026-02-20",
    )
    assert entry["licence"] and entry["publisher"] and entry["fetched"] and entry["caveat"] == "Forbehold."
    frame = snapshot.load_dataset("a", folder)
    assert frame["value"].iloc[0] == 2.5
    assert pd.isna(frame["value"].iloc[1])  # missing stays missing, not 0
    assert str(frame["value"].dtype) == "Float64"
    assert snapshot.verify(folder) == {"a": None}


def test_adding_keeps_other_datasets_and_replacing_overwrites(tmp_path):
    folder = tmp_path / "snapshot"
    snapshot.write_datasets([observations("a"), observations("b")], folder)
    b_before = (folder / "b.parquet").read_bytes()
    snapshot.write_datasets([observations("a", 9.0)], folder)
    assert set(snapshot.read_manifest(folder)["datasets"]) == {"a", "b"}
    assert (folder / "b.parquet").read_bytes() == b_before
    assert snapshot.load_dataset("a", folder)["value"].iloc[0] == 9.0
    # no staging directories left: the snapshot (a symlink) and the one version it points at
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot", "snapshot-versions"]
    assert [p.resolve() for p in (tmp_path / "snapshot-versions").iterdir()] == [folder.resolve()]


def test_duplicate_names_are_refused(tmp_path):
    with pytest.raises(snapshot.SnapshotError, match="a"):
        snapshot.write_datasets([observations("a"), observations("a")], tmp_path / "snapshot")
    assert not (tmp_path / "snapshot").exists()


def test_failure_while_writing_leaves_previous_snapshot_intact(tmp_path, monkeypatch):
    folder = tmp_path / "snapshot"
    snapshot.write_datasets([observations("a")], folder)
    before = tree(folder)
    original = snapshot._write_parquet
    calls = []

    def failing(frame, path):
        calls.append(path)
        if len(calls) == 2:
            raise OSError("disk full")
        original(frame, path)

    monkeypatch.setattr(snapshot, "_write_parquet", failing)
    with pytest.raises(OSError):
        snapshot.write_datasets([observations("a", 5.0), observations("c")], folder)
    assert tree(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot"]


def test_failed_import_leaves_previous_snapshot_byte_for_byte(writable_data_dir, tmp_path, capsys):
    snapshot_dir = writable_data_dir / "snapshot"
    before = tree(writable_data_dir)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "07459_good.csv").write_bytes(("\n".join(GOOD_07459) + "\n").encode("latin-1"))
    (incoming / "zz_bad.csv").write_bytes(b"what;is;this\n1;2;3\n")
    assert cli.main(["import", str(incoming)]) == 2
    err = capsys.readouterr().err
    assert "zz_bad.csv" in err and "ingenting er endret" in err
    assert "Traceback" not in err
    # snapshot and database untouched (the failure is written to the log, data/logs/, by design)
    assert {k: v for k, v in tree(writable_data_dir).items() if not k.startswith("logs/")} == before
    assert sorted(p.name for p in writable_data_dir.iterdir() if p.name != "logs") == [
        "nokkeltall.duckdb",
        "snapshot",
    ]
    assert snapshot.verify(snapshot_dir) and not any(snapshot.verify(snapshot_dir).values())


def test_good_import_adds_the_dataset_and_rebuilds(writable_data_dir, tmp_path, capsys):
    path = tmp_path / "07459_good.csv"
    path.write_bytes(("\n".join(GOOD_07459) + "\n").encode("latin-1"))
    assert cli.main(["import", str(path)]) == 0
    manifest = snapshot.read_manifest(writable_data_dir / "snapshot")
    assert manifest["datasets"]["population_07459_2022"]["source"] == "07459_good.csv"
    assert manifest["datasets"]["population_07459_2022"]["rows"] == 2
    assert "population_07459_2016_2017" in manifest["datasets"]  # the earlier ones are kept
    capsys.readouterr()
    assert cli.main(["series", "1835", "population"]) == 0
    assert "2022,10" in capsys.readouterr().out.splitlines()


def test_corrupt_parquet_is_reported(writable_data_dir, capsys):
    snapshot_dir = writable_data_dir / "snapshot"
    path = snapshot_dir / "kostra_fixture.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    problems = snapshot.verify(snapshot_dir)
    assert "kostra_fixture.parquet" in problems["kostra_fixture"]
    assert [name for name, problem in problems.items() if problem] == ["kostra_fixture"]
    with pytest.raises(snapshot.SnapshotError, match="kostra_fixture.parquet"):
        snapshot.load_dataset("kostra_fixture", snapshot_dir)
    assert cli.main(["status"]) == 1
    captured = capsys.readouterr()
    assert "kostra_fixture" in captured.err
    status = {line.split(",")[0]: line for line in captured.out.splitlines()[1:]}
    assert "kostra_fixture.parquet" in status["kostra_fixture"]
    assert status["population_07459_2016_2017"].endswith(",ok")


def test_missing_file_and_broken_manifest(tmp_path):
    folder = tmp_path / "snapshot"
    snapshot.write_datasets([observations("a")], folder)
    (folder / "a.parquet").unlink()
    assert "a.parquet" in snapshot.verify(folder)["a"]
    (folder / snapshot.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(snapshot.SnapshotError, match="manifest.json"):
        snapshot.read_manifest(folder)


def test_shipped_snapshot_is_consistent_and_small():
    folder = Path(__file__).resolve().parent.parent / "data" / "snapshot"
    if not (folder / snapshot.MANIFEST).exists():
        pytest.skip("no shipped snapshot")
    manifest = json.loads((folder / snapshot.MANIFEST).read_text(encoding="utf-8"))
    problems = {name: problem for name, problem in snapshot.verify(folder).items() if problem}
    assert problems == {}
    listed = {entry["file"] for entry in manifest["datasets"].values()}
    on_disk = {p.name for p in folder.iterdir() if p.suffix == ".parquet"}
    assert listed == on_disk
    assert sum(p.stat().st_size for p in folder.iterdir()) < 15 * 1024 * 1024
    for name, entry in manifest["datasets"].items():
        assert entry["table_id"] and entry["title"] and entry["source"] and entry["licence"], name
