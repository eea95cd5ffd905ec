"""Tables a planner can paste: numbers rounded as the app shows them, counts as whole numbers, and
Excel cells that are real numbers with a number format (never numbers stored as text).

    rounded(frame, {"Folketall": 0, "Andel (%)": 1})   counts → Int64, shares → 1 decimal
    write_sheet(writer, "Folketall", frame, decimals)   an xlsxwriter sheet with number formats

CSV and the Excel writer itself come from ``nokkeltall.spreadsheet`` (formula-like text neutralised).
"""

from __future__ import annotations

import pandas as pd

from nokkeltall import spreadsheet, text

YEAR_COLUMNS = {"År", "Kommunenr.", "Kommunenummer", "Nr.", "Plass"}
DEFAULT_DECIMALS = 1


def _whole(series: pd.Series) -> bool:
    known = series.dropna()
    return bool(len(known)) and bool((known.round(0) == known).all())


def rounded(
    frame: pd.DataFrame, decimals: dict[str, int] | None = None, default: int | None = DEFAULT_DECIMALS
) -> pd.DataFrame:
    """A copy with each numeric column rounded (``decimals`` per column, else ``default``; None: not
    rounded again); columns with 0 decimals, and float columns holding only whole numbers, become
    integers (``Int64``), so a count is «444», never «444,0»."""
    decimals = decimals or {}
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_integer_dtype(series):
            continue
        places = decimals.get(column, 0 if column in YEAR_COLUMNS else default)
        series = series.astype(float)
        if places is not None:  # half up, as ``text.number`` shows it (1.7385 → 1.739, not 1.738)
            series = series.map(lambda v, p=places: v if text.is_missing(v) else text.round_half_up(v, p))
        out[column] = series.round(0).astype("Int64") if places == 0 or _whole(series) else series
    return out


def number_format(series: pd.Series, decimals: int | None = None) -> str | None:
    """Excel's format code for a column: «# ##0» for whole numbers, «# ##0,0» for one decimal …

    (Excel shows the user's own separators; the codes are written the locale-independent way.)"""
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series) or decimals == 0:
        return "#,##0"
    if decimals is not None:
        return "#,##0." + "0" * decimals
    known = series.dropna().astype(float)
    places = 0
    for value in known.head(500):
        text = repr(round(float(value), 6))
        places = max(places, len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0)
    return "#,##0" if places == 0 else "#,##0." + "0" * min(places, 6)


def write_sheet(
    writer: pd.ExcelWriter,
    name: str,
    frame: pd.DataFrame,
    *,
    freeze: bool = True,
    width: tuple[int, int] = (10, 40),
    decimals: int | None = None,
) -> None:
    """``frame`` as a sheet: numbers as numbers with a number format (``decimals`` for every value
    column, or read from the values), years without thousands separators, text cells neutralised
    (``spreadsheet.safe_cells``; open ``writer`` with ``spreadsheet.excel_writer``)."""
    frame = spreadsheet.safe_cells(frame)
    frame.to_excel(writer, sheet_name=name, index=False)
    sheet = writer.sheets[name]
    book = writer.book
    if freeze:
        sheet.freeze_panes(1, 1)
    for position, column in enumerate(frame.columns):
        code = None if column in YEAR_COLUMNS else number_format(frame[column], decimals)
        cell_format = book.add_format({"num_format": code}) if code else None
        shown = (
            max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            if len(frame)
            else len(str(column))
        )
        sheet.set_column(position, position, max(width[0], min(width[1], shown + 2)), cell_format)
