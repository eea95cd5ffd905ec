"""``nokkeltall projection`` on the shipped snapshot: CSV out, Norwegian messages and exit 2 on bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from nokkeltall import cli, config
from nokkeltall.store.database import UserStore
from nokkeltall.store.scenarios import ScenarioStore

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
needs_snapshot = pytest.mark.skipif(
    not (REPO_DATA / "snapshot" / "manifest.json").exists(), reason="the shipped snapshot is not here"
)


@pytest.fixture()
def real_data(shipped_data_dir):
    """The shipped statistics (the session's database, tests/conftest.py) and a private user store."""
    return shipped_data_dir


def run(capsys, *argv) -> tuple[int, list[list[str]], str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, list(csv.reader(io.StringIO(captured.out))), captured.err


@needs_snapshot
def test_traena_projection_csv(real_data, capsys):
    code, rows, _ = run(capsys, "projection", "Træna", "--to", "2040")
    assert code == 0
    assert rows[0] == ["year", "value", "lower", "upper"]
    assert [int(r[0]) for r in rows[1:]] == list(range(2026, 2041))
    assert rows[1][1:] == ["443.0", "443.0", "443.0"]  # the base year is the count on 1 January 2026
    for year, value, lower, upper in rows[2:]:
        assert 0 <= float(lower) <= float(value) <= float(upper), year
    assert float(rows[-1][3]) - float(rows[-1][2]) > float(rows[2][3]) - float(rows[2][2])  # the fan widens


@needs_snapshot
def test_group_scenario_and_base_year(real_data, capsys):
    _, main, _ = run(capsys, "projection", "1835", "--base-year", "2015", "--to", "2025", "--group", "20-66")
    _, plus, _ = run(
        capsys,
        "projection",
        "1835",
        "--base-year",
        "2015",
        "--to",
        "2025",
        "--group",
        "20-66",
        "--scenario",
        "netto=+5:20-39",
    )
    assert main[1][1] == plus[1][1]
    assert float(plus[-1][1]) > float(main[-1][1]) + 40


@needs_snapshot
def test_all_municipalities(real_data, capsys):
    code, rows, _ = run(capsys, "projection", "all", "--to", "2027")
    assert code == 0
    assert rows[0] == ["municipality", "year", "value", "lower", "upper"]
    assert len({r[0] for r in rows[1:]}) == 357
    assert ["1835", "2026", "443.0", "443.0", "443.0"] in rows


@needs_snapshot
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Trena"], "Ukjent kommune «Trena». Mente du: 1835 Træna?"),
        (["1835", "--base-year", "2003"], "Basisåret 2003 går ikke"),
        (["1835", "--to", "2020"], "Sluttåret 2020 må være etter basisåret 2026"),
        (["1835", "--scenario", "netto=-1000"], "Velg en mindre netto utflytting"),
        (["1835", "--group", "90+"], "Ukjent aldersgruppe «90+»"),
        (["1835", "--scenario", "mye"], "Forstår ikke scenarioet «mye»"),
        (["9999"], "Ukjent kommune «9999»"),
        (["1835", "--to", "2026"], "Sluttåret 2026 må være etter basisåret 2026"),
        (["1835", "--base-year", "2026", "--to", "2010"], "Sluttåret 2010 må være etter basisåret 2026"),
        (["all", "--base-year", "1990"], "Basisåret 1990 går ikke"),
        # −1,000 a year out of every municipality: the first it cannot be done in is named
        (["all", "--scenario", "netto=-1000"], "): Scenarioet flytter ut 1 000 personer i året"),
    ],
)
def test_bad_input_exit_2(real_data, capsys, argv, message):
    code, rows, err = run(capsys, "projection", *argv)
    assert code == 2
    assert message in err
    assert rows == []
    assert "Traceback" not in err


def test_a_year_that_is_no_number_gets_a_norwegian_message(capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["projection", "1835", "--base-year", "abc"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "«abc» er ikke et årstall (skriv f.eks. 2040)" in err and "Traceback" not in err


@needs_snapshot
def test_saved_scenario_by_name(real_data, capsys):
    ScenarioStore(UserStore(config.user_database_path())).save("Fem unge", "netto=+5:20-39")
    _, by_name, _ = run(capsys, "projection", "1835", "--to", "2030", "--scenario", "fem unge")
    _, by_text, _ = run(capsys, "projection", "1835", "--to", "2030", "--scenario", "netto=+5:20-39")
    assert by_name == by_text and len(by_name) == 6
    code, _, err = run(capsys, "projection", "1835", "--scenario", "Ti unge")
    assert code == 2 and "Forstår ikke scenarioet «Ti unge»" in err and "lagret scenario" in err
