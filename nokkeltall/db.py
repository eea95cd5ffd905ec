"""Build the DuckDB database from the snapshot, and open it read-only.

The build harmonises every series to today's municipalities (2024 numbering, also 2026's):
each value published on an old number is moved to today's number with the year-specific
code mapping (weights < 1 for divided municipalities) and flagged ``recalculated`` when it
is a sum of several old municipalities or a share of a divided one. The database is written
to a temporary file and renamed into place, so a crash never leaves a broken database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path

import duckdb

from nokkeltall import config, durable, harmonise, snapshot
from nokkeltall.derived import DERIVED_MEASURES_SQL

SCHEMA_VERSION = 5  # 5: estimated splits (harmonise.py), `estimated` flags, KOSTRA rows on 2024 codes

RAW_TABLES = {
    "observations": "raw_observations",
    "population_age_sex": "raw_population",
    "commuting_flows": "raw_commuting",
    "attributes": "raw_attributes",
    "county_observations": "county_observation",
    "municipalities": "raw_municipalities",
    "code_mapping": "code_mapping",
    "geometries": "geometry",
    "plan_status_sources": "plan_status_source",
    "code_list": "code_list",
    "code_changes": "code_change",
    "kostra_group_descriptions": "kostra_group_description",
}


# Raw tables only the build reads (its connection's temporary tables, never written to the file):
# nothing reads them from the database afterwards. raw_observations stays, for checks.py's «dekning».
BUILD_ONLY_TABLES = frozenset({"raw_population", "raw_commuting", "raw_attributes", "raw_municipalities"})

_log = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """The statistics database cannot be built or opened (message in Norwegian)."""


def remove_leftovers(db_path: Path | None = None) -> list[str]:
    """Delete temporary files (``nokkeltall.duckdb.*.tmp`` and their ``.wal``) of killed builds."""
    db_path = Path(db_path) if db_path else config.database_path()
    if not db_path.parent.is_dir():
        return []
    candidates = [
        p for pattern in (".*.tmp", ".*.tmp.wal") for p in db_path.parent.glob(db_path.name + pattern)
    ]
    leftovers = [p for p in candidates if not durable.owner_alive(p.name)]
    if not leftovers:
        return []
    size = 0
    for path in leftovers:
        try:
            size += path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue
    return [
        f"Fjernet {len(leftovers)} midlertidige filer etter avbrutte bygg av databasen ({size / 1e6:.1f} MB)."
    ]


def recover(db_path: Path | None = None, snapshot_directory: Path | None = None) -> list[str]:
    """Run on every start: finish or undo a half-done snapshot swap, remove killed builds' temporary
    files. Returns what was done, in Norwegian (also logged)."""
    actions = snapshot.recover(snapshot_directory) + remove_leftovers(db_path)
    for action in actions:
        _log.warning("%s", action)
    return actions


def manifest_fingerprint(directory: Path | None = None) -> str:
    path = (Path(directory) if directory else config.snapshot_dir()) / snapshot.MANIFEST
    if not path.exists():
        return "no-manifest"
    return hashlib.sha256(path.read_bytes() + str(SCHEMA_VERSION).encode()).hexdigest()


def is_current(db_path: Path | None = None, snapshot_directory: Path | None = None) -> bool:
    """True when the database exists and was built from the snapshot as it is now."""
    db_path = Path(db_path) if db_path else config.database_path()
    if not db_path.exists():
        return False
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            built_from = con.execute("SELECT value FROM build_info WHERE key = 'manifest'").fetchall()
    except duckdb.Error:
        return False
    return bool(built_from) and built_from[0][0] == manifest_fingerprint(snapshot_directory)


def ensure_database(db_path: Path | None = None, snapshot_directory: Path | None = None) -> Path:
    """Build the database when it is missing or older than the snapshot; return its path."""
    db_path = Path(db_path) if db_path else config.database_path()
    recover(db_path, snapshot_directory)
    if not is_current(db_path, snapshot_directory):
        build(db_path, snapshot_directory)
    return db_path


def connect(db_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection. Share one per process; take ``.cursor()`` per query/thread."""
    db_path = Path(db_path) if db_path else config.database_path()
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise DatabaseError(f"Statistikkdatabasen {db_path.name} kan ikke åpnes: {error}") from error


def build(db_path: Path | None = None, snapshot_directory: Path | None = None) -> dict:
    """Build the database from the snapshot (temp file → rename). Returns a build report."""
    db_path = Path(db_path) if db_path else config.database_path()
    folder = Path(snapshot_directory) if snapshot_directory else config.snapshot_dir()
    started = time.perf_counter()
    manifest = snapshot.read_manifest(folder)
    if not manifest["datasets"]:
        raise DatabaseError(f"Fant ingen datasett i {folder} – kjør «nokkeltall import» først.")
    if db_path.is_dir():  # found before the build, not when the finished file cannot take its place
        raise DatabaseError(f"{db_path} er en mappe: statistikkdatabasen kan ikke lagres der.")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f"{db_path.name}.build{durable.owner_tag()}", suffix=".tmp", dir=db_path.parent
    )
    os.close(handle)
    os.unlink(temporary)  # DuckDB wants to create the file itself
    problems: dict[str, str] = {}
    try:
        with duckdb.connect(temporary) as con:
            con.execute("SET enable_progress_bar = false")  # a long build prints no bar on stderr
            _create_raw_tables(con)
            problems.update(_load_datasets(con, folder, manifest))
            _create_dataset_table(con, manifest, problems)
            _harmonise(con)
            con.execute("CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.execute(
                "INSERT INTO build_info VALUES ('manifest', ?), ('built_at', ?), ('problems', ?)",
                [
                    manifest_fingerprint(folder),
                    time.strftime("%Y-%m-%dT%H:%M:%S"),
                    json.dumps(problems, ensure_ascii=False),
                ],
            )
            con.execute("CHECKPOINT")
        durable.fsync_file(temporary)
        os.replace(temporary, db_path)
        durable.fsync_dir(db_path.parent)
        # A write-ahead log beside the new file belongs to the file just replaced (e.g. another
        # process still holds a write connection to it); DuckDB would refuse the new file with it.
        Path(str(db_path) + ".wal").unlink(missing_ok=True)
    finally:
        for leftover in (temporary, temporary + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return {"seconds": time.perf_counter() - started, "problems": problems, "path": str(db_path)}


def _create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw tables; those in BUILD_ONLY_TABLES as temporary tables."""
    con.execute("""
        CREATE TABLE raw_observations (
            region_code VARCHAR, year INTEGER, measure VARCHAR, value DOUBLE, dataset VARCHAR
        );
        CREATE TEMP TABLE raw_population (
            region_code VARCHAR, year INTEGER, sex VARCHAR, age INTEGER, persons BIGINT, dataset VARCHAR
        );
        CREATE TEMP TABLE raw_commuting (
            year INTEGER, home_region_code VARCHAR, work_region_code VARCHAR, employed_persons BIGINT,
            dataset VARCHAR
        );
        CREATE TEMP TABLE raw_attributes (
            region_code VARCHAR, attribute VARCHAR, value VARCHAR, as_of VARCHAR, dataset VARCHAR
        );
        CREATE TABLE county_observation (
            county_code VARCHAR, year INTEGER, measure VARCHAR, value DOUBLE, dataset VARCHAR
        );
        CREATE TEMP TABLE raw_municipalities (
            municipality_code VARCHAR, name VARCHAR, official_name VARCHAR, county_code VARCHAR,
            county_name VARCHAR, dataset VARCHAR
        );
        CREATE TABLE code_mapping (
            region_code VARCHAR, year INTEGER, municipality_code VARCHAR, weight DOUBLE, dataset VARCHAR
        );
        CREATE TABLE geometry (
            region_code VARCHAR, level VARCHAR, name VARCHAR, geojson VARCHAR, dataset VARCHAR
        );
        CREATE TABLE plan_status_source (
            municipality_code VARCHAR, plan_type VARCHAR, period VARCHAR, adopted VARCHAR, status VARCHAR,
            source_url VARCHAR, source_title VARCHAR, note VARCHAR, dataset VARCHAR
        );
        CREATE TABLE code_list (
            classification VARCHAR, version_year INTEGER, code VARCHAR, name VARCHAR, dataset VARCHAR
        );
        CREATE TABLE code_change (
            change_year INTEGER, old_code VARCHAR, old_name VARCHAR, new_code VARCHAR, new_name VARCHAR,
            split BOOLEAN, dataset VARCHAR
        );
        CREATE TABLE kostra_group_description (
            group_code VARCHAR, group_name VARCHAR, population_band VARCHAR, bound_costs VARCHAR,
            free_disposable_income VARCHAR, municipality_count BIGINT, dataset VARCHAR
        );
    """)


def _check_file(folder: Path, entry: dict) -> tuple[str | None, str | None, Path]:
    """(problem, table, path) for one manifest entry, before anything is read."""
    table = RAW_TABLES.get(str(entry.get("kind")))
    path = folder / entry.get("file", "")
    if table is None:
        return f"ukjent datasett-type {entry.get('kind')!r}", None, path
    if not path.is_file():
        return f"{path.name} mangler", table, path
    if snapshot.sha256_of(path) != entry.get("sha256"):
        return f"{path.name} er endret eller ødelagt (kontrollsummen stemmer ikke)", table, path
    return None, table, path


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall() if c != "dataset"
    ]


def _load_datasets(con: duckdb.DuckDBPyConnection, folder: Path, manifest: dict) -> dict[str, str]:
    """Load every dataset file into its raw table; returns name → problem for those skipped.

    One INSERT per table reads all its files at once (DuckDB reads them in parallel); if that
    fails, the files are loaded one by one so the broken one is named and the rest still load.
    """
    problems: dict[str, str] = {}
    by_table: dict[str, list[tuple[str, Path]]] = {}
    for name, entry in manifest["datasets"].items():
        problem, table, path = _check_file(folder, entry)
        if problem or table is None:
            problems[name] = problem or "ukjent type"
        else:
            by_table.setdefault(table, []).append((name, path))
    for table, files in by_table.items():
        columns = ", ".join(_table_columns(con, table))
        try:
            con.execute(
                f"""INSERT INTO {table}
                    SELECT {columns}, f.dataset
                    FROM read_parquet($paths, filename = true, union_by_name = true) p
                    JOIN (SELECT unnest($paths) AS filename, unnest($names) AS dataset) f USING (filename)""",
                {"paths": [str(path) for _, path in files], "names": [name for name, _ in files]},
            )
        except duckdb.Error:
            for name, path in files:
                problem = _load_one(con, table, columns, name, path)
                if problem:
                    problems[name] = problem
    return problems


def _load_one(con: duckdb.DuckDBPyConnection, table: str, columns: str, name: str, path: Path) -> str | None:
    try:
        con.execute(
            f"INSERT INTO {table} SELECT {columns}, ? AS dataset FROM read_parquet(?)", [name, str(path)]
        )
    except duckdb.Error as error:
        return f"{path.name} kan ikke leses ({str(error).splitlines()[0]})"
    return None


def _create_dataset_table(con: duckdb.DuckDBPyConnection, manifest: dict, problems: dict) -> None:
    con.execute("""
        CREATE TABLE dataset (
            name VARCHAR PRIMARY KEY, kind VARCHAR, table_id VARCHAR, title VARCHAR, source VARCHAR,
            publisher VARCHAR, licence VARCHAR, updated VARCHAR, fetched VARCHAR, caveat VARCHAR,
            rows BIGINT, year_min INTEGER, year_max INTEGER, on_2024_borders BOOLEAN, from_api BOOLEAN,
            priority INTEGER, problem VARCHAR)
    """)
    rows = []
    for name, entry in manifest["datasets"].items():
        years = entry.get("years") or [None, None]
        from_api = str(entry.get("source", "")).startswith("http")
        rows.append(
            [
                name,
                entry.get("kind"),
                entry.get("table_id"),
                entry.get("title"),
                entry.get("source"),
                entry.get("publisher"),
                entry.get("licence"),
                entry.get("updated"),
                entry.get("fetched"),
                entry.get("caveat"),
                entry.get("rows"),
                years[0],
                years[1],
                (entry.get("extra") or {}).get("borders") == 2024,
                from_api,
                0,
                problems.get(name),
            ]
        )
    # one statement for all rows (executemany runs one statement per row: about 0.1 s here)
    if rows:
        row = "(" + ", ".join(["?"] * 17) + ")"
        values = [v for r in rows for v in r]
        con.execute("INSERT INTO dataset VALUES " + ", ".join([row] * len(rows)), values)
    # Where two datasets give the same figure, the newest from SSB's API wins, then the newest
    # fetched, then data published on the borders of its own year over recalculated files.
    con.execute("""
        UPDATE dataset SET priority = ranked.rank FROM (
            SELECT name, row_number() OVER (
                ORDER BY from_api DESC, coalesce(updated, '') DESC, on_2024_borders ASC, name) AS rank
            FROM dataset) AS ranked
        WHERE dataset.name = ranked.name
    """)


def _harmonise(con: duckdb.DuckDBPyConnection) -> None:
    harmonise.apply(con)
    con.execute(MAPPING_SQL)
    _create_population(con)
    con.execute(HARMONISE_SQL)
    con.execute(DERIVED_MEASURES_SQL)


def _create_population(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(POPULATION_UNIT_SQL)
    con.execute(POPULATION_SQL)
    [(needs_totals,)] = con.execute(
        "SELECT coalesce(bool_or(needs_total), FALSE) FROM population_unit"
    ).fetchall()
    if needs_totals:  # none in the shipped snapshot: every year has totals
        con.execute(POPULATION_TOTALS_SQL)
    con.execute("DROP TABLE population_unit")


# The mapping for a year: old number → today's number and weight. Datasets already on 2024
# borders map their own codes one to one. Years after the mapping's last year use that year.
MAPPING_SQL = """
CREATE TABLE municipality AS
SELECT k.municipality_code, k.name, k.official_name, k.county_code,
       coalesce(k.county_name, c.county_name) AS county_name
FROM raw_municipalities k
LEFT JOIN (SELECT DISTINCT county_code, county_name FROM raw_municipalities WHERE county_name IS NOT NULL) c
  USING (county_code)
WHERE k.dataset = (SELECT name FROM dataset WHERE kind = 'municipalities' AND table_id = 'KLASS-131'
                   ORDER BY (source LIKE '%codesAt%') DESC, name LIMIT 1);

CREATE TABLE county AS
SELECT DISTINCT county_code, county_name FROM municipality ORDER BY county_code;

-- The mapping year a value is looked up with: -1 for data already on 2024 borders (identity
-- rows below), else its own year, capped at the mapping's last year. One equality key, so the
-- join is a hash join (an OR in the join condition made it compare every year's mapping). The
-- last year is a variable, a constant when a statement is planned: a subquery in the key made
-- DuckDB join on the region alone and filter the years afterwards (43 M rows for the population).
SET VARIABLE mapping_last_year = (SELECT max(year) FROM code_mapping);
CREATE TEMP MACRO mapping_key(on_2024_borders, y) AS
    CASE WHEN on_2024_borders THEN -1 ELSE least(y, getvariable('mapping_last_year')) END;

-- ``estimated``: a share of a divided unit (harmonise.py estimates the weights).
CREATE TEMP TABLE mapping AS
SELECT region_code, year, municipality_code, weight, weight < 1 AS estimated FROM code_mapping
UNION ALL
SELECT municipality_code, -1, municipality_code, 1.0, FALSE FROM municipality;

"""

# Population. Which old units feed a municipality's age distribution (and so whether it is
# recalculated) is worked out once per municipality, year, sex and dataset from each old unit's
# sum over the ages; old units with nobody in them (a number before it existed) do not count.
# Where several datasets give the same distribution, the one with the best priority gives all of
# it (never a mix of ages from different sources). A divided unit's weight may depend on age
# (harmonise.age_split_weight); else the year's weight.
#
# population_unit: one row per old unit (region, year, sex, dataset) of a chosen distribution and
# per municipality it goes to. ``single``: the municipality's distribution is that one unit, given
# once per age (the bit mask counts distinct ages 0–126) with the year's weight: its rows need no
# summing. Nearly every row is such (a unit on today's number), so only the others are grouped.
POPULATION_UNIT_SQL = """
CREATE TEMP TABLE population_unit AS
WITH unit_sums AS (
    SELECT m.municipality_code, r.year, r.sex, r.dataset, r.region_code, bool_or(m.estimated) AS estimated,
           sum(r.persons) AS persons, list(m.weight) AS weights, bool_and(r.ages_unique) AS ages_unique,
           bool_or(s.region_code IS NOT NULL) AS age_split
    FROM (SELECT region_code, year, sex, dataset, sum(persons) AS persons,
                 count(*) = bit_count(bit_or(CASE WHEN age BETWEEN 0 AND 126 THEN 1::HUGEINT << age END))
                     AS ages_unique
          FROM raw_population GROUP BY ALL) r
    JOIN dataset d ON d.name = r.dataset
    JOIN mapping m ON m.region_code = r.region_code AND m.year = mapping_key(d.on_2024_borders, r.year)
    LEFT JOIN (SELECT DISTINCT region_code, year, municipality_code FROM age_split_weight) s
      ON s.region_code = r.region_code AND s.year = r.year AND s.municipality_code = m.municipality_code
    GROUP BY ALL
), chosen AS (
    SELECT parts.* FROM (
        SELECT municipality_code, year, sex, dataset,
               coalesce(bool_or(estimated) FILTER (WHERE persons <> 0), FALSE)
                   OR count(*) FILTER (WHERE persons <> 0) > 1 AS recalculated,
               string_agg(region_code, '+' ORDER BY region_code) FILTER (WHERE persons <> 0) AS source_codes,
               coalesce(bool_or(estimated) FILTER (WHERE persons <> 0), FALSE) AS estimated,
               sum(len(weights)) = 1 AND bool_and(ages_unique) AND NOT bool_or(age_split) AS single
        FROM unit_sums GROUP BY ALL
    ) parts JOIN dataset d ON d.name = parts.dataset
    QUALIFY row_number() OVER (PARTITION BY municipality_code, year, sex ORDER BY d.priority) = 1
)
SELECT u.region_code, u.year, u.sex, u.dataset, c.municipality_code, unnest(u.weights) AS weight, c.single,
       c.sex <> 'total' AND NOT EXISTS (SELECT 1 FROM chosen t WHERE t.sex = 'total'
           AND t.municipality_code = c.municipality_code AND t.year = c.year) AS needs_total,
       c.recalculated, c.source_codes, c.estimated
FROM unit_sums u
JOIN chosen c USING (municipality_code, year, sex, dataset);
"""

POPULATION_SQL = """
CREATE TABLE population AS
SELECT t.municipality_code, r.year, r.sex, r.age, r.persons * t.weight AS persons,
       t.recalculated, t.source_codes, t.dataset, t.estimated
FROM raw_population r JOIN population_unit t USING (region_code, year, sex, dataset)
WHERE t.single
UNION ALL
SELECT t.municipality_code, r.year, r.sex, r.age, sum(r.persons * coalesce(s.weight, t.weight)),
       t.recalculated, t.source_codes, t.dataset, t.estimated
FROM raw_population r
JOIN population_unit t USING (region_code, year, sex, dataset)
LEFT JOIN age_split_weight s ON s.region_code = r.region_code AND s.year = r.year
 AND s.municipality_code = t.municipality_code AND s.age = r.age
WHERE NOT t.single
GROUP BY ALL;
"""

# Totals are the sum of women and men where only those are given (for an age both give).
POPULATION_TOTALS_SQL = """
INSERT INTO population
SELECT municipality_code, year, 'total', age, sum(persons), bool_or(recalculated), min(source_codes),
       min(dataset), bool_or(estimated)
FROM population p
WHERE sex IN ('female', 'male')
  AND (municipality_code, year) IN (SELECT municipality_code, year FROM population_unit WHERE needs_total)
GROUP BY municipality_code, year, age
HAVING count(*) = 2;
"""

HARMONISE_SQL = """
-- Old units that had inhabitants in a year (07459); before/after its years, its first/last year.
CREATE TEMP TABLE populated_code AS
SELECT DISTINCT region_code, year FROM raw_population WHERE persons > 0;
SET VARIABLE populated_first_year = (SELECT min(year) FROM populated_code);
SET VARIABLE populated_last_year = (SELECT max(year) FROM populated_code);
CREATE TEMP MACRO populated_year(y) AS
    greatest(least(y, getvariable('populated_last_year')), getvariable('populated_first_year'));

-- A value is only moved to today's municipality when the dataset has every old unit of it that had
-- inhabitants that year: an extract lacking one (e.g. 06913 with 1852 Tjeldsund but not 1913
-- Skånland, both now 5512) would otherwise give a partial sum. Such values become missing.
-- A value on a number the year's mapping does not know but today's list does (e.g. KOSTRA files
-- giving Trøndelag 2015–2017 on 50xx numbers, which began in 2018) is already on today's numbering.
CREATE TEMP TABLE observation_keyed AS
SELECT r.*, CASE WHEN k.region_code IS NULL AND t.municipality_code IS NOT NULL THEN -1
                 ELSE mapping_key(d.on_2024_borders, r.year) END AS mapping_year
FROM raw_observations r
JOIN dataset d ON d.name = r.dataset
LEFT JOIN (SELECT DISTINCT region_code, year FROM code_mapping) k
  ON k.region_code = r.region_code AND k.year = least(r.year, getvariable('mapping_last_year'))
LEFT JOIN municipality t ON t.municipality_code = r.region_code;

CREATE TABLE observation AS
WITH units AS (  -- each old unit's part first, so no aggregate below needs DISTINCT
    SELECT m.municipality_code, r.year, r.measure, r.dataset, m.year AS mapping_year, r.region_code,
           count(r.value) AS values_given, count(*) AS cells, sum(r.value * m.weight) AS value,
           bool_or(r.value <> 0) AS nonzero, bool_or(m.estimated) AS estimated
    FROM observation_keyed r
    JOIN mapping m ON m.region_code = r.region_code AND m.year = r.mapping_year
    GROUP BY ALL
), mapped AS (  -- populated_units: how many of its old units had inhabitants in the year
    SELECT u.municipality_code, u.year, u.measure, u.dataset, u.mapping_year,
           CASE WHEN sum(values_given) = sum(cells) THEN sum(value) END AS value,
           bool_or(estimated) OR count(*) FILTER (WHERE nonzero) > 1 AS recalculated,
           array_to_string(list(u.region_code ORDER BY u.region_code), '+') AS source_codes,
           bool_or(estimated) AS estimated, count(p.region_code) AS populated_units
    FROM units u
    LEFT JOIN populated_code p ON p.region_code = u.region_code AND p.year = populated_year(u.year)
    GROUP BY ALL
), populated_units AS (  -- the old units with inhabitants that a municipality has in a mapping year
    SELECT x.municipality_code, x.year AS mapping_year, p.year, count(DISTINCT x.region_code) AS units
    FROM mapping x JOIN populated_code p ON p.region_code = x.region_code
    WHERE (x.year, p.year) IN (SELECT DISTINCT mapping_year, populated_year(year) FROM observation_keyed)
    GROUP BY ALL
)
SELECT municipality_code, year, measure, best.value, best.recalculated, best.source_codes, best.dataset,
       best.estimated
FROM (
    -- the best dataset's value; within it the year's own numbering before numbers already on today's,
    -- should a dataset give both (priorities are unique, so the key never ties); missing where the
    -- dataset lacks one of the old units with inhabitants (fewer than the municipality has)
    SELECT mapped.municipality_code, mapped.year, mapped.measure,
           arg_min({'value': CASE WHEN coalesce(n.units, 0) <= mapped.populated_units THEN mapped.value END,
                    'recalculated': mapped.recalculated, 'source_codes': mapped.source_codes,
                    'dataset': mapped.dataset, 'estimated': mapped.estimated},
                   d.priority * 100000 - mapped.mapping_year) AS best
    FROM mapped JOIN dataset d ON d.name = mapped.dataset
    LEFT JOIN populated_units n ON n.municipality_code = mapped.municipality_code
     AND n.mapping_year = mapped.mapping_year AND n.year = populated_year(mapped.year)
    GROUP BY mapped.municipality_code, mapped.year, mapped.measure
);

DROP TABLE populated_code;
DROP TABLE observation_keyed;

CREATE TABLE commuting_flow AS
WITH mapped AS (
    SELECT h.municipality_code AS home_municipality_code, w.municipality_code AS work_municipality_code,
           r.year, r.dataset,
           sum(r.employed_persons * h.weight * w.weight) AS employed_persons,
           bool_or(h.estimated OR w.estimated) OR min(r.home_region_code) <> max(r.home_region_code)
               OR min(r.work_region_code) <> max(r.work_region_code) AS recalculated,  -- (several units)
           bool_or(h.estimated OR w.estimated) AS estimated
    FROM raw_commuting r
    JOIN dataset d ON d.name = r.dataset
    JOIN mapping h ON h.region_code = r.home_region_code
     AND h.year = mapping_key(d.on_2024_borders, r.year)
    JOIN mapping w ON w.region_code = r.work_region_code
     AND w.year = mapping_key(d.on_2024_borders, r.year)
    GROUP BY ALL
), choice_years AS (  -- years given by several datasets: only there is a flow's best dataset picked
    SELECT year FROM raw_commuting GROUP BY year HAVING count(DISTINCT dataset) > 1
)
SELECT * EXCLUDE (dataset), dataset FROM mapped
WHERE NOT EXISTS (SELECT 1 FROM choice_years c WHERE c.year IS NOT DISTINCT FROM mapped.year)
UNION ALL
SELECT mapped.* EXCLUDE (dataset), mapped.dataset FROM mapped JOIN dataset d ON d.name = mapped.dataset
WHERE EXISTS (SELECT 1 FROM choice_years c WHERE c.year IS NOT DISTINCT FROM mapped.year)
QUALIFY row_number() OVER (
    PARTITION BY home_municipality_code, work_municipality_code, year ORDER BY d.priority
) = 1;

CREATE TABLE attribute AS
SELECT r.region_code AS municipality_code, r.attribute, r.value, r.as_of, r.dataset
FROM raw_attributes r JOIN municipality m ON m.municipality_code = r.region_code;
"""
