"""Import size limits: bytes, declared JSON-stat cells and CSV/xlsx rows are checked before reading.

Reproduces the three failures of issue 17 (item 7) with small, fast test data: a 40 KB JSON-stat
file declaring size [1000, 1000, 400] (400 million cells, 6 GB when allocated), a 1 GB CSV (a
sparse file: made instantly, takes no disk), a workbook with too many rows (limits lowered for
the test through the environment, as documented in the README).
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from child_process import run_nokkeltall

from nokkeltall import jsonstat, snapshot
from nokkeltall.datasets import Dataset, conform
from nokkeltall.sources import ImportTooLarge, UnknownLayoutError, parse_file

REPO = Path(__file__).resolve().parent.parent
EMPLOYMENT_HEADER = "ar,kommunenummer,BefolkningBosted,SysselBosted,SysselArbsted\n"


def employment_csv(path: Path, lines: int) -> Path:
    rows = "".join(
        f"2024,{1800 + i % 99:04d},{100 + i},{50 + i % 7},{40 + i % 5}\n" for i in range(lines - 1)
    )
    path.write_text(EMPLOYMENT_HEADER + rows, encoding="utf-8")
    return path


def huge_jsonstat(path: Path) -> Path:
    """SSB 07182 in JSON-stat 2.0, 1000 × 1000 × 400 categories declared, no values."""
    sizes = {"Region": 1000, "ContentsCode": 1000, "Tid": 400}
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "07182: Husholdninger",
        "updated": "2025-01-01",
        "extension": {"px": {"tableid": "07182"}},
        "id": list(sizes),
        "size": list(sizes.values()),
        "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            name: {"category": {"index": [f"{i}" for i in range(size)]}} for name, size in sizes.items()
        },
        "value": {},
    }
    path.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    return path


@pytest.fixture
def data_dir(tmp_path) -> Path:
    directory = tmp_path / "data"
    frame = conform(
        pd.DataFrame(
            {"region_code": ["1835"], "year": [2024], "measure": ["population_06913"], "value": [450.0]}
        ),
        "observations",
    )
    snapshot.write_datasets(
        [Dataset("other", "observations", frame, "99999", "other", "other.csv")], directory / "snapshot"
    )
    return directory


def file_bytes(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def import_refused(path: Path, data_dir: Path, tmp_path: Path, **env: str) -> str:
    """Run `nokkeltall import PATH --no-build`; assert a quick, small, clean refusal; the message."""
    before = file_bytes(data_dir / "snapshot")
    child = run_nokkeltall(
        ["import", str(path), "--no-build"],
        {"NOKKELTALL_DATA_DIR": str(data_dir), **env},
        tmp_path,
        kill_after=40,
    )
    assert not child.killed
    assert child.code == 2, child.stderr
    assert "Traceback" not in child.stderr
    assert child.work < 3, f"{child.work:.1f} s after the imports"  # refused at once, nothing parsed
    assert 0 < child.peak < 400 * 1024**2, f"peak {child.peak / 1024**2:.0f} MB"
    assert file_bytes(data_dir / "snapshot") == before
    message = child.stderr.strip().splitlines()[-1]
    assert message.startswith("Feil: Import avbrutt, ingenting er endret: ")
    return message


# --- the three failures, through the command --------------------------------------------------


@pytest.mark.slow  # a child process
def test_a_small_jsonstat_file_declaring_400_million_cells_is_refused(data_dir, tmp_path):
    path = huge_jsonstat(tmp_path / "07182_huge.json")
    assert path.stat().st_size < 100_000
    message = import_refused(path, data_dir, tmp_path)
    assert "07182_huge.json" in message
    assert "oppgir 400 000 000 celler, mer enn grensen på 2 000 000" in message


@pytest.mark.slow  # a child process
def test_a_1_gb_csv_is_refused_before_it_is_read(data_dir, tmp_path):
    path = tmp_path / "stor.csv"
    with path.open("wb") as stream:
        stream.write(EMPLOYMENT_HEADER.encode())
        stream.truncate(1024**3)  # sparse: 1 GB by its size, nothing written
    message = import_refused(path, data_dir, tmp_path)
    assert "stor.csv: filen er 1 024 MB, grensen for import er 50 MB (NOKKELTALL_IMPORT_MAX_MB)" in message


@pytest.mark.slow  # a child process
def test_a_workbook_with_too_many_rows_is_refused_before_it_is_opened(data_dir, tmp_path):
    path = tmp_path / "mange_rader.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Etter kommune")
    for row in range(3_000):
        sheet.append([f"{1800 + row % 99} Kommune", "116 Træna", row, 1.5, 2.5, "Reisetid"])
    book.save(path)
    message = import_refused(path, data_dir, tmp_path, NOKKELTALL_IMPORT_MAX_SHEET_ROWS="2000")
    assert "mange_rader.xlsx: 3 000 rader i arket sheet1, grensen for import er 2 000" in message


# --- the limits one by one, in-process ----------------------------------------------------------


def test_too_many_csv_lines_are_refused_before_parsing_and_fewer_pass(tmp_path, monkeypatch):
    path = employment_csv(tmp_path / "sysselsatte.csv", 1_500)
    monkeypatch.setenv("NOKKELTALL_IMPORT_MAX_ROWS", "1000")
    with pytest.raises(ImportTooLarge, match="sysselsatte.csv: 1 500 linjer, grensen for import er 1 000"):
        parse_file(path)
    monkeypatch.setenv("NOKKELTALL_IMPORT_MAX_ROWS", "1500")
    assert parse_file(path)  # at the limit: read as usual


def test_a_file_over_a_lowered_byte_limit_is_refused(tmp_path, monkeypatch):
    path = employment_csv(tmp_path / "sysselsatte.csv", 60_000)  # about 1,4 MB
    monkeypatch.setenv("NOKKELTALL_IMPORT_MAX_MB", "1")
    refused = r"sysselsatte.csv: filen er 1,\d MB, grensen for import er 1,0 MB"
    with pytest.raises(ImportTooLarge, match=refused):
        parse_file(path)


def test_a_workbook_is_not_opened_when_a_sheet_has_too_many_rows(tmp_path, monkeypatch):
    path = tmp_path / "ark.xlsx"
    book = openpyxl.Workbook(write_only=True)
    book.create_sheet("Etter kommune")
    sheet = book.create_sheet("Annet")
    for row in range(600):
        sheet.append([row])
    book.save(path)
    monkeypatch.setenv("NOKKELTALL_IMPORT_MAX_SHEET_ROWS", "500")
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was opened"))
    with pytest.raises(ImportTooLarge, match="600 rader i arket sheet2"):
        parse_file(path)


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "bombe.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row>" + bytes(6 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 100_000
    monkeypatch.setenv("NOKKELTALL_IMPORT_MAX_MB", "1")  # unpacked at most 5 MB
    with pytest.raises(ImportTooLarge, match="regnearket er 6,0 MB utpakket, grensen for import er 5,0 MB"):
        parse_file(path)


def test_declared_cells_are_checked_before_anything_is_built(tmp_path):
    document = json.loads(huge_jsonstat(tmp_path / "x.json").read_text())
    started = time.perf_counter()
    with pytest.raises(jsonstat.JsonStatError, match="oppgir 400 000 000 celler"):
        jsonstat.to_frame(document)
    assert time.perf_counter() - started < 1
    jsonstat.validate_structure(document)  # a metadata document may describe more cells than a dataset holds


def test_the_real_source_files_are_far_below_every_limit():
    raw = REPO.parent / "shared" / "ssb" / "raw"
    if not raw.is_dir():
        pytest.skip("../shared/ssb/raw is not here")
    from nokkeltall.sources import limits  # noqa: PLC0415

    for path in sorted(p for p in raw.iterdir() if p.suffix in (".csv", ".xlsx", ".json")):
        limits.check_rows(path.name, limits.read_limited(path))  # raises if a limit is passed


def test_the_readme_states_the_limits():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    settings = (
        "NOKKELTALL_IMPORT_MAX_MB",
        "NOKKELTALL_IMPORT_MAX_ROWS",
        "NOKKELTALL_IMPORT_MAX_SHEET_ROWS",
        "NOKKELTALL_IMPORT_MAX_CELLS",
        "NOKKELTALL_SSB_TIMEOUT",
        "NOKKELTALL_SSB_BUDGET",
        "NOKKELTALL_SSB_MAX_MB",
    )
    for setting in settings:
        assert setting in readme, setting


def test_json_nested_100000_deep_is_an_unknown_format_not_a_recursion_error(tmp_path):
    path = tmp_path / "dyp.json"
    path.write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    with pytest.raises(UnknownLayoutError, match="dyp.json: ukjent filformat"):
        parse_file(path)


def test_a_workbook_of_too_many_parts_is_refused_before_its_directory_is_read(tmp_path):
    path = tmp_path / "deler.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(10_001):
            archive.writestr(f"x/{number}", b"")
    with pytest.raises(ImportTooLarge, match="deler.xlsx: regnearket har 10 001 deler, grensen er 10 000"):
        parse_file(path)
