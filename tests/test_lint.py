"""`make test` fails on a lint error: ruff (configured in pyproject.toml) over the whole repository,
as datasette's test_black.py does for black."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Files that still had lint errors other than line length when the linter came in; their owners are
# editing them this round. The lead empties this list with the format pass (which also wraps most long
# lines), then drops the xfail marks below. Every other file must stay clean now.
PENDING = [
    "nokkeltall/charts/indicator.py",
    "nokkeltall/charts/maps.py",
    "nokkeltall/charts/population.py",
    "nokkeltall/compare/choices.py",
    "nokkeltall/compare/figures.py",
    "nokkeltall/compare/series.py",
    "nokkeltall/compare/similarity.py",
    "nokkeltall/jsonstat.py",
    "nokkeltall/plan/network.py",
    "nokkeltall/plan/status.py",
    "nokkeltall/plan/timeline.py",
    "nokkeltall/profile/small_municipalities.py",
    "nokkeltall/report/brief.py",
    "nokkeltall/report/docx.py",
    "nokkeltall/snapshot.py",
    "nokkeltall/ssb/client.py",
    "nokkeltall/ssb/refresh.py",
    "nokkeltall/store/database.py",
    "nokkeltall/ui/applications.py",
    "nokkeltall/ui/overview.py",
    "nokkeltall/ui/plan_view.py",
    "nokkeltall/ui/widgets.py",
    "pages/om_data.py",
]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_outside_the_pending_files_ignoring_line_length():
    result = _ruff(
        "check",
        "--no-cache",
        "--output-format",
        "concise",
        "--extend-ignore",
        "E501",
        "--force-exclude",
        "--extend-exclude",
        ",".join(PENDING),
        ".",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.xfail(strict=False, reason="lint pass pending")
def test_ruff_check():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.xfail(strict=False, reason="format pass pending")
def test_ruff_format():
    result = _ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
