"""Excel workbook (a sheet per indicator + «Kilder»), file names, and one PNG through Kaleido."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from nokkeltall import queries
from nokkeltall.compare import export
from nokkeltall.compare import figures as compare_figures


def test_file_names_follow_municipalities_and_indicator():
    assert export.file_name(["Træna", "Raarvihke - Røyrvik"], "Andel 67 år og eldre", "xlsx") == \
        "traena-raarvihke-royrvik_andel-67-ar-og-eldre.xlsx"
    long = export.file_name([f"Kommunenavn{i}" for i in range(8)], "Folketall", "png")
    assert long.startswith("kommunenavn0-kommunenavn1-m-fl-6_folketall") and long.endswith(".png")


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    first = export.sheet_name("Netto driftsresultat (% av brutto driftsinntekter)", taken)
    second = export.sheet_name("Netto driftsresultat (% av brutto driftsinntekter)", taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert export.sheet_name("a/b:c*?", set()) == "a b c"


def test_comparison_workbook_reads_back(con):
    data = export.comparison_workbook(con, ["population", "share_67_plus_pct"], ["1835", "5043"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Folketall", "Andel 67 år og eldre (%)", "Kilder"]
    rows = list(book["Folketall"].values)
    assert rows[0][:3] == ("År", "Træna", "Røyrvik")
    read = pd.DataFrame(rows[1:], columns=rows[0]).set_index("År")
    expected = queries.indicator_series(con, "population", ["1835"]).set_index("year")["value"]
    for year, value in expected.items():
        assert read.at[year, "Træna"] == pytest.approx(float(value))
    sources = list(book["Kilder"].values)
    assert sources[0][:4] == ("Indikator", "Enhet", "Definisjon", "Tabell")
    assert {r[0] for r in sources[1:] if r[0]} >= {"Folketall", "Andel 67 år og eldre"}
    assert any(r[3] == "07459" for r in sources[1:])


def test_png_export_is_a_png(con):
    view = compare_figures.build_view(con, "stolper", "population", ["1835", "5043"])
    try:
        data = export.png_bytes(view.figure, width=600, height=400, title=view.title, source=view.source)
    finally:
        export.stop_kaleido()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
