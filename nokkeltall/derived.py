"""Measures derived in the database from the harmonised tables.

The ``measure`` table is the one place indicators read from: every published observation plus
the sums below (age groups from 07459, commuting totals from 03321). Ratios are never stored;
indicators divide sums, so county and country aggregates are sums of numerators over sums of
denominators.
"""

# name → (SQL condition on population rows, sex) — summed over single-year ages
POPULATION_GROUPS = {
    "population": ("TRUE", "total"),
    "population_0_19": ("age BETWEEN 0 AND 19", "total"),
    "population_20_66": ("age BETWEEN 20 AND 66", "total"),
    "population_67_plus": ("age >= 67", "total"),
    "population_80_plus": ("age >= 80", "total"),
    "population_15_74_07459": ("age BETWEEN 15 AND 74", "total"),
    "women_20_39": ("age BETWEEN 20 AND 39", "female"),
    "men_20_39": ("age BETWEEN 20 AND 39", "male"),
}

_population_selects = "\nUNION ALL\n".join(
    f"""SELECT municipality_code, year, '{name}' AS measure, sum(persons) AS value,
       bool_or(recalculated) AS recalculated, max_by(source_codes, length(source_codes)) AS source_codes,
       min(dataset) AS dataset, bool_or(estimated) AS estimated
FROM population WHERE sex = '{sex}' AND {condition} GROUP BY municipality_code, year"""
    for name, (condition, sex) in POPULATION_GROUPS.items()
)

# Where the single-year-age files lack a municipality's predecessors (e.g. 1723 Mosvik and
# 1729 Inderøy before 2012, which SSB's StatBank export no longer lists), the total population
# falls back to 06913's Folkemengde (same 1 January count, harmonised here), then to csdata's
# series on 2024 borders. Age groups stay missing for those years: they are never estimated.
POPULATION_FALLBACKS = ("population_06913", "population_b2024_csdata_total")

DERIVED_MEASURES_SQL = f"""
CREATE TABLE measure AS
WITH population_from_ages AS (
{_population_selects}
), population_fallback AS (
    SELECT o.municipality_code, o.year, 'population' AS measure, o.value,
           TRUE AS recalculated, o.source_codes, o.dataset, o.estimated
    FROM observation o
    WHERE o.measure IN {POPULATION_FALLBACKS} AND o.value IS NOT NULL
      AND o.year >= (SELECT min(year) FROM population_from_ages)
      AND NOT EXISTS (SELECT 1 FROM population_from_ages p WHERE p.measure = 'population'
                      AND p.municipality_code = o.municipality_code AND p.year = o.year)
    QUALIFY row_number() OVER (PARTITION BY o.municipality_code, o.year
                               ORDER BY o.measure = '{POPULATION_FALLBACKS[0]}' DESC) = 1
), population_measures AS (
    SELECT * FROM population_from_ages UNION ALL SELECT * FROM population_fallback
), end_of_year AS (
    -- population on 31 December of year t = 1 January of t + 1 (KOSTRA's per-capita base)
    SELECT municipality_code, year - 1 AS year, 'population_end_of_year' AS measure, value,
           recalculated, source_codes, dataset, estimated
    FROM population_measures WHERE measure = 'population'
), commuting AS (
    SELECT home_municipality_code AS municipality_code, year, 'employed_residents_flows' AS measure,
           sum(employed_persons) AS value, bool_or(recalculated) AS recalculated, NULL AS source_codes,
           min(dataset) AS dataset, bool_or(estimated) AS estimated
    FROM commuting_flow GROUP BY ALL
    UNION ALL
    SELECT home_municipality_code, year, 'out_commuters',
           sum(employed_persons) FILTER (WHERE home_municipality_code <> work_municipality_code),
           bool_or(recalculated), NULL, min(dataset), bool_or(estimated)
    FROM commuting_flow GROUP BY home_municipality_code, year
)
SELECT * FROM population_measures
UNION ALL SELECT * FROM end_of_year
UNION ALL SELECT * FROM commuting
UNION ALL SELECT municipality_code, year, measure, value, recalculated, source_codes, dataset, estimated
FROM observation;
"""
