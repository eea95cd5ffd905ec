"""Settings from the environment, with defaults. Read at call time, never at import time."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SSB_API = "https://data.ssb.no/api/pxwebapi/v2"
SSB_LICENCE = "CC BY 4.0 (NLOD 2.0)"
SSB_CREDIT = "Kilde: Statistisk sentralbyrå"


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
