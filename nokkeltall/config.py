"""Settings from the environment, with defaults. Read at call time, never at import time."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SSB_API = "https://data.ssb.no/api/pxwebapi/v2"
SSB_LICENCE = "CC BY 4.0 (NLOD 2.0)"
SSB_CREDIT = "Kilde: Statistisk sentralbyrå"
# How the app server runs: `make run` sets these, and the browser tests and the benchmark start it the same
# way. PYTHONOPTIMIZE=2 is Python's -OO: no docstrings (Plotly's generated figure classes carry megabytes of
# them) and no asserts (used here only to narrow types): some 15 MB less for the server with every page
# visited (`make bench`).
SERVER_ENVIRONMENT = {"PYTHONOPTIMIZE": "2"}


def data_dir() -> Path:
    return Path(os.environ.get("NOKKELTALL_DATA_DIR", REPO_ROOT / "data"))


def snapshot_dir() -> Path:
    return data_dir() / "snapshot"


def database_path() -> Path:
    return data_dir() / "nokkeltall.duckdb"


def user_database_path() -> Path:
    """What users enter (plan status, milestones, applications): never touched by a rebuild."""
    return data_dir() / "brukerdata.sqlite"


def cache_dir() -> Path:
    return data_dir() / "cache"


def ssb_api_base() -> str:
    return os.environ.get("NOKKELTALL_SSB_API", DEFAULT_SSB_API).rstrip("/")


def _positive_number(name: str, default: float) -> float:
    """A positive number from the environment (tests set small limits), else ``default``."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def ssb_request_seconds() -> float:
    """Total time for one request to SSB: connect, headers and the whole answer."""
    return _positive_number("NOKKELTALL_SSB_TIMEOUT", 60.0)


def ssb_budget_seconds() -> float:
    """Total time for one refresh from SSB, retries and waits included."""
    return _positive_number("NOKKELTALL_SSB_BUDGET", 1800.0)


def ssb_max_bytes() -> int:
    """Largest answer accepted from SSB, on the wire and after decompression."""
    return int(_positive_number("NOKKELTALL_SSB_MAX_MB", 16.0) * 1024 * 1024)


def import_max_bytes() -> int:
    """Largest file ``nokkeltall import`` reads (the README states the limits)."""
    return int(_positive_number("NOKKELTALL_IMPORT_MAX_MB", 50.0) * 1024 * 1024)


def import_max_cells() -> int:
    """Most cells a JSON-stat file may declare (the product of ``size``)."""
    return int(_positive_number("NOKKELTALL_IMPORT_MAX_CELLS", 2_000_000))


def import_max_rows() -> int:
    """Most lines in one imported CSV (or other text) file."""
    return int(_positive_number("NOKKELTALL_IMPORT_MAX_ROWS", 1_000_000))


def import_max_sheet_rows() -> int:
    """Most rows in one sheet of an imported spreadsheet (xlsx)."""
    return int(_positive_number("NOKKELTALL_IMPORT_MAX_SHEET_ROWS", 100_000))
