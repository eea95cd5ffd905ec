"""Writing small source files (real encodings and separators) and parsing them with the family layouts
(population's have their own tests), for the tests of nokkeltall.sources."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from nokkeltall.sources import SourceFile, all_layouts, population


def matching(source: SourceFile) -> list:
    """The layouts of the families tested here (population's have their own tests) that claim the file."""
    return [layout for layout in all_layouts() if layout not in population.LAYOUTS and layout.sniff(source)]


def parse(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> dict:
    """Write the file, require exactly one of our layouts to claim it, parse it → {name: Dataset}."""
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    source = SourceFile(path, path.read_bytes())
    layouts = matching(source)
    assert len(layouts) == 1, [layout.name for layout in layouts]
    return {dataset.name: dataset for dataset in layouts[0].parse(source)}


def parse_first(tmp_path: Path, name: str, content: str) -> list:
    """Write the file and parse it with the first of our layouts that claims it (for files that must fail
    while parsing, with the error of the layout that took them)."""
    path = tmp_path / name
    path.write_text(content)
    source = SourceFile(path, path.read_bytes())
    return matching(source)[0].parse(source)


def value(dataset, code: str, year: int, measure: str):
    frame = dataset.frame
    rows = frame[(frame["region_code"] == code) & (frame["year"] == year) & (frame["measure"] == measure)]
    assert len(rows) == 1, (code, year, measure, len(rows))
    return rows["value"].iloc[0]


def write_workbook(path: Path, sheets: dict[str, list[tuple]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path.read_bytes()
