"""The ``nokkeltall`` command on the fixture data (NOKKELTALL_DATA_DIR), and two checks on the
real shipped snapshot."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import pytest

from nokkeltall import cli

REPO_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture()
def data_dir(fixture_data_dir, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_DATA_DIR", str(fixture_data_dir))
    return fixture_data_dir


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


# --- fixture data ---------------------------------------------------------------------------------


def test_series_prints_year_value_lines(data_dir, capsys):
    code, out, err = run(capsys, "series", "1835", "population")
    assert code == 0
    assert out.splitlines() == ["year,value", "2016,450", "2017,460", "2026,440"]


def test_series_by_name_and_ratio(data_dir, capsys):
    code, out, _ = run(capsys, "series", "Træna", "share_67_plus_pct")
    assert code == 0
    values = dict(rows(out)[1:])
    assert float(values["2026"]) == pytest.approx(100 * 200 / 440, abs=0.01)


def test_series_county_and_country(data_dir, capsys):
    code, out, _ = run(capsys, "series", "1835", "population", "--county")
    assert code == 0
    assert out.splitlines() == ["year,value", "2016,3350", "2017,3360", "2026,3740"]
    code, out, _ = run(capsys, "series", "5043", "population", "--country")
    assert out.splitlines() == ["year,value", "2016,9650", "2017,9660", "2026,10640"]


def test_series_missing_aggregate_is_empty_not_zero(data_dir, capsys):
    code, out, _ = run(capsys, "series", "1835", "net_operating_result_pct", "--county")
    assert code == 0
    values = dict(rows(out)[1:])
    assert values["2017"] == ""  # Hamarøy lacks the 2017 figure
    assert float(values["2024"]) == pytest.approx(100 * 105 / 1150, abs=0.01)


def test_municipalities_filters(data_dir, capsys):
    code, out, _ = run(capsys, "municipalities", "--county", "18", "--max-population", "2499")
    assert code == 0
    assert rows(out) == [
        ["number", "name", "county", "population"],
        ["1835", "Træna", "Nordland", "440"],
        ["1875", "Hamarøy", "Nordland", "800"],
    ]
    code, out, _ = run(capsys, "municipalities")
    assert [r[0] for r in rows(out)[1:]] == ["1806", "1835", "1875", "5001", "5043"]


def test_indicators(data_dir, capsys):
    from nokkeltall import indicators

    code, out, _ = run(capsys, "indicators")
    assert code == 0
    table = rows(out)
    assert table[0] == ["id", "label", "unit", "table"]
    assert [r[0] for r in table[1:]] == [i.id for i in indicators.CATALOGUE]
    assert ["population", "Folketall", "personer", "07459"] in table


def test_status(data_dir, capsys):
    code, out, _ = run(capsys, "status")
    assert code == 0
    table = rows(out)
    assert table[0] == ["dataset", "table", "rows", "years", "updated", "source", "status"]
    by_name = {r[0]: r for r in table[1:]}
    assert by_name["population_07459_2016_2017"][1:4] == ["07459", str(4 * 2 * 7), "2016–2017"]
    assert all(r[-1] == "ok" for r in table[1:])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["series", "Trena", "population"], "1835 Træna"),
        (["series", "9999", "population"], "9999"),
        (["series", "1835", "populaton"], "population"),
        (["series", "1835", "share_67"], "share_67_plus_pct"),
    ],
)
def test_unknown_municipality_or_indicator(data_dir, capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert expected in err and err.startswith("Feil:")
    assert "Traceback" not in err


def test_missing_import_path_is_a_usage_error(data_dir, capsys, tmp_path):
    code, _, err = run(capsys, "import", str(tmp_path / "nothere"))
    assert code == 2 and "nothere" in err


def test_every_command_and_option_has_help():
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {action.dest: action.help for action in subparsers._choices_actions}
    assert set(helps) == set(subparsers.choices)
    for name, sub in subparsers.choices.items():
        assert helps[name] and helps[name].strip(), f"command {name} has no help text"
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help and action.help.strip(), f"{name} {action.dest} has no help text"


def test_help_exits_cleanly(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "series" in capsys.readouterr().out


# --- the real shipped snapshot ---------------------------------------------------------------------

needs_snapshot = pytest.mark.skipif(
    not (REPO_DATA / "snapshot" / "manifest.json").exists(), reason="no shipped snapshot"
)


@pytest.fixture()
def real_data(shipped_data_dir):
    """The shipped statistics (the session's database, tests/conftest.py) and a private user store."""
    return shipped_data_dir


@pytest.mark.slow
@needs_snapshot
def test_real_traena_population_2005_2026(real_data, capsys):
    code, out, _ = run(capsys, "series", "1835", "population")
    assert code == 0
    expected = [
        444,
        453,
        446,
        451,
        455,
        489,
        490,
        497,
        506,
        489,
        486,
        478,
        465,
        454,
        456,
        435,
        442,
        450,
        444,
        442,
        463,
        443,
    ]
    assert out.splitlines() == ["year,value"] + [
        f"{year},{value}" for year, value in zip(range(2005, 2027), expected, strict=True)
    ]


@needs_snapshot
@pytest.mark.parametrize(("county", "must_contain"), [("18", ("1835", "Træna")), ("50", ("5043", "Røyrvik"))])
def test_real_small_municipality_lists(real_data, capsys, county, must_contain):
    code, out, _ = run(capsys, "municipalities", "--county", county, "--max-population", "2499")
    assert code == 0
    table = rows(out)[1:]
    assert must_contain in [(r[0], r[1]) for r in table]
    assert len(table) >= 10
    assert all(r[0].startswith(county) and 0 < int(r[3]) <= 2499 for r in table)
    # exactly the municipalities of the county under the limit
    _, everything, _ = run(capsys, "municipalities", "--county", county)
    expected = [r for r in rows(everything)[1:] if r[3] and int(r[3]) <= 2499]
    assert table == expected
