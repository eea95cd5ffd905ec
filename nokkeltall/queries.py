"""Named, parameterised reads of the statistics database. Every function takes a DuckDB
connection (or cursor) first and returns a pandas DataFrame, numpy arrays or plain values.

SQL is always parameterised; measure names, codes and factors are parameters, never text
pasted into SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nokkeltall import indicators
from nokkeltall.indicators import Indicator

if TYPE_CHECKING:
    import numpy as np

NORDLAND, TRONDELAG = "18", "50"
NETWORK_COUNTIES = (NORDLAND, TRONDELAG)
SMALL_MUNICIPALITY_LIMIT = 2500


def _df(con, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# --- municipalities ---------------------------------------------------------------------------


def latest_population_year(con) -> int | None:
    rows = con.execute("SELECT max(year) FROM measure WHERE measure = 'population'").fetchall()
    return rows[0][0] if rows and rows[0][0] is not None else None


def municipalities(
    con, county_codes: list[str] | None = None, max_population: int | None = None
) -> pd.DataFrame:
    """Today's municipalities with their latest population (and its year)."""
    return _df(
        con,
        """
        WITH latest AS (
            SELECT municipality_code, arg_max(value, year) AS population, max(year) AS population_year
            FROM measure WHERE measure = 'population' AND value IS NOT NULL GROUP BY municipality_code)
        SELECT m.municipality_code, m.name, m.official_name, m.county_code, m.county_name,
               CAST(l.population AS BIGINT) AS population, l.population_year
        FROM municipality m LEFT JOIN latest l USING (municipality_code)
        WHERE ($counties IS NULL OR list_contains($counties, m.county_code))
          AND ($max_population IS NULL OR l.population <= $max_population)
        ORDER BY m.municipality_code
        """,
        {"counties": list(county_codes) if county_codes else None, "max_population": max_population},
    )


def municipality(con, code: str) -> dict | None:
    frame = _df(
        con,
        "SELECT municipality_code, name, official_name, county_code, county_name FROM municipality "
        "WHERE municipality_code = ?",
        [code],
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def counties(con) -> pd.DataFrame:
    return _df(con, "SELECT county_code, county_name FROM county ORDER BY county_code")


def attributes(con, code: str) -> dict[str, dict]:
    frame = _df(
        con,
        """SELECT a.attribute, a.value, a.as_of, d.table_id, d.title, d.publisher, d.updated, d.caveat
           FROM attribute a JOIN dataset d ON d.name = a.dataset WHERE a.municipality_code = ?""",
        [code],
    )
    return {row["attribute"]: row for row in frame.to_dict("records")}


def attribute_values(con, attribute: str) -> pd.DataFrame:
    return _df(con, "SELECT municipality_code, value, as_of FROM attribute WHERE attribute = ?", [attribute])


# --- indicators ---------------------------------------------------------------------------------

_PARTS_SQL = """
SELECT n.municipality_code, n.year, n.value AS num, d.value AS den,
       coalesce(n.recalculated, FALSE) OR coalesce(d.recalculated, FALSE) AS recalculated,
       coalesce(n.estimated, FALSE) OR coalesce(d.estimated, FALSE) AS estimated
FROM measure n
LEFT JOIN measure d
    ON d.municipality_code = n.municipality_code AND d.measure = $den AND d.year = n.year - $lag
WHERE n.measure = $num AND ($codes IS NULL OR list_contains($codes, n.municipality_code))
"""

_MEDIAN_SQL = """
WITH dist AS (
    SELECT {group} AS region, p.year, p.age, sum(p.persons) AS persons,
           bool_or(p.recalculated) AS recalculated, bool_or(p.estimated) AS estimated
    FROM population p JOIN municipality m USING (municipality_code)
    WHERE p.sex = 'total' AND ($codes IS NULL OR list_contains($codes, p.municipality_code))
    GROUP BY ALL
), cumulative AS (
    SELECT *, sum(persons) OVER (PARTITION BY region, year ORDER BY age) AS cum,
           sum(persons) OVER (PARTITION BY region, year) AS total
    FROM dist
)
SELECT region, year, arg_min(age + (total / 2 - (cum - persons)) / nullif(persons, 0), age) AS value,
       bool_or(recalculated) AS recalculated, bool_or(estimated) AS estimated
FROM cumulative WHERE cum >= total / 2 AND total > 0
GROUP BY region, year ORDER BY region, year
"""


def _parts_params(indicator: Indicator, codes: list[str] | None) -> dict:
    den, lag = indicator.denominator, indicator.lag_years  # a ratio's denominator may be of an earlier year
    if indicator.kind == "change":
        den = indicator.numerator
    return {"num": indicator.numerator, "den": den, "lag": lag, "codes": list(codes) if codes else None}


def indicator_series(con, indicator_id: str, codes: list[str] | None = None) -> pd.DataFrame:
    """municipality_code, year, value, recalculated, estimated (a share of a divided municipality, see
    ``nokkeltall.harmonise``) — for the given municipalities (None = all)."""
    indicator = indicators.get(indicator_id)
    if indicator.kind == "median_age":
        frame = _df(
            con, _MEDIAN_SQL.format(group="p.municipality_code"), {"codes": list(codes) if codes else None}
        )
        return frame.rename(columns={"region": "municipality_code"})
    if indicator.kind == "published":
        frame = _df(
            con,
            """SELECT municipality_code, year, value, coalesce(recalculated, FALSE) AS recalculated,
                      coalesce(estimated, FALSE) AS estimated FROM measure
               WHERE measure = $m AND ($codes IS NULL OR list_contains($codes, municipality_code))
               ORDER BY municipality_code, year""",
            {"m": indicator.value_measure, "codes": list(codes) if codes else None},
        )
        return frame
    parts = _df(con, _PARTS_SQL + " ORDER BY 1, 2", _parts_params(indicator, codes))
    parts["value"] = _value_from_parts(indicator, parts["num"], parts["den"])
    parts = parts[parts["value"].notna()] if indicator.kind != "level" else parts
    return parts[["municipality_code", "year", "value", "recalculated", "estimated"]].reset_index(drop=True)


def _value_from_parts(indicator: Indicator, num: pd.Series, den: pd.Series) -> pd.Series:
    num = num.astype("Float64")
    den = den.astype("Float64")
    if indicator.kind == "level":
        return num
    den = den.where(den != 0)
    if indicator.kind == "change":
        return (num / den - 1) * 100
    return indicator.factor * num / den


def aggregate_series(con, indicator_id: str, county_code: str | None = None) -> pd.DataFrame:
    """year, value, municipalities_with_data, municipalities — for a county, or the country (None).

    Sums numerators and denominators over the group's municipalities. A year where any
    municipality of the group lacks the figure gets no value (a partial sum would be wrong).
    """
    indicator = indicators.get(indicator_id)
    group = _df(
        con,
        "SELECT municipality_code FROM municipality WHERE $county IS NULL OR county_code = $county",
        {"county": county_code},
    )["municipality_code"].tolist()
    size = len(group)
    if indicator.kind == "median_age":
        frame = _df(con, _MEDIAN_SQL.format(group="'group'"), {"codes": group})
        counts = _df(
            con,
            """SELECT year, count(DISTINCT municipality_code) AS municipalities_with_data FROM population
               WHERE sex = 'total' AND list_contains($codes, municipality_code) GROUP BY year""",
            {"codes": group},
        )
        frame = frame.merge(counts, on="year")
    elif indicator.kind == "level" and not indicator.summable:
        return pd.DataFrame(columns=["year", "value", "municipalities_with_data", "municipalities"])
    else:
        params = _parts_params(indicator, group)
        frame = _df(
            con,
            f"""SELECT year, sum(num) AS num, sum(den) AS den,
                       count(*) FILTER (WHERE num IS NOT NULL AND ($den IS NULL OR den IS NOT NULL))
                           AS municipalities_with_data
                FROM ({_PARTS_SQL}) GROUP BY year ORDER BY year""",
            params,
        )
        frame["value"] = _value_from_parts(indicator, frame["num"], frame["den"])
    frame["municipalities"] = size
    frame.loc[frame["municipalities_with_data"] < size, "value"] = pd.NA
    return frame[["year", "value", "municipalities_with_data", "municipalities"]].reset_index(drop=True)


def latest_values(con, indicator_ids: list[str], codes: list[str] | None = None) -> pd.DataFrame:
    """One row per municipality: for each indicator its latest value and that value's year."""
    result = None
    for indicator_id in indicator_ids:
        series = indicator_series(con, indicator_id, codes).dropna(subset=["value"])
        latest = series.sort_values("year").groupby("municipality_code").tail(1)
        latest = latest.rename(columns={"value": indicator_id, "year": f"{indicator_id}__year"})
        latest = latest.drop(columns=["recalculated", "estimated"])
        result = latest if result is None else result.merge(latest, on="municipality_code", how="outer")
    return result if result is not None else pd.DataFrame(columns=["municipality_code"])


def value_in_year(series: pd.DataFrame, year: int) -> float | None:
    # positions on the plain arrays: a tenth of the time of a boolean .loc (the fact base asks thousands)
    hits = (series["year"].to_numpy() == year).nonzero()[0]
    if not len(hits):
        return None
    value = series["value"].iloc[hits[0]]
    return None if pd.isna(value) else float(value)


# --- population details -------------------------------------------------------------------------


def population_by_age(con, code: str, year: int) -> pd.DataFrame:
    """age, sex (total/female/male), persons for one municipality and year."""
    return _df(
        con,
        "SELECT age, sex, persons FROM population WHERE municipality_code = ? AND year = ? ORDER BY sex, age",
        [code, year],
    )


def population_single_age_years(con) -> list[int]:
    """The years with population by single year of age (both sexes), in order."""
    rows = con.execute(
        "SELECT DISTINCT year FROM population WHERE sex = 'total' AND persons IS NOT NULL ORDER BY year"
    ).fetchall()
    return [int(row[0]) for row in rows]


def population_single_age_columns(con, open_age: int, year: int) -> dict[str, np.ndarray]:
    """municipality_number (the code as an integer), age, persons (both sexes) in ``year`` as arrays,
    ages from ``open_age`` up labelled ``open_age`` — several rows each, for the caller to add up
    (projections). Lean on purpose: summing here (DuckDB's hash aggregate), a data frame and code
    strings kept tens of MB of the server's memory afterwards."""
    return con.execute(
        """SELECT CAST(municipality_code AS SMALLINT) AS municipality_number,
                  CAST(least(age, ?) AS SMALLINT) AS age, persons FROM population
           WHERE sex = 'total' AND persons IS NOT NULL AND year = ?""",
        [open_age, year],
    ).fetchnumpy()


def county_projections(con, county_code: str) -> pd.DataFrame:
    """SSB's county projection (14288): year, measure (projected_population_llml/mmmm/hhmh), value."""
    return _df(
        con,
        """SELECT year, measure, value FROM county_observation
           WHERE county_code = ? AND measure LIKE 'projected_population_%' ORDER BY year, measure""",
        [county_code],
    )


def municipal_projections(con, code: str) -> pd.DataFrame:
    """SSB's own projection for one municipality (14288, fetched by an online refresh; the shipped
    snapshot has it for counties only): year, measure (projected_population_llml/mmmm/hhmh), value."""
    return _df(
        con,
        """SELECT year, measure, value FROM observation
           WHERE municipality_code = ? AND measure LIKE 'projected_population_%' AND value IS NOT NULL
           ORDER BY year, measure""",
        [code],
    )


def municipal_projection_sources(con, code: str) -> pd.DataFrame:
    """The datasets that gave ``municipal_projections`` for ``code`` (for its source line)."""
    return _df(
        con,
        """SELECT DISTINCT d.table_id, d.title, d.publisher, d.licence, d.updated, d.fetched, d.source,
                  d.caveat
           FROM observation o JOIN dataset d ON d.name = o.dataset
           WHERE o.municipality_code = ? AND o.measure LIKE 'projected_population_%'
           ORDER BY d.table_id""",
        [code],
    )


def build_fingerprint(con) -> str:
    """What the database was built from and when: a key for caches of results computed from it."""
    rows = con.execute(
        "SELECT string_agg(value, '|' ORDER BY key) FROM build_info WHERE key IN ('manifest', 'built_at')"
    ).fetchall()
    return rows[0][0] if rows and rows[0][0] else "unknown"


# --- commuting ---------------------------------------------------------------------------------


def commuting_flows(con, code: str, year: int | None = None, limit: int = 10) -> dict[str, pd.DataFrame]:
    """The largest flows out of (residents working elsewhere) and into the municipality."""
    if year is None:
        rows = con.execute(
            "SELECT max(year) FROM commuting_flow WHERE home_municipality_code = ?", [code]
        ).fetchall()
        year = rows[0][0]
    # The flows first, then the names: joined in SQL, the flows into a municipality (a scan of the whole
    # table) took a hash table sized for all of it, some 17 MB the server kept afterwards.
    out_flows = _df(
        con,
        """SELECT work_municipality_code AS municipality_code, employed_persons, year FROM commuting_flow
           WHERE home_municipality_code = ? AND year = ?""",
        [code, year],
    )
    in_flows = _df(
        con,
        """SELECT home_municipality_code AS municipality_code, employed_persons, year FROM commuting_flow
           WHERE work_municipality_code = ? AND year = ?""",
        [code, year],
    )
    names = _df(con, "SELECT municipality_code, name FROM municipality")
    out_flows, in_flows = (_largest_named(flows, names, limit) for flows in (out_flows, in_flows))
    return {"year": year, "out": out_flows, "in": in_flows}


def _largest_named(flows: pd.DataFrame, names: pd.DataFrame, limit: int) -> pd.DataFrame:
    """municipality_code, name, employed_persons, year: the ``limit`` largest flows to or from today's
    municipalities (as the SQL join and ORDER BY … DESC LIMIT did), equal flows in code order."""
    named = flows.merge(names, on="municipality_code", how="inner")
    named = named.sort_values(["employed_persons", "municipality_code"], ascending=[False, True]).head(limit)
    return named[["municipality_code", "name", "employed_persons", "year"]].reset_index(drop=True)


# --- provenance --------------------------------------------------------------------------------


def datasets(con) -> pd.DataFrame:
    return _df(
        con,
        """SELECT name, kind, table_id, title, source, publisher, licence, updated, fetched, caveat, rows,
                  year_min, year_max, problem FROM dataset ORDER BY table_id, name""",
    )


def sources_for_measures(con, measures: list[str]) -> pd.DataFrame:
    """The datasets that feed the given measures (for source lines under figures)."""
    return _df(
        con,
        """SELECT DISTINCT d.table_id, d.title, d.publisher, d.licence, d.updated, d.fetched, d.source,
                  d.caveat
           FROM measure m JOIN dataset d ON d.name = m.dataset
           WHERE list_contains($measures, m.measure) ORDER BY d.table_id""",
        {"measures": list(measures)},
    )


def indicator_sources(con, indicator_id: str) -> pd.DataFrame:
    indicator = indicators.get(indicator_id)
    if indicator.kind == "median_age":
        measures = ["population"]
    else:
        measures = [m for m in (indicator.numerator, indicator.denominator, indicator.value_measure) if m]
    # derived population measures come from the population table's datasets
    frame = sources_for_measures(con, measures)
    return frame


def split_estimates(con) -> pd.DataFrame:
    """The estimated divisions of old municipalities (``nokkeltall.harmonise``), one row per part."""
    return _df(
        con,
        """SELECT s.name, s.divided_code, s.municipality_code, m.name AS municipality, s.year_from, s.year_to,
                  s.share, s.method
           FROM split_estimate s LEFT JOIN municipality m USING (municipality_code)
           ORDER BY s.name, s.year_to, s.year_from, s.municipality_code""",
    )


def build_problems(con) -> dict[str, str]:
    import json

    rows = con.execute("SELECT value FROM build_info WHERE key = 'problems'").fetchall()
    return json.loads(rows[0][0]) if rows else {}
