"""Shared readers for the source parsers: CSV, JSON and workbook reading, region codes, numbers
and years, and the long observation/attribute frames every family produces.

General rules, applied by every family module:

* Detection looks at content only (an exact header line, JSON keys, workbook sheets). The file
  name is used only for metadata a file does not state itself (the year of a KLASS 131 code
  list and of the BA-region workbook) — see the functions concerned.
* Values stay as published, on the municipality numbers of their own year (no harmonisation).
* Region codes are 4-digit zero-padded strings; "K-1835" and "1835 Træna" become "1835".
  Non-municipality codes (counties, "0", "Rest", 9999 Uoppgitt, Svalbard/Jan Mayen/continental
  shelf 21xx–23xx, "0716u") are dropped from statistical datasets.
* Missing values are <NA>, never 0.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import SourceFile, UnknownLayoutError

SSB = "Statistisk sentralbyrå"
SSB_LICENCE = "CC BY 4.0 (NLOD 2.0)"
KDD = "Kommunal- og distriktsdepartementet (KDD)"
NLOD = "NLOD 2.0"
MISSING_TEXT = frozenset({"", ".", "..", "...", ":", "NA", "nan", "NaN", "None"})


@dataclass(frozen=True)
class About:
    """What a family's files are, whatever their content: the ``Dataset`` fields a parser does not
    compute (a title or caveat naming the file's years is passed to ``dataset`` instead)."""

    table_id: str
    title: str = ""
    publisher: str = SSB
    licence: str = SSB_LICENCE
    caveat: str | None = None

    def dataset(
        self, source: SourceFile, name: str, kind: str, frame: pd.DataFrame, **fields: Any
    ) -> Dataset:
        """One dataset parsed from ``source``; ``fields`` (title, caveat, updated, extra) win over these."""
        return Dataset(name=name, kind=kind, frame=frame, source=source.name, **(asdict(self) | fields))


def region_code(raw: Any) -> str | None:
    """A municipality number as 4 digits, or None for anything that is not a municipality.

    Accepts "1835", "K-1835", "1835 Træna", "301" (zero-padded to "0301") and ints. Counties
    (1–2 digits), 9999, 0000 and 21xx/22xx/23xx (Svalbard, Jan Mayen, continental shelf) → None.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    text = str(raw).strip()
    if text.upper().startswith("K-"):
        text = text[2:]
    match = re.match(r"^(\d+)(?:\s|$)", text)
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "0" + digits
    if len(digits) != 4 or digits in {"0000", "9999"} or digits[:2] in {"21", "22", "23"}:
        return None
    return digits


def first_line(source: SourceFile) -> str:
    line = source.head(2048).lstrip("\ufeff").splitlines()
    return line[0].strip() if line else ""


def header_is(source: SourceFile, columns: list[str], sep: str = ",") -> bool:
    """True if the file's first line is exactly these column names (quotes allowed)."""
    row = next(csv.reader([first_line(source)], delimiter=sep), [])
    return [cell.strip() for cell in row] == columns


def read_csv(source: SourceFile, sep: str = ",") -> pd.DataFrame:
    """All columns as text; empty cells become ''. Handles quoted line breaks."""
    text = source.text().lstrip("\ufeff")
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
    return frame.fillna("")


T = TypeVar("T")


def sniffed(found: T | None, source: SourceFile) -> T:
    """What the layout's sniffer found again at parse time (None only for a file that changed meanwhile)."""
    if found is None:
        raise UnknownLayoutError(f"{source.name}: filen passer ikke lenger med formatet")
    return found


def matched(pattern: re.Pattern[str], text: str) -> re.Match[str]:
    match = pattern.match(text)
    if match is None:
        raise ValueError(f"uventet kolonne eller overskrift {text!r}")
    return match


def to_number(values: Iterable[Any], what: str) -> pd.Series:
    """Text → Float64; empty and SSB symbols ('.', '..', ':') → <NA>; anything else fails clearly."""
    out: list[float | None] = []
    for value in values:
        text = "" if value is None else str(value).strip().replace("\u2212", "-")
        if text in MISSING_TEXT:
            out.append(None)
            continue
        try:
            out.append(float(text))
        except ValueError:
            raise ValueError(f"ugyldig tall {text!r} i {what}") from None
    return pd.Series(pd.array(out, dtype="Float64"))


def to_year(values: Iterable[Any], what: str) -> pd.Series:
    years = []
    for value in values:
        text = str(value).strip()
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise ValueError(f"ugyldig årstall {text!r} i {what}")
        years.append(int(text))
    return pd.Series(years, dtype="int64")


def observations(rows: pd.DataFrame) -> pd.DataFrame:
    """region_code/year/measure/value rows, sorted, with non-municipality codes removed."""
    frame = rows.copy()
    frame["region_code"] = [region_code(code) for code in frame["region_code"]]
    frame = frame[frame["region_code"].notna()]
    return frame.sort_values(["measure", "region_code", "year"], kind="stable").reset_index(drop=True)


def wide_to_observations(
    frame: pd.DataFrame, code_column: str, year: int | pd.Series, measures: dict[str, str]
) -> pd.DataFrame:
    """One observation per row and measure column: {column: measure_name}."""
    parts = []
    for column, measure in measures.items():
        parts.append(
            pd.DataFrame(
                {
                    "region_code": frame[code_column].to_numpy(),
                    "year": year if isinstance(year, int) else year.to_numpy(),
                    "measure": measure,
                    "value": to_number(frame[column], column).to_numpy(),
                }
            )
        )
    return observations(pd.concat(parts, ignore_index=True))


def wide_to_attributes(
    frame: pd.DataFrame, code_column: str, as_of: str, attributes: dict[str, str]
) -> pd.DataFrame:
    """One attribute per row and column: {column: attribute_name}. Rows without a municipality
    number or without a value are left out (a missing fact is absent, never an empty string)."""
    codes = [region_code(code) for code in frame[code_column]]
    parts = [
        pd.DataFrame(
            {
                "region_code": codes,
                "attribute": attribute,
                "value": frame[column].replace({"": None}).to_numpy(),
                "as_of": as_of,
            }
        )
        for column, attribute in attributes.items()
    ]
    return pd.concat(parts, ignore_index=True).dropna(subset=["region_code", "value"])


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise UnknownLayoutError(f"{what}: mangler kolonner {missing}")


def year_from_name(source: SourceFile, what: str) -> int:
    """The last 4-digit year in the file name — only for metadata the content does not state."""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", source.name)
    if not years:
        raise UnknownLayoutError(
            f"{source.name}: finner ikke årgang for {what} (forventet årstall i filnavnet)"
        )
    return int(years[-1])


@functools.lru_cache(maxsize=4)
def parsed_json(source: SourceFile) -> Any:
    """The parsed JSON document, or None if the content is not a JSON object."""
    if not source.head(64).lstrip("\ufeff").lstrip().startswith("{"):
        return None
    try:
        return json.loads(source.text())
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any source file
        return None


@functools.lru_cache(maxsize=4)
def workbook_rows(source: SourceFile) -> dict[str, list[tuple]] | None:
    """Sheet name → rows (values) of an xlsx file, or None if it is not one."""
    if not source.raw.startswith(b"PK\x03\x04"):
        return None
    import openpyxl  # here: only needed for the two workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(source.raw), read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook simply does not match
        return None
    sheets = {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }
    book.close()
    return sheets


def year_span(years: pd.Series) -> str:
    return f"{int(years.min())}_{int(years.max())}"
