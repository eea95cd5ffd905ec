"""Every CSV and Excel file the app writes goes through here, so a cell can never become a formula.

OWASP's rule for CSV injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe (``'=HYPERLINK(…)``), so Excel and LibreOffice show it as text. Only
text is changed: numbers (also negative ones) stay numbers. The Excel writer also writes every string
as a string (xlsxwriter would otherwise turn ``=…`` into a live formula and ``http…`` into a link).
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def neutralise(value):
    """``value`` with a leading apostrophe when it is text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised; numbers untouched."""
    out = frame.copy()
    out.columns = [neutralise(column) for column in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        out.isetitem(position, column.map(neutralise, na_action="ignore"))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """Semicolon-separated with decimal comma and a BOM (opens directly in Norwegian Excel). Lines end
    in CR LF, so a field holding a lone CR is quoted (unquoted, Excel would start a new row there)."""
    text = safe_cells(frame).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def excel_writer(buffer: io.BytesIO) -> pd.ExcelWriter:
    """An xlsxwriter-backed writer that writes strings as strings; pass frames through ``safe_cells``."""
    return pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": EXCEL_OPTIONS})
