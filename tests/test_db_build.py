"""db.build on the inline fixture snapshot: harmonisation to today's municipalities, dataset
priority, derived totals, the atomic build and what happens with a broken snapshot file."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from nokkeltall import db, snapshot
from nokkeltall.datasets import Dataset


def population_total(con, code: str, year: int) -> tuple:
    rows = con.execute(
        """SELECT sum(persons), bool_or(recalculated), string_agg(DISTINCT source_codes, '|')
           FROM population WHERE municipality_code = ? AND year = ? AND sex = 'total'""",
        [code, year],
    ).fetchall()
    return rows[0]


def measure(con, code: str, year: int, name: str) -> tuple | None:
    rows = con.execute(
        "SELECT value, recalculated, source_codes, dataset FROM measure "
        "WHERE municipality_code = ? AND year = ? AND measure = ?",
        [code, year, name],
    ).fetchall()
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


# --- harmonisation ---------------------------------------------------------------------------


def test_municipality_table_is_todays_list(con):
    frame = con.execute("SELECT * FROM municipality ORDER BY municipality_code").df()
    assert frame["municipality_code"].tolist() == ["1806", "1835", "1875", "5001", "5043"]
    row = frame.set_index("municipality_code").loc["5043"]
    assert (row["name"], row["official_name"], row["county_name"]) == (
        "Røyrvik",
        "Raarvihke - Røyrvik",
        "Trøndelag",
    )
    assert con.execute("SELECT county_code, county_name FROM county ORDER BY 1").fetchall() == [
        ("18", "Nordland"),
        ("50", "Trøndelag"),
    ]


def test_renumbered_municipality_keeps_published_value_not_recalculated(con):
    # 1739 Røyrvik became 5043 in 2018: the same municipality, only a new number
    assert population_total(con, "5043", 2016) == (300, False, "1739")
    assert measure(con, "5043", 2017, "net_result_1000nok")[:3] == (10.0, False, "1739")


def test_merger_is_summed_and_marked_recalculated(con):
    # 1601 Trondheim (5000) + 1662 Klæbu (1000) → 5001
    assert population_total(con, "5001", 2016) == (6000, True, "1601+1662")
    assert measure(con, "5001", 2017, "net_result_1000nok")[:3] == (150.0, True, "1601+1662")


def test_split_uses_weights(con):
    # 1850 Tysfjord (400) split 0.5/0.5 between 1806 Narvik (+1805: 2000) and 1875 Hamarøy (+1849: 500)
    assert population_total(con, "1806", 2016) == (2200, True, "1805+1850")
    assert population_total(con, "1875", 2016) == (700, True, "1849+1850")
    assert measure(con, "1806", 2017, "revenues_1000nok")[:2] == (400.0, True)  # 300 + 0.5 × 200
    assert measure(con, "1875", 2017, "revenues_1000nok")[:2] == (200.0, True)  # 100 + 0.5 × 200


def test_unchanged_municipality_is_not_recalculated(con):
    assert population_total(con, "1835", 2017) == (460, False, "1835")
    assert measure(con, "1835", 2017, "net_result_1000nok")[:3] == (-5.0, False, "1835")


def test_missing_part_of_a_merger_stays_missing(con):
    # 1849's net result is missing: 1875 (1849 + half of 1850) must be missing, not 0.5 × 20
    value, recalculated, _, _ = measure(con, "1875", 2017, "net_result_1000nok")
    assert value is None or math.isnan(value)
    assert recalculated


def test_years_after_the_mapping_use_its_last_year(con):
    # the mapping ends in 2024; 2026 data on today's numbers is mapped one to one
    assert population_total(con, "5043", 2026) == (300, False, "5043")


def test_dataset_priority_own_borders_over_recalculated_file(con):
    # population_07459_b2024_2017 says 999 at age 10 for Træna 2017; the 07459 file says 110
    rows = con.execute(
        "SELECT persons, dataset FROM population "
        "WHERE municipality_code='1835' AND year=2017 AND sex='total' AND age=10"
    ).fetchall()
    assert rows == [(110, "population_07459_2016_2017")]


def test_dataset_priority_api_over_file(con):
    assert measure(con, "1835", 2024, "cost_need_index")[::3] == (1.5, "cost_need_index_api")
    assert measure(con, "1806", 2024, "cost_need_index")[::3] == (
        1.1,
        "kostra_fixture",
    )  # only the file has it


def test_total_derived_from_female_and_male(con):
    frame = (
        con.execute(
            "SELECT sex, sum(persons) AS persons FROM population "
            "WHERE municipality_code='1835' AND year=2026 GROUP BY sex"
        )
        .df()
        .set_index("sex")["persons"]
        .to_dict()
    )
    assert frame == {"female": 200, "male": 240, "total": 440}
    # age by age, not just the sum
    assert con.execute(
        "SELECT persons FROM population "
        "WHERE municipality_code='1835' AND year=2026 AND sex='total' AND age=30"
    ).fetchall() == [(150,)]


def test_derived_population_measures(con):
    assert measure(con, "1835", 2026, "population")[0] == 440
    assert measure(con, "1835", 2026, "population_67_plus")[0] == 200  # 70: 150, 85: 50
    assert measure(con, "1835", 2026, "population_80_plus")[0] == 50
    assert measure(con, "1835", 2026, "population_0_19")[0] == 90
    assert measure(con, "1835", 2026, "population_20_66")[0] == 150
    assert measure(con, "1835", 2026, "women_20_39")[0] == 60
    assert measure(con, "1835", 2026, "men_20_39")[0] == 90
    # 31 December 2025 = 1 January 2026 (KOSTRA's per-capita base)
    assert measure(con, "1835", 2025, "population_end_of_year")[0] == 440
    assert measure(con, "5001", 2016, "population")[1] is True


def test_commuting_measures(con):
    assert measure(con, "1835", 2022, "employed_residents_flows")[0] == 200
    assert measure(con, "1835", 2022, "out_commuters")[0] == 50
    assert measure(con, "1806", 2022, "out_commuters")[0] == 5


def test_dataset_table_has_provenance(con):
    frame = con.execute("SELECT * FROM dataset").df().set_index("name")
    assert frame.loc["cost_need_index_api", "from_api"]
    assert frame.loc["population_07459_b2024_2017", "on_2024_borders"]
    assert frame.loc["population_07459_2016_2017", "table_id"] == "07459"
    assert frame["problem"].isna().all()
    assert frame.loc["population_07459_2016_2017", "year_min"] == 2016


# --- build mechanics ------------------------------------------------------------------------


def test_build_is_current_and_ensure_does_not_rebuild(fixture_data_dir):
    db_path = fixture_data_dir / "nokkeltall.duckdb"
    assert db.is_current(db_path, fixture_data_dir / "snapshot")
    before = db_path.stat().st_mtime_ns
    db.ensure_database(db_path, fixture_data_dir / "snapshot")
    assert db_path.stat().st_mtime_ns == before


def test_database_is_stale_after_a_snapshot_change(writable_data_dir):
    snapshot_dir, db_path = writable_data_dir / "snapshot", writable_data_dir / "nokkeltall.duckdb"
    extra = Dataset(
        "extra",
        "observations",
        pd.DataFrame([{"region_code": "1835", "year": 2020, "measure": "x", "value": 1.0}]),
        "X",
        "X",
        "x.csv",
    )
    snapshot.write_datasets([extra], snapshot_dir)
    assert not db.is_current(db_path, snapshot_dir)
    db.ensure_database(db_path, snapshot_dir)
    assert db.is_current(db_path, snapshot_dir)


def test_build_leaves_no_temporary_files(writable_data_dir):
    db.build(writable_data_dir / "nokkeltall.duckdb", writable_data_dir / "snapshot")
    assert sorted(p.name for p in writable_data_dir.iterdir()) == ["nokkeltall.duckdb", "snapshot"]


def test_failed_build_keeps_previous_database(writable_data_dir, monkeypatch):
    db_path = writable_data_dir / "nokkeltall.duckdb"
    before = db_path.read_bytes()

    def crash(con):
        raise RuntimeError("crash mid-build")

    monkeypatch.setattr(db, "_harmonise", crash)
    with pytest.raises(RuntimeError):
        db.build(db_path, writable_data_dir / "snapshot")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in writable_data_dir.iterdir()) == ["nokkeltall.duckdb", "snapshot"]


def test_corrupt_parquet_is_skipped_with_a_problem(writable_data_dir):
    snapshot_dir, db_path = writable_data_dir / "snapshot", writable_data_dir / "nokkeltall.duckdb"
    path = snapshot_dir / "commuting_03321_2022.parquet"
    path.write_bytes(b"PAR1 garbage" + path.read_bytes()[40:])
    report = db.build(db_path, snapshot_dir)
    assert list(report["problems"]) == ["commuting_03321_2022"]
    assert "commuting_03321_2022.parquet" in report["problems"]["commuting_03321_2022"]
    with db.connect(db_path) as con:
        # the rest is there
        assert measure(con, "1835", 2026, "population")[0] == 440
        assert con.execute("SELECT count(*) FROM commuting_flow").fetchall() == [(0,)]
        problem = con.execute("SELECT problem FROM dataset WHERE name = 'commuting_03321_2022'").fetchall()[
            0
        ][0]
        assert "commuting_03321_2022.parquet" in problem
        assert json.loads(con.execute("SELECT value FROM build_info WHERE key='problems'").fetchall()[0][0])


def test_missing_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(db.DatabaseError, match="nokkeltall import"):
        db.build(tmp_path / "x.duckdb", tmp_path / "snapshot")


def test_connect_is_read_only(fixture_db):
    with db.connect(fixture_db) as con, pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE t (x INTEGER)")


def test_connect_to_a_broken_file_is_a_database_error(tmp_path):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(os.urandom(4096))
    with pytest.raises(db.DatabaseError):
        db.connect(broken)


def test_every_dataset_kind_has_a_table():
    from nokkeltall.datasets import KINDS

    assert set(db.RAW_TABLES) == set(KINDS)


def test_every_kind_loads_without_a_problem(tmp_path):
    """One row of every kind (columns from datasets.KINDS) is loaded by the build."""
    from nokkeltall.datasets import KINDS

    samples = {"string": "1835", "int64": 2024, "Int64": 1, "Float64": 1.5, "float64": 1.0, "boolean": False}
    datasets = []
    for kind, columns in KINDS.items():
        frame = pd.DataFrame([{column: samples[dtype] for column, dtype in columns.items()}])
        datasets.append(Dataset(f"sample_{kind}", kind, frame, "X", "X", "x.csv"))
    snapshot.write_datasets(datasets, tmp_path / "snapshot")
    report = db.build(tmp_path / "x.duckdb", tmp_path / "snapshot")
    assert report["problems"] == {}
    with db.connect(tmp_path / "x.duckdb") as con:
        stored = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for kind, table in db.RAW_TABLES.items():
            if table in db.BUILD_ONLY_TABLES:  # loaded (no problem above), read by the build, not stored
                assert table not in stored, kind
                continue
            count = con.execute(
                f"SELECT count(*) FROM {table} WHERE dataset = ?", [f"sample_{kind}"]
            ).fetchall()
            assert count == [(1,)], kind


def test_build_only_tables_are_read_by_the_build_alone():
    """The raw tables kept out of the database file are named nowhere but in the build."""
    package = Path(db.__file__).parent
    builders = {package / "db.py", package / "harmonise.py"}
    for path in package.rglob("*.py"):
        if path not in builders:
            source = path.read_text(encoding="utf-8")
            assert not [t for t in db.BUILD_ONLY_TABLES if t in source], path


def test_unreadable_file_with_matching_checksum_is_named_and_the_rest_of_its_table_loads(writable_data_dir):
    """One INSERT reads all files of a table; when it fails, the files are loaded one by one."""
    snapshot_dir, db_path = writable_data_dir / "snapshot", writable_data_dir / "nokkeltall.duckdb"
    path = snapshot_dir / "population_07459_sex_2026.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 100 + b"PAR1")
    manifest_path = snapshot_dir / snapshot.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["datasets"]["population_07459_sex_2026"]["sha256"] = snapshot.sha256_of(path)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    report = db.build(db_path, snapshot_dir)
    assert list(report["problems"]) == ["population_07459_sex_2026"]
    assert (
        "population_07459_sex_2026.parquet kan ikke leses" in report["problems"]["population_07459_sex_2026"]
    )
    with db.connect(db_path) as con:
        assert population_total(con, "5001", 2016) == (6000, True, "1601+1662")  # same table, other file
        assert population_total(con, "1835", 2026)[0] is None


def test_predecessor_absent_from_the_dataset_makes_the_sum_missing(con):
    rows = dict(
        con.execute(
            "SELECT municipality_code, value FROM measure WHERE measure = 'extract_count' AND year = 2016"
        ).fetchall()
    )
    assert rows == {"5001": None, "1835": 5.0}  # 1601 alone is not Trondheim: no partial sum


def test_an_age_given_twice_is_summed_and_the_best_commuting_dataset_wins(writable_data_dir):
    """The build copies a unit's rows one to one only where nothing is to be summed or chosen: an age
    a dataset gives twice is summed, and where two commuting datasets give a year, the API's flows win."""
    snapshot_dir, db_path = writable_data_dir / "snapshot", writable_data_dir / "nokkeltall.duckdb"
    twice = pd.DataFrame([{"region_code": "1875", "year": 2020, "sex": "total", "age": 30, "persons": 7}] * 2)
    flows = pd.DataFrame(
        [{"year": 2022, "home_region_code": "1835", "work_region_code": "1806", "employed_persons": 99}]
    )
    api = "https://data.ssb.no/api/pxwebapi/v2/tables/03321/data?lang=no"
    snapshot.write_datasets(
        [
            Dataset(
                "population_07459_twice_2020", "population_age_sex", twice, "07459", "Befolkning", "x.csv"
            ),
            Dataset("commuting_03321_api_2022", "commuting_flows", flows, "03321", "Pendling", api),
        ],
        snapshot_dir,
    )
    db.build(db_path, snapshot_dir)
    with db.connect(db_path) as con:
        persons = con.execute(
            "SELECT persons FROM population WHERE municipality_code = '1875' AND year = 2020 AND age = 30"
        ).fetchall()
        flows_2022 = con.execute(
            "SELECT home_municipality_code, work_municipality_code, employed_persons, dataset "
            "FROM commuting_flow WHERE year = 2022"
        ).fetchall()
    assert persons == [(14.0,)]
    assert ("1835", "1806", 99.0, "commuting_03321_api_2022") in flows_2022
    assert ("1806", "1806", 1000.0, "commuting_03321_2022") in flows_2022  # the file's alone
    assert len(flows_2022) == 5
