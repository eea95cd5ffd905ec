"""The method's choices for every base year, kept in a small file.

What the backtests decide for a base year is small: per size band, the candidate for the total and for the
age structure, and the intervals' half-widths and exponents (``backtest.Choice``, ``backtest.Intervals``).
The backtests behind it take seconds and some 100 MB of memory, so they are run once for every base year at
a time and their outcome is kept as JSON (some 23 kB) with a fingerprint of what it depends on: the
municipalities, years and missing figures and the source of the method's modules (hashed), and the figures
themselves as a few random weighted sums, compared with a tolerance — the database build adds fractions
of persons (from split municipalities) in varying order, so equal figures differ in the last bits between
builds and cannot be hashed, while one person more or less anywhere moves the sums far beyond it. Other
figures or another version of the method never read the file.

The shipped snapshot carries the file for its own figures (``data/snapshot/projection_choices.json``,
written by ``nokkeltall projection prepare``, part of ``make snapshot``), so the app never runs the backtests
on the shipped data; figures from an online refresh get theirs computed on first use and kept under
``data/cache/projection/``. A file that is broken, or kept for other figures, is not trusted: the choices
are computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nokkeltall.projection import backtest, groups, model, trend
from nokkeltall.projection import data as data_module
from nokkeltall.projection.backtest import Backtest, Choice, Intervals
from nokkeltall.projection.data import PopulationData

FILE_NAME = "projection_choices.json"
METHOD_MODULES = (model, trend, backtest, data_module, groups)

Decided = dict[int, tuple[list[Choice], Intervals]]  # base year → (choice per size band, intervals)


SKETCH_SUMS = 4
SKETCH_TOLERANCE = 1e-9  # relative; float noise of a sum of 700 000 figures is some 1e-12


@dataclass(frozen=True)
class Fingerprint:
    key: str  # hash of municipalities, years, missing figures and the method's source
    sketch: tuple[float, ...]  # random weighted sums of the figures

    def matches(self, other: Fingerprint) -> bool:
        return self.key == other.key and np.allclose(
            self.sketch, other.sketch, rtol=SKETCH_TOLERANCE, atol=0.0
        )


def fingerprint(data: PopulationData) -> Fingerprint:
    digest = hashlib.sha256()
    digest.update("|".join(data.codes).encode())
    digest.update(",".join(map(str, data.years)).encode())
    missing = np.isnan(data.values)
    digest.update(np.packbits(missing).tobytes())
    for module in METHOD_MODULES:
        digest.update(Path(str(module.__file__)).read_bytes())
    figures = np.where(missing, 0.0, data.values).ravel()
    random = np.random.default_rng(20261130)
    sketch = tuple(float(random.random(figures.size) @ figures) for _ in range(SKETCH_SUMS))
    return Fingerprint(digest.hexdigest()[:32], sketch)


def compute(data: PopulationData, base_years: list[int]) -> Decided:
    """The backtests' choices and intervals for each base year (one backtest run serves them all)."""
    tests = Backtest(data)
    decided: Decided = {}
    for base_year in base_years:
        chosen = tests.choose(base_year)
        decided[base_year] = (chosen, tests.intervals(base_year, chosen))
    return decided


def to_json(kept: Fingerprint, decided: Decided) -> str:
    index = model.CANDIDATES.index
    years = {
        str(year): {
            "bands": [[index(c.total), index(c.ages)] for c in chosen],
            "half_widths": intervals.half_widths.tolist(),
            "exponent": intervals.exponent.tolist(),
        }
        for year, (chosen, intervals) in sorted(decided.items())
    }
    fields = {"key": kept.key, "sketch": kept.sketch, "base_years": years}
    return json.dumps(fields, separators=(",", ":")) + "\n"


def from_json(text: str, expected: Fingerprint) -> Decided | None:
    """The choices in ``text``, or None when it is kept for other figures or method, or unreadable."""
    try:
        kept = json.loads(text)
        if not expected.matches(Fingerprint(kept["key"], tuple(map(float, kept["sketch"])))):
            return None
        candidates = model.CANDIDATES
        return {
            int(year): (
                [Choice(candidates[total], candidates[ages]) for total, ages in entry["bands"]],
                Intervals(np.array(entry["half_widths"], float), np.array(entry["exponent"], float)),
            )
            for year, entry in kept["base_years"].items()
        }
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def read(path: Path, expected: Fingerprint) -> Decided | None:
    try:
        return from_json(path.read_text(encoding="utf-8"), expected)
    except (OSError, UnicodeDecodeError):
        return None


def write(path: Path, kept: Fingerprint, decided: Decided) -> bool:
    """Temporary file, then rename; False (and nothing left behind) when it cannot be written. Backtests
    kept by earlier versions (``backtest-*.npy``, some 40 MB each) are removed from the folder."""
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".partial-", suffix=".json", delete=False
        ) as handle:
            partial = Path(handle.name)
            handle.write(to_json(kept, decided))
        os.chmod(partial, 0o644)  # readable like the snapshot's other files (the temporary file is 0600)
        os.replace(partial, path)
        partial = None
    except OSError:
        return False
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    for old in path.parent.glob("backtest-*.npy"):
        try:
            old.unlink()
        except OSError:
            continue
    return True
