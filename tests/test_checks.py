"""``nokkeltall check``: the shipped snapshot passes every rule; each rule catches a violation planted
in a copy of the shipped database (named, with the example, exit code 1); ``build`` shows the checks;
a refresh whose new data breaks a rule is not written."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from nokkeltall import checks, cli, indicators
from nokkeltall.datasets import Dataset

REPO = Path(__file__).resolve().parent.parent


def test_the_shipped_snapshot_passes_every_rule(shipped_database, capsys):
    assert cli.main(["check", "--database", str(shipped_database)]) == 0
    out = capsys.readouterr().out
    assert f"{len(checks.RULES)} av {len(checks.RULES)} kontroller bestått." in out


def run_check(path: Path, capsys) -> tuple[int, str]:
    code = cli.main(["check", "--database", str(path)])
    return code, capsys.readouterr().out


PLANTED = {
    "fylkessummer": (
        "UPDATE county_observation SET value = value + 1000 WHERE county_code = '18' AND year = 2024 "
        "AND measure = 'projected_population_mmmm'",
        "fylke 18 2024",
    ),
    "delsummer": (
        "UPDATE population SET persons = persons + 1 WHERE municipality_code = '1835' AND year = 2024 "
        "AND sex = 'female' AND age = 30",
        "1835 2024 alder 30",
    ),
    "andeler": (
        "UPDATE measure SET value = 120 WHERE measure = 'education_primary_pct' "
        "AND municipality_code = '1835'",
        "education_primary_pct 1835",
    ),
    "negative": (
        "UPDATE measure SET value = -5 WHERE measure = 'households_total' AND municipality_code = '1835' "
        "AND year = 2020",
        "households_total 1835 2020: -5",
    ),
    "brokdeler": (
        "UPDATE measure SET value = value + 0.5 WHERE measure = 'households_total' "
        "AND municipality_code = '1835' AND year = 2021",
        "households_total 1835 2021",
    ),
    "sprang": (
        "UPDATE measure SET value = value * 2 WHERE measure = 'population' AND municipality_code = '1835' "
        "AND year = 2015",
        "1835 2014–2015",
    ),
    "manglende-deler": (
        "DELETE FROM measure WHERE measure = 'fee_waste_nok' AND municipality_code = '1835'",
        "fee_total_nok 1835 2026",
    ),
    "dekning": (
        "DELETE FROM measure WHERE measure = 'population' AND municipality_code = '1835' AND year = 2010",
        "population 1835 2010: mangler",
    ),
}


@pytest.fixture(scope="module")
def planted(shipped_database, tmp_path_factory) -> str:
    """The report of one check of the shipped database with every violation above planted (each touches
    its own rows; one run of the rules instead of one per violation, some 3 s each)."""
    path = tmp_path_factory.mktemp("planted") / "planted.duckdb"
    shutil.copy(shipped_database, path)
    with duckdb.connect(str(path)) as con:
        for sql, _ in PLANTED.values():
            con.execute(sql)
    return checks.report(checks.check_database(path))


@pytest.mark.parametrize("rule", list(PLANTED))
def test_a_planted_violation_is_caught_and_named(rule, planted):
    title = next(r.title for r in checks.RULES if r.id == rule)
    assert f"FEIL [{rule}] {title}" in planted
    assert PLANTED[rule][1] in planted, planted


def test_a_definition_that_contradicts_its_formula_is_caught(shipped_database, monkeypatch, capsys):
    wrong = dataclasses.replace(
        indicators.get("gp_reserve_capacity_pct"),
        definition="Ledige plasser på fastlegelistene i prosent av listeplassene.",
    )
    monkeypatch.setattr(
        indicators, "CATALOGUE", tuple(wrong if i.id == wrong.id else i for i in indicators.CATALOGUE)
    )
    code, out = run_check(shipped_database, capsys)
    assert code == 1
    assert "FEIL [katalog]" in out and "gp_reserve_capacity_pct" in out


def test_every_rule_has_a_planted_violation():
    assert set(PLANTED) | {"katalog"} == {rule.id for rule in checks.RULES}


def test_build_shows_the_checks_and_the_database_stays_usable(writable_data_dir, capsys):
    assert cli.main(["build"]) == 0  # the fixture data fail rules (e.g. measures it lacks): shown, not fatal
    err = capsys.readouterr().err
    assert "kontroller bestått" in err and "FEIL [katalog]" in err
    assert (writable_data_dir / "nokkeltall.duckdb").is_file()


# --- refresh guard -----------------------------------------------------------------------------------


def hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture
def shipped_snapshot(tmp_path, shipped_database, monkeypatch) -> Path:
    """A copy of the shipped snapshot in a data directory whose database is current (the session's, linked
    read-only), as where a refresh is run: the guard checks the current data once, in that database, and
    builds only the candidate."""
    target = tmp_path / "snapshot"
    shutil.copytree(REPO / "data" / "snapshot", target)
    (tmp_path / "nokkeltall.duckdb").symlink_to(shipped_database)
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(tmp_path))
    return target


def bad_employment() -> Dataset:
    frame = pd.DataFrame(
        [{"region_code": "1835", "year": 2030, "measure": "employed_residents_15_74", "value": -5.0}]
    )
    return Dataset("employment_bad", "observations", frame, "11618", "Sysselsatte", "https://data.ssb.no/x")


class _OfflineClient:
    """A client that is never asked for data: ``_refresh_table`` is replaced in the test."""

    def start_budget(self, seconds: float) -> None:
        self.budget = seconds


def test_a_refresh_that_breaks_a_rule_is_not_written(shipped_snapshot, monkeypatch):
    from nokkeltall.ssb import refresh as refresh_module

    outcome = refresh_module.TableOutcome("11618", "employment_bad", "updated", "2026-01-01", 1, 1)
    monkeypatch.setattr(refresh_module, "_refresh_table", lambda *args: (outcome, bad_employment()))
    before = hashes(shipped_snapshot)
    with pytest.raises(refresh_module.RefreshError) as raised:
        refresh_module.refresh(["11618"], snapshot_directory=shipped_snapshot, client=_OfflineClient())
    assert "[negative]" in str(raised.value) and "employed_residents_15_74 1835 2030" in str(raised.value)
    assert hashes(shipped_snapshot) == before


def test_a_refresh_that_keeps_the_rules_is_written(shipped_snapshot):
    frame = pd.DataFrame(
        [{"region_code": "1835", "year": 2030, "measure": "households_total", "value": 190.0}]
    )
    good = Dataset(
        "households_good", "observations", frame, "07182", "Husholdninger", "https://data.ssb.no/x"
    )
    checks.validate_candidate([good], shipped_snapshot)  # no exception


def test_without_a_current_database_the_guard_builds_both_and_judges_only_new_violations(
    writable_data_dir,
):
    """No database of the current snapshot (the small fixture snapshot, which already breaks rules such as
    the catalogue's): both are built, and only what the new data adds is judged."""
    (writable_data_dir / "nokkeltall.duckdb").unlink()
    snapshot_dir = writable_data_dir / "snapshot"
    before = hashes(snapshot_dir)
    frame = pd.DataFrame(
        [{"region_code": "1835", "year": 2030, "measure": "households_total", "value": 190.0}]
    )
    good = Dataset(
        "households_good", "observations", frame, "07182", "Husholdninger", "https://data.ssb.no/x"
    )
    checks.validate_candidate([good], snapshot_dir)  # no exception: the fixture's own failures are old
    with pytest.raises(checks.CheckFailed, match="employed_residents_15_74 1835 2030"):
        checks.validate_candidate([bad_employment()], snapshot_dir)
    assert hashes(snapshot_dir) == before
