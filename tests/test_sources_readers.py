"""The shared readers (nokkeltall.sources.readers)."""

from __future__ import annotations

import pytest

from nokkeltall.sources import readers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1835", "1835"),
        ("K-1835", "1835"),
        ("1835 Træna", "1835"),
        ("301", "0301"),
        (301, "0301"),
        ("18", None),
        ("0", None),
        ("Rest", None),
        ("9999", None),
        ("2111", None),
        ("2399", None),
        ("0716u", None),
        ("K-21-22 Svalbard", None),
        ("", None),
        (None, None),
    ],
)
def test_region_code_normalisation(raw, expected):
    assert readers.region_code(raw) == expected
