"""Faults in the data folder: the app says in Norwegian what is wrong, keeps serving what it can and
never shows a traceback; ``nokkeltall status`` names the broken file and exits non-zero.

Each case runs on a temporary NOKKELTALL_DATA_DIR holding a copy of the shipped data/snapshot. The
broken-files case breaks three files at once (one database build for all its tests):
* a KOSTRA file overwritten with garbage (checksum mismatch),
* the employment file truncated to half (checksum mismatch),
* the holiday-property file truncated AND its checksum updated in the manifest, so the build must
  find out by reading it (the per-file fallback of ``db._load_datasets``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from nokkeltall import cli, db, snapshot

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SHIPPED = ROOT / "data" / "snapshot"

GARBAGE = "kostra_economy_27_municipalities_2015_2025"
TRUNCATED = "employment_11618_2017_2022"
UNREADABLE = "holiday_property_transfers_11694_2020_2024"


def copy_snapshot(data_dir: Path) -> Path:
    target = data_dir / "snapshot"
    shutil.copytree(SHIPPED, target)  # real copies: the shipped files are never written through
    return target


def file_of(folder: Path, name: str) -> Path:
    return folder / json.loads((folder / snapshot.MANIFEST).read_text())["datasets"][name]["file"]


def run_page(page: str, params: dict | None = None) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page != "pages/oversikt.py":
        # a first run registers the pages (om_data.py has the url_path «om-data», not its file name)
        at.run()
        assert_no_traceback(at)
        at.switch_page(page)
    return at.run()


def messages(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("error", "warning", "info") for e in at.get(kind))


def assert_no_traceback(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    shown = messages(at) + "\n".join(m.value for m in at.markdown)
    assert "Traceback" not in shown and 'File "' not in shown


def status(capsys) -> tuple[int, str]:
    code = cli.main(["status"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("broken-data")
    folder = copy_snapshot(data_dir)
    garbage = file_of(folder, GARBAGE)
    garbage.write_bytes(b"this is not a parquet file " * 200)
    truncated = file_of(folder, TRUNCATED)
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    unreadable = file_of(folder, UNREADABLE)
    unreadable.write_bytes(unreadable.read_bytes()[: unreadable.stat().st_size // 3])
    manifest = json.loads((folder / snapshot.MANIFEST).read_text())
    manifest["datasets"][UNREADABLE]["sha256"] = snapshot.sha256_of(unreadable)
    (folder / snapshot.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return data_dir


@pytest.fixture()
def broken(broken_dir, monkeypatch) -> Path:
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(broken_dir))
    return broken_dir


@pytest.mark.slow
def test_broken_files_are_skipped_and_named_by_the_build(broken):
    report = db.build()
    assert set(report["problems"]) == {GARBAGE, TRUNCATED, UNREADABLE}
    assert "kontrollsummen stemmer ikke" in report["problems"][GARBAGE]
    assert "kan ikke leses" in report["problems"][UNREADABLE]
    assert file_of(broken / "snapshot", UNREADABLE).name in report["problems"][UNREADABLE]


@pytest.mark.slow
def test_population_pages_still_work_with_a_broken_kostra_file(broken):
    db.ensure_database()
    at = run_page("pages/kommune.py", {"kommune": "1835"})
    assert_no_traceback(at)
    assert at.title[0].value.startswith("Træna")
    assert at.get("plotly_chart"), "the population charts are still drawn"
    assert [m for m in at.metric if m.label.startswith("Folketall")]
    at = run_page("pages/oversikt.py")
    assert_no_traceback(at)
    assert at.get("plotly_chart")


def test_om_data_lists_every_broken_dataset_in_norwegian(broken):
    db.ensure_database()
    at = run_page("pages/om_data.py")
    assert_no_traceback(at)
    warnings = "\n".join(w.value for w in at.warning)
    for name in (GARBAGE, TRUNCATED, UNREADABLE):
        assert f"«{name}» kunne ikke brukes" in warnings
    assert "Resten av statistikken vises som vanlig" in warnings


def test_status_names_each_broken_file_and_fails(broken, capsys):
    code, output = status(capsys)
    assert code != 0
    for name in (GARBAGE, TRUNCATED, UNREADABLE):
        assert file_of(broken / "snapshot", name).name in output
    assert "ødelagte datasett" in output


@pytest.fixture()
def fresh_dir(tmp_path, monkeypatch) -> Path:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    copy_snapshot(data_dir)
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(data_dir))
    return data_dir


def test_missing_manifest(fresh_dir, capsys):
    (fresh_dir / "snapshot" / snapshot.MANIFEST).unlink()
    at = run_page("pages/kommune.py", {"kommune": "1835"})
    assert_no_traceback(at)
    text = "\n".join(e.value for e in at.error)
    assert "Statistikken kan ikke lastes" in text and "nokkeltall import" in text
    code, output = status(capsys)
    assert code != 0
    assert "manifest.json" in output and "Traceback" not in output


def test_corrupt_manifest(fresh_dir, capsys):
    (fresh_dir / "snapshot" / snapshot.MANIFEST).write_text('{"datasets": {"x": ', encoding="utf-8")
    for page in ("pages/oversikt.py", "pages/om_data.py"):
        at = run_page(page)
        assert_no_traceback(at)
        assert "manifest.json er ødelagt" in "\n".join(e.value for e in at.error)
    code, output = status(capsys)
    assert code != 0
    assert "manifest.json er ødelagt" in output and "Traceback" not in output


@pytest.mark.slow
def test_unwritable_database_path(fresh_dir, capsys):
    """A read-only data folder, as root too: a directory stands where the database file should be."""
    (fresh_dir / "nokkeltall.duckdb").mkdir()
    at = run_page("pages/om_data.py")
    assert_no_traceback(at)
    assert "Statistikken kan ikke lastes" in "\n".join(e.value for e in at.error)
    assert at.dataframe, "the indicator catalogue is still listed"
    code, output = status(capsys)
    assert code == 0, "the snapshot itself is fine"


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file modes; test_unwritable_database_path covers it"
)
def test_read_only_data_folder(fresh_dir):
    os.chmod(fresh_dir, 0o555)
    try:
        at = run_page("pages/kommune.py", {"kommune": "1835"})
        assert_no_traceback(at)
        assert "Statistikken kan ikke lastes" in "\n".join(e.value for e in at.error)
    finally:
        os.chmod(fresh_dir, 0o755)


@pytest.mark.slow
def test_database_locked_by_another_process(fresh_dir, shipped_database, capsys):
    """Another process holds a write connection (and DuckDB's file lock) on the database file: the app
    builds a fresh file beside it and renames it into place, so pages work without waiting."""
    path = fresh_dir / "nokkeltall.duckdb"
    shutil.copyfile(shipped_database, path)
    assert db.is_current()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            con.execute("CREATE TABLE IF NOT EXISTS lock_holder (x INTEGER)")
            print("locked", flush=True)
            time.sleep(120)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(db.DatabaseError, match="kan ikke åpnes"):
            db.connect().close()
        at = run_page("pages/kommune.py", {"kommune": "1835"})
        assert_no_traceback(at)
        assert at.title and at.title[0].value.startswith("Træna")
        assert at.get("plotly_chart")
        code, _ = status(capsys)
        assert code == 0
    finally:
        holder.kill()
        holder.wait(timeout=10)


@pytest.mark.slow
def test_unwritable_user_store(fresh_dir, shipped_database):
    """The user-data file cannot be created (a directory in its place): the statistics still show,
    and the plan and application pages say in Norwegian that entries cannot be saved."""
    (fresh_dir / "nokkeltall.duckdb").symlink_to(shipped_database)
    (fresh_dir / "brukerdata.sqlite").mkdir()
    for page in ("pages/plan.py", "pages/soknader.py", "pages/samlingsmodus.py", "pages/sammenlign.py"):
        at = run_page(page, {"kommune": "1835"})
        assert_no_traceback(at)
    at = run_page("pages/plan.py", {"kommune": "1835"})
    assert "brukerdata" in messages(at).lower()
