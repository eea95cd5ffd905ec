"""Parsers for the source files, one module per family of layouts.

Each parser module defines ``LAYOUTS``: a list of ``Layout`` objects. A layout *sniffs* the
file's content (first bytes, decoded text, JSON keys — never the file name) and *parses* it into
``Dataset`` objects. ``parse_file`` tries every layout and fails with a clear message naming the
file when none or more than one claims it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nokkeltall.datasets import Dataset


class UnknownLayoutError(ValueError):
    """No parser recognises the file (or the file is corrupt)."""


class ImportTooLarge(UnknownLayoutError):
    """The file passes an import size limit (see ``nokkeltall.sources.limits``)."""


@dataclass(frozen=True)
class SourceFile:
    """A file to be parsed, with its raw bytes read once."""

    path: Path
    raw: bytes

    @property
    def name(self) -> str:
        return self.path.name

    def text(self) -> str:
        """Decoded text: UTF-8 (with or without BOM) if valid, else latin-1 (SSB's older exports)."""
        try:
            return self.raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self.raw.decode("latin-1")

    def head(self, n: int = 4096) -> str:
        chunk = self.raw[:n]
        try:
            return chunk.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            if error.start > n - 4:  # a multi-byte character cut at the end of the chunk
                return chunk[: error.start].decode("utf-8-sig")
            return chunk.decode("latin-1")


@dataclass(frozen=True)
class Layout:
    name: str  # e.g. "07459 tab-separated, one column per year"
    sniff: Callable[[SourceFile], bool]
    parse: Callable[[SourceFile], list[Dataset]]


def all_layouts() -> list[Layout]:
    from nokkeltall.sources import (  # here: keeps the import cheap
        boundaries,
        codes,
        commuting,
        demography,
        economy,
        plan_status,
        population,
        profiles,
        regions,
        statbank,
    )

    families = (population, commuting, demography, statbank, economy, regions, profiles, codes, boundaries)
    return [layout for family in (*families, plan_status) for layout in family.LAYOUTS]


def detect(source: SourceFile) -> Layout:
    matches = []
    for layout in all_layouts():
        try:
            if layout.sniff(source):
                matches.append(layout)
        except Exception:  # a sniffer that trips over foreign content simply does not match
            continue
    if not matches:
        raise UnknownLayoutError(f"{source.name}: ukjent filformat – ingen kjent SSB-/KLASS-layout passer")
    if len(matches) > 1:
        names = ", ".join(layout.name for layout in matches)
        raise UnknownLayoutError(f"{source.name}: tvetydig filformat (passer med {names})")
    return matches[0]


def parse_file(path: Path) -> list[Dataset]:
    """Parse one file into datasets; raises UnknownLayoutError naming the file.

    Size limits (bytes, lines, spreadsheet rows) are checked before any parser sees the file.
    """
    from nokkeltall.sources import limits  # after ImportTooLarge: limits imports it

    path = Path(path)
    try:
        source = SourceFile(path, limits.read_limited(path))
    except OSError as error:
        raise UnknownLayoutError(f"{path.name}: kan ikke leses ({error.strerror})") from error
    limits.check_rows(source.name, source.raw)
    layout = detect(source)
    try:
        datasets = layout.parse(source)
    except UnknownLayoutError:
        raise
    except Exception as error:
        raise UnknownLayoutError(f"{source.name}: kunne ikke tolkes som {layout.name}: {error}") from error
    for dataset in datasets:
        dataset.extra.setdefault("layout", layout.name)
    return datasets
