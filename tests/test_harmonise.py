"""The five harmonisation defects found by the independent recomputation, each on small inline data
(the assertion failed before the fix and holds after), and the recomputation itself for 1508, 1580,
1806, 1875, 5055, 5056 and 5059 against the raw files in ../shared."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from test_sources_profiles import PROFILE_HEADER

from nokkeltall import cli, db, harmonise, indicators, queries, snapshot
from nokkeltall.datasets import Dataset
from nokkeltall.sources import SourceFile, profiles

SHARED_RAW = Path(__file__).resolve().parent.parent.parent / "shared" / "ssb" / "raw"


def municipalities(*rows: tuple[str, str, str]) -> Dataset:
    frame = pd.DataFrame(
        [(code, name, name, county, None) for code, name, county in rows],
        columns=["municipality_code", "name", "official_name", "county_code", "county_name"],
    )
    return Dataset("municipalities_klass131", "municipalities", frame, "KLASS-131", "Kommuner", "klass.json")


def mapping(rows: list[tuple[str, int, str, float]]) -> Dataset:
    frame = pd.DataFrame(rows, columns=["region_code", "year", "municipality_code", "weight"])
    return Dataset("code_mapping_to_2024", "code_mapping", frame, "KLASS-131", "Omkoding", "mapping.csv")


def population(name: str, rows: list[tuple[str, int, int, int]]) -> Dataset:
    """rows: (region, year, age, persons), all sexes together."""
    frame = pd.DataFrame(
        [(r, y, "total", a, p) for r, y, a, p in rows],
        columns=["region_code", "year", "sex", "age", "persons"],
    )
    return Dataset(name, "population_age_sex", frame, "07459", "Befolkning", f"{name}.csv")


def observations(name: str, rows: list[tuple[str, int, str, float]], table: str = "06913") -> Dataset:
    frame = pd.DataFrame(rows, columns=["region_code", "year", "measure", "value"])
    return Dataset(name, "observations", frame, table, name, f"{name}.csv")


def build(tmp_path: Path, datasets: list[Dataset]):
    snapshot.write_datasets(datasets, tmp_path / "snapshot")
    db.build(tmp_path / "db.duckdb", tmp_path / "snapshot")
    return db.connect(tmp_path / "db.duckdb")


def total(con, code: str, year: int) -> tuple[float, bool]:
    return con.execute(
        "SELECT sum(persons), bool_or(estimated) FROM population WHERE municipality_code = ? AND year = ? "
        "AND sex = 'total'",
        [code, year],
    ).fetchone()


# --- 1. Ålesund and Haram ------------------------------------------------------------------------


def alesund_datasets() -> list[Dataset]:
    # csdata's mapping: every old unit 50/50 between 1508 and 1580, 1507 too
    rows = [
        (code, year, target, 0.5)
        for code in ("1504", "1534")
        for year in (2018, 2019)
        for target in ("1508", "1580")
    ]
    rows += [("1507", year, target, 0.5) for year in range(2020, 2024) for target in ("1508", "1580")]
    rows += [(code, 2024, code, 1.0) for code in ("1508", "1580")]
    people = []
    for year in (2018, 2019):  # ages 10 and 11: Haram 100 of 500 and 300 of 500
        people += [
            ("1504", year, 10, 400),
            ("1534", year, 10, 100),
            ("1504", year, 11, 200),
            ("1534", year, 11, 300),
        ]
    for year in range(2020, 2024):
        people += [("1507", year, 10, 500), ("1507", year, 11, 500), ("1507", year, 15, 500)]
    # 2024: the cohort aged 10 in 2019 (15 now) is half Haram
    people += [
        ("1508", 2024, 15, 250),
        ("1580", 2024, 15, 250),
        ("1508", 2024, 10, 400),
        ("1580", 2024, 10, 100),
        ("1508", 2024, 11, 400),
        ("1580", 2024, 11, 100),
        ("1508", 2024, 16, 250),
        ("1580", 2024, 16, 250),
    ]
    return [
        municipalities(("1508", "Ålesund", "15"), ("1580", "Haram", "15")),
        mapping(rows),
        population("population_07459_fixture", people),
    ]


def test_haram_before_2020_is_the_old_haram_whole(tmp_path):
    with build(tmp_path, alesund_datasets()) as con:
        assert total(con, "1580", 2019) == (400, False)  # 1534 only; was (400 + 600) / 2 = 500
        assert total(con, "1508", 2019) == (600, False)  # 1504 only
        assert total(con, "1580", 2018)[0] + total(con, "1508", 2018)[0] == 1000


def test_merged_alesund_2020_2023_is_divided_per_cohort_and_flagged(tmp_path):
    with build(tmp_path, alesund_datasets()) as con:
        # age 15 in 2022 was age 12 in 2019 (no data) and is age 17 in 2024 (no data): left out;
        # age 11 in 2020 was 10 in 2019 (Haram 1/5) and is 15 in 2024 (Haram 1/2): 1/5 + 1/5 × 3/10
        share = con.execute(
            "SELECT weight FROM age_split_weight WHERE region_code = '1507' AND year = 2020 AND age = 11 "
            "AND municipality_code = '1580'"
        ).fetchone()[0]
        assert share == pytest.approx(0.2 + 0.2 * 0.3)
        haram, estimated = total(con, "1580", 2020)
        alesund, _ = total(con, "1508", 2020)
        assert estimated and haram + alesund == pytest.approx(1500)
        assert haram != pytest.approx(750)  # not 50/50
        methods = queries.split_estimates(con)
        assert {"1507", "1534"} <= set(methods["divided_code"])


def test_cohort_shares_interpolate_between_the_two_censuses():
    before = {"A": pd.Series({10: 80.0}), "B": pd.Series({10: 20.0})}
    after = {"A": pd.Series({15: 60.0}), "B": pd.Series({15: 40.0})}
    weights = harmonise.cohort_shares(before, after, 2019, 2024).set_index(
        ["year", "age", "municipality_code"]
    )
    assert weights.loc[(2022, 13, "B"), "weight"] == pytest.approx(0.2 + 0.6 * 0.2)
    assert weights.loc[(2022, 13, "A"), "weight"] == pytest.approx(1 - (0.2 + 0.6 * 0.2))


# --- 2. KOSTRA rows already on 2024 numbers -------------------------------------------------------


def test_kostra_rows_on_2024_numbers_before_2018_are_kept(tmp_path):
    datasets = [
        municipalities(("5020", "Osen", "50")),
        mapping([("1633", 2015, "5020", 1.0), ("5020", 2018, "5020", 1.0)]),
        population("population_07459_fixture", [("1633", 2015, 30, 900), ("5020", 2018, 30, 880)]),
        observations(
            "kostra_economy_fixture",
            [
                ("5020", 2015, "net_debt_per_capita_nok", 51786.0),
                ("5020", 2018, "net_debt_per_capita_nok", 50000.0),
            ],
            "KOSTRA",
        ),
    ]
    with build(tmp_path, datasets) as con:
        series = queries.indicator_series(con, "net_debt_per_capita_nok", ["5020"])
        assert dict(zip(series["year"], series["value"], strict=True)) == {2015: 51786.0, 2018: 50000.0}


# --- 3. Divided municipalities: shares from the data, whole persons shown --------------------------


def tysfjord_datasets() -> list[Dataset]:
    rows = [
        ("1805", 2019, "1806", 1.0),
        ("1854", 2019, "1806", 1.0),
        ("1849", 2019, "1875", 1.0),
        ("1850", 2019, "1806", 0.5),
        ("1850", 2019, "1875", 0.5),
        ("1806", 2020, "1806", 1.0),
        ("1875", 2020, "1875", 1.0),
    ]
    people = [
        ("1805", 2019, 40, 1000),
        ("1854", 2019, 40, 200),
        ("1849", 2019, 40, 300),
        ("1850", 2019, 40, 100),
        ("1806", 2020, 40, 1205),
        ("1875", 2020, 40, 355),
    ]
    # 31.12.2019: 1805 970, 1854 195, 1849 300 → Tysfjord's parts 40 (Narvik) and 55 (Hamarøy)
    changes = [
        ("1805", 2019, "population_06913", 1000),
        ("1805", 2019, "natural_increase", -10),
        ("1805", 2019, "net_migration", -20),
        ("1854", 2019, "population_06913", 200),
        ("1854", 2019, "natural_increase", 0),
        ("1854", 2019, "net_migration", -5),
        ("1849", 2019, "population_06913", 300),
        ("1849", 2019, "natural_increase", 2),
        ("1849", 2019, "net_migration", -2),
    ]
    return [
        municipalities(("1806", "Narvik", "18"), ("1875", "Hamarøy", "18")),
        mapping(rows),
        population("population_07459_fixture", people),
        observations("population_changes_06913", changes),
    ]


def test_tysfjord_is_divided_by_the_parts_each_successor_received(tmp_path):
    with build(tmp_path, tysfjord_datasets()) as con:
        narvik, estimated = total(con, "1806", 2019)
        assert estimated and narvik == pytest.approx(1200 + 100 * 40 / 95)  # was 1200 + 50
        assert total(con, "1875", 2019)[0] == pytest.approx(300 + 100 * 55 / 95)
        flagged = con.execute(
            "SELECT recalculated, estimated FROM measure WHERE municipality_code = '1806' "
            "AND year = 2019 AND measure = 'population'"
        ).fetchone()
        assert flagged == (True, True)


def test_estimated_persons_are_shown_and_exported_whole(tmp_path, monkeypatch, capsys):
    build(tmp_path, tysfjord_datasets()).close()
    monkeypatch.setattr(db, "ensure_database", lambda *a, **k: tmp_path / "db.duckdb")
    monkeypatch.setattr(
        db,
        "connect",
        lambda *a, **k: __import__("duckdb").connect(str(tmp_path / "db.duckdb"), read_only=True),
    )
    assert cli.main(["series", "1806", "population"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "2019,1242" in lines  # 1242.105… inside
    population = indicators.get("population")
    assert indicators.display_value(population, 6333.1) == 6333
    assert indicators.display_value(indicators.get("share_0_19_pct"), 12.34) == 12.34


# --- 4. A total with a missing part is missing ------------------------------------------------------


def test_fee_total_with_a_missing_fee_is_missing(tmp_path):
    text = PROFILE_HEADER + (
        "1828,Nesna,Nordland,179,1808,607300,2024,27.2,37.1,2.5,22.6,10.6,2024,68.7,5.1,26.2,2024,57.2,6.3,6.2,21.0,"
        "5.7,3.2,2026,3578,5498,,298,9374,2024,True,2880,3.15,2025,500,67,0,748\n"
        "1835,Træna,Nordland,8,442,559500,2024,29.2,41.1,4,20.2,5.5,2024,64.4,,35.6,2024,82.7,3.9,5.5,0,0,7.9,"
        "2026,12473,4400,5594,926,23393,2024,False,,,2025,500,118,1,425\n"
    )
    path = tmp_path / "profiles.csv"
    path.write_text(text, encoding="utf-8")
    (profile, _flags) = profiles.parse_profiles(SourceFile(path, path.read_bytes()))
    frame = profile.frame
    fee = frame[(frame["measure"] == "fee_total_nok")].set_index("region_code")["value"]
    assert pd.isna(fee.get("1828", pd.NA))  # was 9374 = water + wastewater + sweeping, without waste
    assert fee["1835"] == 23393


# --- 5. Every definition says what its formula computes --------------------------------------------


@pytest.mark.parametrize("indicator", indicators.CATALOGUE, ids=lambda i: i.id)
def test_definition_matches_formula(indicator):
    assert indicators.definition_problems(indicator) == []


def test_the_old_gp_reserve_definition_is_caught():
    old = dataclasses.replace(
        indicators.get("gp_reserve_capacity_pct"),
        definition="Ledige plasser på fastlegelistene i prosent av listeplassene.",
    )
    assert indicators.definition_problems(old)


def test_swapped_numerator_and_denominator_are_caught():
    share = indicators.get("share_0_19_pct")
    swapped = dataclasses.replace(share, definition="Folketallet i prosent av personer 0–19 år.")
    assert indicators.definition_problems(swapped)


# --- the independent recomputation against the raw files ------------------------------------------


def read_07459(path: Path) -> pd.DataFrame:
    """region code, year, persons (all ages) from any of the raw 07459 CSV exports — own code."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip('"').lower().startswith("region"))
    separator = max(("\t", ";", ","), key=lines[start].count)
    frame = pd.read_csv(io.StringIO("\n".join(lines[start:])), sep=separator, dtype=str)
    frame["code"] = frame["region"].str.extract(r"(\d{4})", expand=False)
    long = frame.melt(id_vars=["region", "age", "code"], var_name="column", value_name="persons").dropna(
        subset=["code"]
    )
    long["year"] = long["column"].str.extract(r"(\d{4})", expand=False).astype(int)
    long["persons"] = pd.to_numeric(long["persons"], errors="coerce").fillna(0)
    return long.groupby(["code", "year"])["persons"].sum()


@pytest.fixture(scope="module")
def raw_population() -> pd.Series:
    if not SHARED_RAW.is_dir():
        pytest.skip("../shared/ssb/raw is not here (CI has it)")
    files = sorted(p for p in SHARED_RAW.glob("07459_personer_alder_*.csv"))
    return pd.concat([read_07459(p) for p in files])


@pytest.fixture(scope="module")
def raw_06913() -> pd.DataFrame:
    path = SHARED_RAW / "06913_befolkningsendringer_NO_TR_1980-2025_valg_analyser_UTDRAG.csv"
    if not path.is_file():
        pytest.skip("../shared/ssb/raw is not here (CI has it)")
    frame = pd.read_csv(path, dtype={"kode": str})
    return frame.set_index(["kode", "variabel", "aar"])["verdi"]


def persons(raw: pd.Series, codes: tuple[str, ...], year: int) -> float:
    return float(sum(raw.get((code, year), 0) for code in codes))


def shares_2019(
    raw: pd.Series, changes: pd.Series, successors: dict[str, tuple[str, ...]]
) -> dict[str, float]:
    """Each successor's part of a unit divided on 1 January 2020 (own computation from the raw files)."""
    received = {}
    for code, whole in successors.items():
        end_2019 = sum(
            changes[(p, v, 2019)]
            for p in whole
            for v in ("Folkemengde", "Fodselsoverskudd", "Nettoinnflytting")
        )
        received[code] = persons(raw, (code,), 2020) - end_2019
    return {code: part / sum(received.values()) for code, part in received.items()}


TYSFJORD = {"1806": ("1805", "1854"), "1875": ("1849",)}
SNILLFJORD = {"5055": ("5011", "1571"), "5056": ("5013",), "5059": ("5016", "5023", "5024")}
# every number the whole predecessors had 2005–2019 (old Trøndelag numbers until 2017, 50xx in 2018–2019)
WHOLE = {
    "1508": ("1504", "1523", "1529", "1546"),
    "1580": ("1534",),
    "1806": ("1805", "1854"),
    "1875": ("1849",),
    "5055": ("1612", "5011", "1571"),
    "5056": ("1617", "5013"),
    "5059": ("1622", "5016", "1636", "5023", "1638", "5024"),
}
DIVIDED = {
    "1806": ("1850",),
    "1875": ("1850",),
    "5055": ("1613", "5012"),
    "5056": ("1613", "5012"),
    "5059": ("1613", "5012"),
}


@pytest.mark.parametrize("code", ["1508", "1580", "1806", "1875", "5055", "5056", "5059"])
def test_population_equals_an_independent_recomputation(code, raw_population, raw_06913, shipped_con, capsys):
    shares = {
        **shares_2019(raw_population, raw_06913, TYSFJORD),
        **shares_2019(raw_population, raw_06913, SNILLFJORD),
    }
    app = queries.indicator_series(shipped_con, "population", [code]).set_index("year")["value"]
    for year in range(2005, 2020):
        expected = persons(raw_population, WHOLE[code], year)
        expected += shares.get(code, 0) * persons(raw_population, DIVIDED.get(code, ()), year)
        assert app[year] == pytest.approx(expected, abs=1e-6), (code, year)
    for year in range(2020, 2024):
        if code in ("1508", "1580"):  # the merged 1507: a documented estimate; the parts add up to it
            both = app_total(shipped_con, year)
            assert both == pytest.approx(persons(raw_population, ("1507",), year), abs=1e-6)
            haram_2019 = persons(raw_population, ("1534",), 2019) / persons(
                raw_population, WHOLE["1508"] + ("1534",), 2019
            )
            haram_2024 = persons(raw_population, ("1580",), 2024) / persons(
                raw_population, ("1508", "1580"), 2024
            )
            low, high = sorted((haram_2019, haram_2024))
            share = app[year] / both if code == "1580" else 1 - app[year] / both
            assert low - 0.01 <= share <= high + 0.01, (code, year, share)
        else:
            assert app[year] == persons(raw_population, (code,), year)
    assert app[2024] == persons(raw_population, (code,), 2024)


def app_total(con, year: int) -> float:
    series = queries.indicator_series(con, "population", ["1508", "1580"])
    return float(series.loc[series["year"] == year, "value"].sum())


def test_the_recomputation_reads_every_raw_07459_file(raw_population):
    years = sorted({year for _code, year in raw_population.index})
    assert years == list(range(2005, 2025))
    assert re.fullmatch(r"\d{4}", raw_population.index[0][0])
