"""``nokkeltall check``: validation rules over the whole statistics database.

In the spirit of PUDL's validation tests and OWID's dataset checks: each rule looks at the built
database and lists its violations (with the municipality, year and figures), so a wrong
harmonisation or a partial sum is caught before anyone sees it. ``nokkeltall check`` prints each
failed rule with examples and exits 1; ``nokkeltall build`` runs the rules and shows failures (the
database stays usable); a refresh whose new data breaks a rule is not written
(``validate_candidate``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nokkeltall import config, db, indicators, queries, snapshot

EXAMPLES = 5
TOLERANCE = 0.5  # persons / kroner: published figures are whole numbers

# Units that are whole things; their measures must not be negative or (unless estimated) fractional.
PERSON_MEASURES = (
    "population",
    "population_0_19",
    "population_20_66",
    "population_67_plus",
    "population_80_plus",
    "population_15_74_07459",
    "women_20_39",
    "men_20_39",
    "population_end_of_year",
    "population_15_74",
    "employed_residents_15_74",
    "employed_workplace_15_74",
    "employed_residents_flows",
    "out_commuters",
    "households_total",
    "holiday_property_transfers",
    "population_06913",
)
# Indicators in per cent that are not a part of a whole (may exceed 100 or be negative), and why.
NOT_SHARES = {
    "population_change_10y_pct": "endring",
    "job_coverage_pct": "arbeidsplasser per 100 sysselsatte bosatte",
    "net_operating_result_pct": "resultat, kan være negativt",
    "gp_reserve_capacity_pct": "kapasitet i prosent av personer på listene",
    "tax_index_pct": "i prosent av landsgjennomsnittet",
}
# Year-over-year population changes above the limit that a documented border change explains:
# (municipality, year) → the change. None today: every series is on today's borders.
DOCUMENTED_JUMPS: dict[tuple[str, int], str] = {}
JUMP_LIMIT = 0.30
# Municipality-years no shipped source gives the population for (never estimated): (code, year) → why.
DOCUMENTED_GAPS: dict[tuple[str, int], str] = {
    ("1160", 2005): "07459-filen for 2005 mangler 1154 Vindafjord og 1159 Ølen; csdata-serien begynner 2006.",
    ("1576", 2005): "07459-filen for 2005 mangler 1569 Aure og 1572 Tustna; csdata-serien begynner 2006.",
}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # Norwegian, as printed
    find: Callable[[duckdb.DuckDBPyConnection], list[str]]
    completeness: bool = False  # about a whole database; not judged for a first, partial snapshot


@dataclass
class Result:
    rule: Rule
    violations: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        _rows(
            con,
            "SELECT 1 FROM information_schema.columns WHERE table_name = $t AND column_name = $c",
            {"t": table, "c": column},
        )
    )


def _estimated(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return "coalesce(estimated, FALSE)" if _has_column(con, table, "estimated") else "FALSE"


def _number(value: float) -> str:
    return f"{value:,.2f}".replace(",", " ").rstrip("0").rstrip(".")


# --- the rules -------------------------------------------------------------------------------------


def county_totals(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Published county figures (14288's base year = the population on 1 January) equal the sum of the
    county's municipalities; the app's county and country aggregates equal the sum of their parts."""
    found = [
        f"fylke {county} {year}: publisert {_number(published)}, sum av kommunene {_number(summed)}"
        for county, year, published, summed in _rows(
            con,
            """
            WITH base AS (SELECT county_code, min(year) AS year FROM county_observation
                          WHERE measure = 'projected_population_mmmm' GROUP BY county_code)
            SELECT c.county_code, c.year, c.value, sum(m.value)
            FROM county_observation c JOIN base USING (county_code, year)
            JOIN municipality k ON k.county_code = c.county_code
            LEFT JOIN measure m ON m.municipality_code = k.municipality_code AND m.year = c.year
                               AND m.measure = 'population'
            WHERE c.measure = 'projected_population_mmmm'
            GROUP BY ALL HAVING count(m.value) = count(*) AND abs(c.value - sum(m.value)) > $tol
            ORDER BY 1""",
            {"tol": TOLERANCE},
        )
    ]
    return found + _aggregate_totals(con)


def _aggregate_totals(con: duckdb.DuckDBPyConnection) -> list[str]:
    counties = con.execute("SELECT county_code, municipality_code FROM municipality").df()
    per_county = (
        queries.indicator_series(con, "population")
        .merge(counties, on="municipality_code")
        .groupby(["county_code", "year"])["value"]
        .agg(["sum", "count"])
    )
    sizes = counties.groupby("county_code").size()
    found = []
    county_sums: dict[int, list[float]] = {}  # year → the counties' totals
    for county in sizes.index:
        aggregate = queries.aggregate_series(con, "population", county).dropna(subset=["value"])
        for year, value in zip(aggregate["year"], aggregate["value"], strict=True):
            expected = per_county["sum"].get((county, year))
            county_sums.setdefault(year, []).append(float(value))
            if expected is None or abs(float(value) - float(expected)) > TOLERANCE:
                found.append(
                    f"fylke {county} {year}: fylkestall {_number(value)}, sum av kommunene {expected}"
                )
    country = queries.aggregate_series(con, "population", None).dropna(subset=["value"])
    for year, value in zip(country["year"], country["value"], strict=True):
        parts = county_sums.get(year, [])
        if len(parts) == len(sizes) and abs(float(value) - sum(parts)) > TOLERANCE:
            found.append(f"landet {year}: landstall {_number(value)}, sum av fylkene {_number(sum(parts))}")
    return found


def parts_sum_to_total(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Women + men = total for every age, and the age groups 0–19, 20–66 and 67+ add up to the population."""
    sexes = [
        f"{code} {year} alder {age}: kvinner + menn {_number(parts)}, i alt {_number(total)}"
        for code, year, age, parts, total in _rows(
            con,
            """
            SELECT municipality_code, year, age, sum(persons) FILTER (WHERE sex <> 'total'),
                   sum(persons) FILTER (WHERE sex = 'total')
            FROM population GROUP BY ALL
            HAVING count(*) FILTER (WHERE sex IN ('female', 'male')) = 2
               AND count(*) FILTER (WHERE sex = 'total') = 1
               AND abs(sum(persons) FILTER (WHERE sex <> 'total')
                       - sum(persons) FILTER (WHERE sex = 'total')) > 1e-6
            ORDER BY 1, 2, 3""",
        )
    ]
    groups = [
        f"{code} {year}: 0–19 + 20–66 + 67+ = {_number(parts)}, folketall {_number(total)}"
        for code, year, parts, total in _rows(
            con,
            """
            SELECT municipality_code, year,
                   sum(value) FILTER (WHERE measure <> 'population'),
                   sum(value) FILTER (WHERE measure = 'population')
            FROM measure
            WHERE measure IN ('population', 'population_0_19', 'population_20_66', 'population_67_plus')
            GROUP BY ALL HAVING count(value) = 4
               AND abs(sum(value) FILTER (WHERE measure <> 'population')
                       - sum(value) FILTER (WHERE measure = 'population')) > 1e-6
            ORDER BY 1, 2""",
        )
    ]
    return sexes + groups


def shares_within_range(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every indicator in per cent that is a part of a whole lies within 0–100."""
    found = []
    for indicator in indicators.CATALOGUE:
        if indicator.unit != "%" or indicator.id in NOT_SHARES:
            continue
        series = queries.indicator_series(con, indicator.id).dropna(subset=["value"])
        outside = series[(series["value"] < 0) | (series["value"] > 100)]
        found += [
            f"{indicator.id} {row.municipality_code} {row.year}: {_number(row.value)} %"
            for row in outside.itertuples()
        ]
    return found


def no_negative_counts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """No negative persons in the population table, nor in any count measure."""
    people = [
        f"{code} {year} {sex} alder {age}: {_number(persons)} personer"
        for code, year, sex, age, persons in _rows(
            con,
            "SELECT municipality_code, year, sex, age, persons FROM population WHERE persons < 0 "
            "ORDER BY 1, 2, 3, 4",
        )
    ]
    counts = [
        f"{measure} {code} {year}: {_number(value)}"
        for measure, code, year, value in _rows(
            con,
            "SELECT measure, municipality_code, year, value FROM measure "
            "WHERE list_contains($m, measure) AND value < 0 ORDER BY 1, 2, 3",
            {"m": list(PERSON_MEASURES)},
        )
    ]
    return people + counts


def no_fractional_persons(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Persons are whole, except shares of a divided municipality flagged as estimated (rounded where
    shown)."""
    people = [
        f"{code} {year} {sex} alder {age}: {_number(persons)} personer (ikke merket som anslag)"
        for code, year, sex, age, persons in _rows(
            con,
            f"""
                  SELECT municipality_code, year, sex, age, persons FROM population
                  WHERE persons <> round(persons) AND NOT {_estimated(con, "population")}
                  ORDER BY 1, 2, 3, 4""",
        )
    ]
    counts = [
        f"{measure} {code} {year}: {_number(value)} (ikke merket som anslag)"
        for measure, code, year, value in _rows(
            con,
            f"""
                  SELECT measure, municipality_code, year, value FROM measure
                  WHERE list_contains($m, measure) AND abs(value - round(value)) > 1e-6
                    AND NOT {_estimated(con, "measure")} ORDER BY 1, 2, 3""",
            {"m": list(PERSON_MEASURES)},
        )
    ]
    shown = _shown_fractions(con)
    return people + counts + shown


def _shown_fractions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Counts of persons as shown and exported (``display_value``) are whole numbers."""
    found = []
    for indicator in indicators.CATALOGUE:
        if indicator.unit != "personer" or indicator.kind != "level":
            continue
        series = queries.indicator_series(con, indicator.id).dropna(subset=["value"])
        for row in series.itertuples():
            shown = indicators.display_value(indicator, row.value)
            if shown is not None and float(shown) != round(float(shown)):
                found.append(f"{indicator.id} {row.municipality_code} {row.year}: vises som {shown}")
    return found


def population_jumps(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A change of more than 30 % from one year to the next only where a documented border change
    explains it."""
    rows = _rows(
        con,
        """
        SELECT municipality_code, year, value, lag(value) OVER (PARTITION BY municipality_code ORDER BY year),
               lag(year) OVER (PARTITION BY municipality_code ORDER BY year)
        FROM measure WHERE measure = 'population' AND value IS NOT NULL ORDER BY 1, 2""",
    )
    return [
        f"{code} {previous_year}–{year}: {_number(before)} → {_number(value)} ({(value / before - 1):+.0%})"
        for code, year, value, before, previous_year in rows
        if before
        and previous_year == year - 1
        and abs(value / before - 1) > JUMP_LIMIT
        and (code, year) not in DOCUMENTED_JUMPS
    ]


def no_value_with_missing_input(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A total is given only when every part is (and equals their sum); a ratio only with both its parts."""
    found = []
    for measure, (parts, connector, _) in indicators.SOURCE_FORMULAS.items():
        if connector != "Sum":
            continue
        for code, year, total, present, summed in _rows(
            con,
            """
                SELECT t.municipality_code, t.year, t.value, count(p.value), sum(p.value)
                FROM measure t
                LEFT JOIN measure p ON p.municipality_code = t.municipality_code AND p.year = t.year
                 AND list_contains($parts, p.measure)
                WHERE t.measure = $total AND t.value IS NOT NULL GROUP BY ALL
                HAVING count(p.value) < len($parts) OR abs(t.value - sum(p.value)) > $tol ORDER BY 1, 2""",
            {"parts": list(parts), "total": measure, "tol": TOLERANCE},
        ):
            found.append(
                f"{measure} {code} {year}: {_number(total)} med {present} av {len(parts)} deler "
                f"(sum {_number(summed or 0)})"
            )
    return found + _ratios_without_parts(con)


def _ratios_without_parts(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = []
    for indicator in indicators.CATALOGUE:
        if indicator.kind != "ratio":
            continue
        series = queries.indicator_series(con, indicator.id).dropna(subset=["value"])
        parts = con.execute(
            "SELECT municipality_code, year FROM measure WHERE measure = $num AND value IS NOT NULL",
            {"num": indicator.numerator},
        ).df()
        lacking = series.merge(parts, on=["municipality_code", "year"], how="left", indicator=True)
        found += [
            f"{indicator.id} {row.municipality_code} {row.year}: verdi uten teller"
            for row in lacking[lacking["_merge"] == "left_only"].itertuples()
        ]
    return found


def every_municipality_every_year(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every municipality of today has the population for every year (except documented source gaps),
    and every figure a source gives for a year reaches today's municipality: a published row whose
    number the year's code mapping does not know, or whose municipality lacks the figure, was lost."""
    population = _rows(
        con,
        """
        WITH years AS (SELECT DISTINCT year FROM measure WHERE measure = 'population')
        SELECT m.municipality_code, y.year FROM municipality m, years y
        WHERE NOT EXISTS (SELECT 1 FROM measure x WHERE x.measure = 'population' AND x.value IS NOT NULL
                          AND x.municipality_code = m.municipality_code AND x.year = y.year)
        ORDER BY 1, 2""",
    )
    found = [
        f"population {code} {year}: mangler"
        for code, year in population
        if (code, year) not in DOCUMENTED_GAPS
    ]
    lost = _rows(
        con,
        """
        WITH keyed AS (
            SELECT r.region_code, r.year, r.measure, r.dataset, d.on_2024_borders, max(abs(r.value)) AS value,
                   least(r.year, (SELECT max(year) FROM code_mapping)) AS mapping_year
            FROM raw_observations r JOIN dataset d ON d.name = r.dataset
            WHERE r.value IS NOT NULL AND regexp_full_match(r.region_code, '[0-9]{4}')
              AND r.region_code <> '9999'
            GROUP BY ALL),
        targets AS (
            SELECT k.region_code, k.year, k.measure, k.dataset, k.value,
                   coalesce(CASE WHEN NOT k.on_2024_borders THEN c.municipality_code END, t.municipality_code)
                       AS municipality_code
            FROM keyed k
            LEFT JOIN code_mapping c ON c.region_code = k.region_code AND c.year = k.mapping_year
            LEFT JOIN municipality t ON t.municipality_code = k.region_code)
        SELECT g.measure, g.region_code, g.municipality_code, g.year, g.dataset FROM targets g
        WHERE CASE WHEN g.municipality_code IS NULL THEN g.value <> 0  -- 0: a number not in use that year
                   ELSE NOT EXISTS (SELECT 1 FROM measure x WHERE x.measure = g.measure
                                    AND x.municipality_code = g.municipality_code AND x.year = g.year) END
        ORDER BY 1, 3, 4, 2""",
    )
    return found + [
        f"{measure} {year}: publisert for {code}, "
        + (f"mangler for {target}" if target else "ukjent kommunenummer")
        + f" ({dataset})"
        for measure, code, target, year, dataset in lost
    ]


def catalogue_consistent(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every indicator's definition says what its formula computes, and its measures exist in the database."""
    found = [
        problem for indicator in indicators.CATALOGUE for problem in indicators.definition_problems(indicator)
    ]
    present = {m for (m,) in _rows(con, "SELECT DISTINCT measure FROM measure")}
    for indicator in indicators.CATALOGUE:
        measures = (indicator.numerator, indicator.denominator, indicator.value_measure)
        wanted = {measure for measure in measures if measure is not None}
        if indicator.kind == "median_age":
            continue
        found += [
            f"{indicator.id}: målet {measure} finnes ikke i databasen" for measure in sorted(wanted - present)
        ]
    return found


RULES: tuple[Rule, ...] = (
    Rule("fylkessummer", "Fylkes- og landstall er summen av kommunene", county_totals),
    Rule("delsummer", "Aldersgrupper og kjønn summerer til totalen", parts_sum_to_total),
    Rule("andeler", "Andeler ligger mellom 0 og 100 %", shares_within_range),
    Rule("negative", "Ingen negative antall", no_negative_counts),
    Rule(
        "brokdeler",
        "Ingen brøkdeler av personer (unntatt merkede anslag, som avrundes der de vises)",
        no_fractional_persons,
    ),
    Rule(
        "sprang",
        "Folketallet endres ikke over 30 % fra ett år til det neste uten dokumentert grenseendring",
        population_jumps,
    ),
    Rule("manglende-deler", "Ingen verdi der en del av grunnlaget mangler", no_value_with_missing_input),
    Rule(
        "dekning",
        "Alle dagens kommuner finnes for hvert år kilden dekker",
        every_municipality_every_year,
        completeness=True,
    ),
    Rule(
        "katalog",
        "Indikatorkatalogens definisjoner stemmer med formlene",
        catalogue_consistent,
        completeness=True,
    ),
)


def run(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...] = RULES) -> list[Result]:
    return [Result(rule, rule.find(con.cursor())) for rule in rules]


def report(results: list[Result]) -> str:
    """Norwegian text: each failed rule with up to ``EXAMPLES`` examples, then a summary line."""
    lines = []
    for result in results:
        if result.passed:
            continue
        lines.append(f"FEIL [{result.rule.id}] {result.rule.title}: {len(result.violations)} brudd")
        lines += [f"  {example}" for example in result.violations[:EXAMPLES]]
        if len(result.violations) > EXAMPLES:
            lines.append(f"  … og {len(result.violations) - EXAMPLES} til")
    failed = sum(not r.passed for r in results)
    lines.append(
        f"{len(results) - failed} av {len(results)} kontroller bestått"
        + (f", {failed} feilet." if failed else ".")
    )
    return "\n".join(lines)


def check_database(db_path: Path) -> list[Result]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return run(con)


# --- refresh guard ---------------------------------------------------------------------------------


class CheckFailed(RuntimeError):
    """New data breaks a rule the current data passes (message in Norwegian)."""


def validate_candidate(datasets: list, snapshot_directory: Path | None = None) -> None:
    """Raise ``CheckFailed`` when the snapshot with ``datasets`` added would break a rule (or add
    violations to one) compared with the snapshot as it is. Builds both in a temporary folder.
    Without a current snapshot (a first refresh) only the rules on values are judged."""
    current = Path(snapshot_directory) if snapshot_directory else config.snapshot_dir()
    with tempfile.TemporaryDirectory(prefix="nokkeltall-check-") as work:
        before_dir, after_dir = Path(work) / "before", Path(work) / "after"
        if (current / snapshot.MANIFEST).is_file():
            shutil.copytree(current, before_dir)
            shutil.copytree(current, after_dir)
        snapshot.write_datasets(datasets, after_dir)
        before: list[Result] | None
        if db.is_current(config.database_path(), current):  # the database of the current snapshot exists
            before = check_database(config.database_path())
        else:
            before = _results_or_none(before_dir, Path(work) / "before.duckdb")
        after = _results_or_none(after_dir, Path(work) / "after.duckdb")
    if after is None:
        return
    known = {r.rule.id: set(r.violations) for r in before or []}
    judged = [r for r in after if before is not None or not r.rule.completeness]
    new = [Result(r.rule, [v for v in r.violations if v not in known.get(r.rule.id, set())]) for r in judged]
    if any(not r.passed for r in new):
        raise CheckFailed("De nye dataene bryter kontrollene og er ikke skrevet:\n" + report(new))


def _results_or_none(folder: Path, db_path: Path) -> list[Result] | None:
    if not folder.is_dir():
        return None
    try:
        db.build(db_path, folder)
    except db.DatabaseError:
        return None
    return check_database(db_path)
