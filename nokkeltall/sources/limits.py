"""Size limits for imported files, checked before a file is parsed (or, for bytes, read).

* file bytes: at most ``NOKKELTALL_IMPORT_MAX_MB`` (default 50 MB), from the file's size before
  reading, and never more than that read;
* CSV and other text: at most ``NOKKELTALL_IMPORT_MAX_ROWS`` lines (default 1,000,000), counted
  in the raw bytes before any parser runs;
* spreadsheets (xlsx): at most ``MAX_ZIP_MEMBERS`` parts, unpacked at most ``XLSX_UNPACK_FACTOR``
  × the byte limit (zip bomb), and at most ``NOKKELTALL_IMPORT_MAX_SHEET_ROWS`` rows per sheet
  (default 100,000), counted in the sheet's XML before the workbook is opened;
* JSON-stat: at most ``NOKKELTALL_IMPORT_MAX_CELLS`` declared cells (default 2,000,000), checked by
  ``nokkeltall.jsonstat.validate`` before anything is built from ``size``.

The real source files are far below these (the largest: 3.3 MB, 169,000 lines, 106,000 cells).
Each refusal is an ``ImportTooLarge`` (an ``UnknownLayoutError``) with a Norwegian message naming
the file, the size found and the limit.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from nokkeltall import config, text
from nokkeltall.sources import ImportTooLarge

XLSX_UNPACK_FACTOR = 5
MAX_ZIP_MEMBERS = 10_000  # a workbook has a few dozen parts
ZIP_MAGIC = b"PK\x03\x04"
SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
UNPACK_CHUNK = 1024 * 1024


def _megabytes(size: float) -> str:
    megabytes = size / 1024 / 1024
    return f"{text.number(megabytes, 0 if megabytes >= 10 else 1 if megabytes >= 1 else 2)} MB"


def read_limited(path: Path) -> bytes:
    """The file's bytes, refused (``ImportTooLarge``) above the byte limit before reading."""
    limit = config.import_max_bytes()
    size = path.stat().st_size
    if size > limit:
        raise ImportTooLarge(
            f"{path.name}: filen er {_megabytes(size)}, grensen for import er {_megabytes(limit)} "
            "(NOKKELTALL_IMPORT_MAX_MB)"
        )
    with path.open("rb") as stream:
        raw = stream.read(limit + 1)  # a file that grew since: still never more than the limit
    if len(raw) > limit:
        raise ImportTooLarge(f"{path.name}: filen er større enn grensen for import på {_megabytes(limit)}")
    return raw


def check_rows(name: str, raw: bytes) -> None:
    """Refuse a text file with too many lines, or a workbook too large unpacked or with too many rows."""
    if raw.startswith(ZIP_MAGIC):
        _check_workbook(name, raw)
    elif raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):  # JSON is limited by cells instead
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
        _refuse_rows(name, lines, config.import_max_rows(), "linjer", "NOKKELTALL_IMPORT_MAX_ROWS")


def _refuse_rows(name: str, found: int, limit: int, what: str, setting: str, sheet: str = "") -> None:
    if found > limit:
        where = f" i arket {sheet}" if sheet else ""
        raise ImportTooLarge(
            f"{name}: {text.number(found)} {what}{where}, "
            f"grensen for import er {text.number(limit)} ({setting})"
        )


def _zip_members(raw: bytes) -> int | None:
    """Members the zip's end record declares (read before zipfile builds one object per member)."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    return int.from_bytes(raw[end + 10 : end + 12], "little") if end >= 0 else None


def _check_workbook(name: str, raw: bytes) -> None:
    members = _zip_members(raw)
    if members is not None and members > MAX_ZIP_MEMBERS:
        raise ImportTooLarge(
            f"{name}: regnearket har {text.number(members)} deler, grensen er {text.number(MAX_ZIP_MEMBERS)}"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        return  # not a zip after all: no parser will claim it
    with archive:
        unpacked = sum(member.file_size for member in archive.infolist())
        limit = XLSX_UNPACK_FACTOR * config.import_max_bytes()
        if unpacked > limit:
            raise ImportTooLarge(
                f"{name}: regnearket er {_megabytes(unpacked)} utpakket, "
                f"grensen for import er {_megabytes(limit)}"
            )
        for member in archive.infolist():
            if SHEET.match(member.filename):
                rows = _count_rows(archive, member, limit)
                sheet = member.filename.rsplit("/", 1)[-1].removesuffix(".xml")
                setting = "NOKKELTALL_IMPORT_MAX_SHEET_ROWS"
                _refuse_rows(name, rows, config.import_max_sheet_rows(), "rader", setting, sheet)


def _count_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> int:
    """``<row`` elements in a sheet's XML, streamed (never more than ``limit`` bytes unpacked)."""
    rows, tail, unpacked = 0, b"", 0
    with archive.open(member) as stream:
        while chunk := stream.read(UNPACK_CHUNK):
            unpacked += len(chunk)
            if unpacked > limit:
                break
            window = tail + chunk
            rows += window.count(b"<row ") + window.count(b"<row>")
            tail = window[-5:]
            rows -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again with the next chunk
    return rows + tail.count(b"<row ") + tail.count(b"<row>")
