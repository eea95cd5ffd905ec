"""Harmonisation to today's municipalities: the code mapping's corrections and the estimated splits.

The database build (``nokkeltall.db``) moves every value published on an old municipality number
to today's (2024) number with the year-specific code mapping. That mapping comes from a third
party (csdata, FHI) and divides the units that were split between several of today's
municipalities with *fixed* weights. This module owns what the project does instead, case by case:

* **Ålesund/Haram (1504, 1523, 1529, 1534, 1546 → 1507 → 1508 + 1580).** 2024's Haram (1580) is the
  Haram of 2019 (1534), and 2024's Ålesund (1508) the four others: before 2020 every old unit goes
  whole to one of today's municipalities (csdata split all five 50/50). For 2020–2023, when only
  the merged 1507 Ålesund was published, Haram's share is *estimated per year and single-year age*
  by following each birth cohort: its share of the cohort on 1 January 2019 (1534 of the five)
  and on 1 January 2024 (1580 of 1508 + 1580, the first year both parts are published),
  interpolated linearly in time; cohorts born after 1 January 2019 take the 2024 share.
* **Tysfjord (1850 → 1806 Narvik + 1875 Hamarøy) and Snillfjord (1613/5012 → 5055 Heim, 5056 Hitra,
  5059 Orkland).** The part of the divided unit each successor received is known exactly for
  31 December 2019: the successor's population on 1 January 2020 (07459) minus its whole
  predecessors' population on 31 December 2019 (06913: 1 January 2019 + births − deaths + net
  migration during 2019). Those shares (≈ 0.465/0.535 for Tysfjord, ≈ 0.21/0.34/0.46 for
  Snillfjord) are used for every year and age before 2020. The age profile of the parts cannot
  be identified from the shipped data: cohort residuals by age are dominated by the deaths and
  migration of the much larger whole predecessors (e.g. −90 persons 80+ for Tysfjord's part in
  Narvik), so every age gets the unit's share.

Every value that contains a share of a divided unit is flagged ``estimated`` (and
``recalculated``). The estimates are listed in the ``split_estimate`` table, which «Om data»
shows. Persons are kept exact (fractional) inside the database; they are rounded to whole
persons where they are shown or exported (``nokkeltall.indicators.display_value``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from nokkeltall import text

OLDEST_AGE = 105  # 07459's last age group: 105 years or older


@dataclass(frozen=True)
class Split:
    """A unit divided between several of today's municipalities on 1 January ``first_year``."""

    name: str
    divided_codes: tuple[str, ...]  # the unit's numbers over time (e.g. Snillfjord 1613, then 5012)
    first_year: int  # first 1 January the successors are published
    successors: dict[str, tuple[str, ...]]  # today's municipality → its whole predecessors in first_year − 1


SPLITS: tuple[Split, ...] = (
    Split("Tysfjord", ("1850",), 2020, {"1806": ("1805", "1854"), "1875": ("1849",)}),
    Split(
        "Snillfjord",
        ("1613", "5012"),
        2020,
        {"5055": ("5011", "1571"), "5056": ("5013",), "5059": ("5016", "5023", "5024")},
    ),
)


@dataclass(frozen=True)
class CohortSplit:
    """A merged unit divided again later: shares interpolated per cohort between the last year its
    parts were published separately (``before``) and the first year they are again (``after``)."""

    name: str
    merged_code: str  # published only in the years between
    before: int  # last 1 January with the old units
    after: int  # first 1 January with today's units
    parts: dict[str, tuple[str, ...]]  # today's municipality → the old units that are it


ALESUND = CohortSplit(
    "Ålesund/Haram", "1507", 2019, 2024, {"1508": ("1504", "1523", "1529", "1546"), "1580": ("1534",)}
)

# Old units the third-party mapping lacks:
# (number, name, last year, today's municipality it is wholly part of).
MISSING_UNITS: tuple[tuple[str, str, int, str], ...] = (
    ("1842", "Skjerstad", 2004, "1804"),  # merged into Bodø 1 January 2005; in 06913 for 1980–2004
)

ABOUT_ESTIMATES = (
    "Der en kommune ble delt mellom flere av dagens kommuner, er delene anslått fra SSBs egne tall – ikke "
    "med faste vekter. Tysfjord og Snillfjord: hver del slik den var 31.12.2019 (folketallet 1.1.2020 minus "
    "de hele forgjengernes folketall ved årsskiftet fra tabell 06913), samme andel for alle år og aldre. "
    "Ålesund og Haram 2020–2023: per alder, ved å følge hvert årskull fra 1.1.2019 (Haram 1534) til 1.1.2024 "
    "(Haram 1580). Før 2020 er Haram (1534) og de fire andre kommunene hele. Anslåtte tall er merket som "
    "omregnet, og personer vises som hele tall."
)

SPLIT_ESTIMATE_COLUMNS = [
    "divided_code",
    "name",
    "municipality_code",
    "year_from",
    "year_to",
    "share",
    "method",
]


def apply(con: duckdb.DuckDBPyConnection) -> None:
    """Correct the code mapping and estimate the splits (before the harmonised tables are built).

    Creates ``age_split_weight`` (region, year, municipality, age → weight) and
    ``split_estimate`` (one row per divided unit and successor, for «Om data»)."""
    con.execute("""CREATE TABLE age_split_weight (region_code VARCHAR, year INTEGER,
                                                  municipality_code VARCHAR,
                                                  age INTEGER, weight DOUBLE)""")
    con.execute("""CREATE TABLE split_estimate (divided_code VARCHAR, name VARCHAR, municipality_code VARCHAR,
                   year_from INTEGER, year_to INTEGER, share DOUBLE, method VARCHAR)""")
    _add_missing_units(con)
    # the few units the estimates read, fetched once (region, year, sex, age → persons)
    population = con.execute(
        """SELECT region_code, year, sex, age, max(persons) AS persons FROM raw_population
           WHERE region_code = ANY($codes) GROUP BY ALL""",
        {"codes": sorted(_split_codes())},
    ).df()
    rows: list[list] = []
    rows += _whole_units(con, ALESUND)
    rows += _cohort_split(con, ALESUND, population)
    for split in SPLITS:
        rows += _component_split(con, split, population)
    if rows:
        row = f"({', '.join(['?'] * len(SPLIT_ESTIMATE_COLUMNS))})"
        con.execute(  # one statement (executemany runs one per row)
            "INSERT INTO split_estimate VALUES " + ", ".join([row] * len(rows)), [v for r in rows for v in r]
        )


def _split_codes() -> set[str]:
    """Every unit number whose population the estimates read."""
    codes = {ALESUND.merged_code, *ALESUND.parts, *(c for old in ALESUND.parts.values() for c in old)}
    for split in SPLITS:
        codes.update(split.successors)
    return codes


def _add_missing_units(con: duckdb.DuckDBPyConnection) -> None:
    for code, _name, last_year, municipality_code in MISSING_UNITS:
        con.execute(
            """INSERT INTO code_mapping
               SELECT DISTINCT $code, year, $m, 1.0, 'harmonise.MISSING_UNITS' FROM code_mapping
               WHERE year <= $last
                 AND year NOT IN (SELECT year FROM code_mapping WHERE region_code = $code)""",
            {"code": code, "m": municipality_code, "last": last_year},
        )


def _set_weight(
    con: duckdb.DuckDBPyConnection,
    region_codes: tuple[str, ...],
    years: tuple[int, int],
    municipality_code: str,
    weight: float,
) -> None:
    con.execute(
        """UPDATE code_mapping SET weight = $w
           WHERE list_contains($codes, region_code) AND year BETWEEN $y0 AND $y1
             AND municipality_code = $m""",
        {"w": weight, "codes": list(region_codes), "y0": years[0], "y1": years[1], "m": municipality_code},
    )


def _whole_units(con: duckdb.DuckDBPyConnection, case: CohortSplit) -> list[list]:
    """Before the merger each old unit belongs wholly to one of today's municipalities."""
    rows = []
    for municipality_code, old_codes in case.parts.items():
        con.execute(
            "DELETE FROM code_mapping WHERE list_contains($codes, region_code) AND year <= $y "
            "AND municipality_code <> $m",
            {"codes": list(old_codes), "y": case.before, "m": municipality_code},
        )
        _set_weight(con, old_codes, (0, case.before), municipality_code, 1.0)
        rows.append(
            [
                "+".join(old_codes),
                case.name,
                municipality_code,
                None,
                case.before,
                1.0,
                f"{'+'.join(old_codes)} er i sin helhet dagens {municipality_code} (ikke delt).",
            ]
        )
    return rows


def _ages(population: pd.DataFrame, codes: tuple[str, ...], year: int) -> pd.Series:
    """Persons by single-year age of the given units on 1 January ``year`` (each unit's total where
    published, otherwise its women + men), from the units' population (region, year, sex, age)."""
    frame = population[population["region_code"].isin(codes) & (population["year"] == year)]
    if frame.empty:
        return pd.Series(dtype=float)
    has_total = frame["region_code"].isin(frame.loc[frame["sex"] == "total", "region_code"])
    chosen = frame[(frame["sex"] == "total") | (~has_total & frame["sex"].isin(["female", "male"]))]
    return chosen.groupby("age")["persons"].sum().astype(float)


def cohort_shares(
    before: dict[str, pd.Series], after: dict[str, pd.Series], before_year: int, after_year: int
) -> pd.DataFrame:
    """year, age, municipality_code, weight for the years strictly between ``before_year`` and
    ``after_year``: each cohort's share interpolated linearly between the two censuses."""
    ages = range(OLDEST_AGE + 1)
    share_before = _shares(before, ages)
    share_after = _shares(after, ages)
    rows = []
    span = after_year - before_year
    for year in range(before_year + 1, after_year):
        step = year - before_year
        for age in ages:
            then = age - step  # the cohort's age in before_year (None: born later)
            later = min(age + after_year - year, OLDEST_AGE)
            for code in share_after:
                s_after = share_after[code].get(later)
                s_before = share_before[code].get(then) if then >= 0 else None
                weight = _interpolate(s_before, s_after, step / span)
                rows.append([year, age, code, weight])
    frame = pd.DataFrame(rows, columns=["year", "age", "municipality_code", "weight"])
    # a cohort with nobody in it at either census takes the all-ages share, interpolated the same way
    totals = {code: (_total_share(before, code), _total_share(after, code)) for code in after}
    overall = {code: _interpolate(*totals[code], 0) for code in after}
    fallback = [
        _interpolate(*totals[code], (year - before_year) / span)
        for year, code in zip(frame["year"], frame["municipality_code"], strict=True)
    ]
    frame["weight"] = (
        frame["weight"]
        .fillna(pd.Series(fallback, index=frame.index))
        .fillna(frame["municipality_code"].map(overall))
    )
    # weights of one cell add up to one
    frame["weight"] = frame["weight"] / frame.groupby(["year", "age"])["weight"].transform("sum")
    return frame.dropna()


def _total_share(parts: dict[str, pd.Series], code: str) -> float | None:
    total = sum(float(series.sum()) for series in parts.values())
    return float(parts[code].sum()) / total if total > 0 else None


def _shares(parts: dict[str, pd.Series], ages: range) -> dict[str, pd.Series]:
    table = pd.DataFrame({code: series.reindex(ages).fillna(0) for code, series in parts.items()})
    total = table.sum(axis=1)
    return {code: (table[code] / total.where(total > 0)) for code in table}


def _interpolate(before: float | None, after: float | None, fraction: float) -> float | None:
    if after is None or pd.isna(after):
        return None if before is None or pd.isna(before) else before
    if before is None or pd.isna(before):
        return after
    return before + fraction * (after - before)


def _cohort_split(con: duckdb.DuckDBPyConnection, case: CohortSplit, population: pd.DataFrame) -> list[list]:
    before = {code: _ages(population, old, case.before) for code, old in case.parts.items()}
    after = {code: _ages(population, (code,), case.after) for code in case.parts}
    if any(s.empty for s in before.values()) or any(s.empty for s in after.values()):
        return []
    weights = cohort_shares(before, after, case.before, case.after)
    weights.insert(0, "region_code", case.merged_code)
    con.register("cohort_weights", weights)
    con.execute(
        "INSERT INTO age_split_weight SELECT region_code, year, municipality_code, age, weight "
        "FROM cohort_weights"
    )
    con.unregister("cohort_weights")
    rows = []
    for year in range(case.before + 1, case.after):
        merged = _ages(population, (case.merged_code,), year)
        for code in case.parts:
            w = weights[(weights["year"] == year) & (weights["municipality_code"] == code)].set_index("age")[
                "weight"
            ]
            share = (
                float((merged.reindex(w.index).fillna(0) * w).sum() / merged.sum()) if merged.sum() else None
            )
            if share is None:
                continue
            _set_weight(con, (case.merged_code,), (year, year), code, share)
            rows.append(
                [
                    case.merged_code,
                    case.name,
                    code,
                    year,
                    year,
                    share,
                    f"Anslag per alder: hvert årskulls andel 1.1.{case.before} og 1.1.{case.after}, "
                    "interpolert lineært.",
                ]
            )
    return rows


def _end_of_year(con: duckdb.DuckDBPyConnection, codes: tuple[str, ...], year: int) -> float | None:
    """Population on 31 December ``year`` of the given units (06913: 1 January + changes)."""
    values = con.execute(
        """SELECT region_code, measure, max(value) FROM raw_observations
           WHERE list_contains($codes, region_code) AND year = $y
             AND measure IN ('population_06913', 'natural_increase', 'net_migration')
           GROUP BY ALL""",
        {"codes": list(codes), "y": year},
    ).fetchall()
    if len(values) != 3 * len(codes) or any(v is None for *_, v in values):
        return None
    return float(sum(v for *_, v in values))


def _population(population: pd.DataFrame, code: str, year: int) -> float | None:
    ages = _ages(population, (code,), year)
    return float(ages.sum()) if not ages.empty else None


def component_shares(
    con: duckdb.DuckDBPyConnection, split: Split, population: pd.DataFrame
) -> dict[str, float] | None:
    """Successor → share of the divided unit, from 07459 and 06913 (None when data are lacking)."""
    received = {}
    for code, whole in split.successors.items():
        now = _population(population, code, split.first_year)
        others = _end_of_year(con, whole, split.first_year - 1)
        if now is None or others is None:
            return None
        received[code] = max(now - others, 0.0)
    total = sum(received.values())
    return {code: part / total for code, part in received.items()} if total > 0 else None


def _component_split(con: duckdb.DuckDBPyConnection, split: Split, population: pd.DataFrame) -> list[list]:
    shares = component_shares(con, split, population)
    if shares is None:
        return []
    rows = []
    for code, share in shares.items():
        _set_weight(con, split.divided_codes, (0, split.first_year - 1), code, share)
        rows.append(
            [
                "+".join(split.divided_codes),
                split.name,
                code,
                None,
                split.first_year - 1,
                share,
                f"Anslag: delen {code} fikk 31.12.{split.first_year - 1} (folketall 1.1.{split.first_year} "
                "minus de hele forgjengernes folketall 31.12. fra 06913); samme andel for alle år og aldre.",
            ]
        )
    return rows


def estimate_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``split_estimate`` rows (``queries.split_estimates``) as shown in «Om data»."""

    def years(first, last) -> str:
        if pd.isna(first):
            return f"til og med {int(last)}"
        return str(int(last)) if first == last else text.period(f"{int(first)}-{int(last)}")

    return pd.DataFrame(
        {
            "Deling": frame["name"],
            "Gammelt nr.": frame["divided_code"],
            "Dagens nr.": frame["municipality_code"],
            "Dagens kommune": frame["municipality"],
            "År": [years(a, b) for a, b in zip(frame["year_from"], frame["year_to"], strict=True)],
            "Andel": [text.percent(100 * share, 1) for share in frame["share"]],
            "Metode": frame["method"],
        }
    )
