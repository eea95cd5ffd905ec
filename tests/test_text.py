"""Norwegian number and date formats, and the sentences written from the data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from nokkeltall import text


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234, 0, "1 234"),
        (1234567.891, 2, "1 234 567,89"),
        (443, 0, "443"),
        (0, 0, "0"),
        (-3.24, 1, "−3,2"),  # a real minus sign
        (-0.04, 1, "0,0"),  # no «−0,0»
        (2.5, 0, "3"),  # half away from zero, as people round
        (12.345, 2, "12,35"),
        (np.int64(2037), 0, "2 037"),
    ],
)
def test_number(value, decimals, expected):
    assert text.number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan, float("inf"), "abc"])
def test_missing_is_a_dash_never_zero(missing):
    assert text.number(missing) == "–"
    assert text.percent(missing) == "–"
    assert text.kroner(missing) == "–"
    assert text.formatted(missing, "personer") == "–"
    assert text.is_missing(missing)


def test_percent_and_units():
    assert text.percent(12.5) == "12,5 %"
    assert text.percent(3.2, sign=True) == "+3,2 %"
    assert text.percent(-3.2, sign=True) == "−3,2 %"
    assert text.kroner(123456) == "123 456 kr"
    assert text.formatted(12.25, "%", 1) == "12,3 %"
    assert text.formatted(5.1, "% av brutto driftsinntekter", 1) == "5,1 %"
    assert text.formatted(30.87, "år", 1) == "30,9 år"
    assert text.formatted(1.7385, "indeks", 3) == "1,739"
    assert text.formatted(2037.4, "personer") == "2 037"
    assert text.formatted(208176, "kr") == "208 176 kr"


def test_long_dates():
    assert text.long_date(date(2026, 1, 1)) == "1. januar 2026"
    assert text.long_date(date(2025, 12, 31)) == "31. desember 2025"
    assert text.population_date(2026) == "1. januar 2026"


def test_change_sentence_down_up_unchanged_missing():
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 478, 443) == (
        "Folketallet i Træna gikk ned med 7,3 % fra 2016 til 2026."
    )
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 443, 478) == (
        "Folketallet i Træna økte med 7,9 % fra 2016 til 2026."
    )
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 443, 443) == (
        "Folketallet i Træna var uendret fra 2016 til 2026."
    )
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 1000, 1002) == (
        "Folketallet i Træna var nesten uendret fra 2016 til 2026 (+0,2 %)."
    )
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, None, 443) is None
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 443, float("nan")) is None
    assert text.change_sentence("Folketallet", "Træna", 2016, 2026, 0, 443) is None


def test_aggregate_change_sentence():
    assert text.aggregate_change_sentence("Nordland", 1.1) == "I Nordland som helhet økte det med 1,1 %."
    assert text.aggregate_change_sentence("Nordland", -2) == "I Nordland som helhet gikk det ned med 2,0 %."
    assert text.aggregate_change_sentence("Nordland", 0.01) == "I Nordland som helhet var det uendret."
    assert text.aggregate_change_sentence("Nordland", None) is None


def test_period_uses_an_en_dash_and_shows_missing():
    assert text.period("2024-2036") == "2024–2036"
    assert text.period("2024 - 2036") == "2024–2036"
    assert text.period("desember 2022") == "desember 2022"
    assert text.period(None) == text.period("") == "–"


def test_iso_date_in_norwegian():
    assert text.iso_date("2025-05-21T06:00:00Z") == "21. mai 2025"
    assert text.iso_date("2026-11-26") == "26. november 2026"
    assert text.iso_date(None) is None and text.iso_date("") is None
    assert text.iso_date("ukjent") == "ukjent"


def test_local_time_is_norwegian_and_in_oslo_time():
    assert text.local_time("2026-11-26T08:58:21+00:00") == "26. november 2026 kl. 09.58"  # winter: UTC+1
    assert text.local_time("2026-06-01T22:30:00+00:00") == "2. juni 2026 kl. 00.30"  # summer: UTC+2
    assert text.local_time(None) == text.MISSING


def test_round_half_up_matches_what_number_shows():
    assert text.round_half_up(1.7385, 3) == 1.739 and text.number(1.7385, 3) == "1,739"
    assert text.round_half_up(2.5, 0) == 3.0 and text.round_half_up(-2.5, 0) == -3.0
