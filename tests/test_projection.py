"""The population projection on small inline populations: the cohort method, scenarios, intervals,
the base-year cut-off, the kept choices and bad input (and that the shipped snapshot carries its choices)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from nokkeltall.projection import (
    PopulationData,
    ProjectionError,
    Projector,
    choices,
    counties,
    model,
    scenario,
    trend,
)
from nokkeltall.projection.backtest import Backtest, Choice, Intervals, _spread, growth_exponent
from nokkeltall.projection.data import N_AGES, OPEN_AGE, from_connection
from nokkeltall.projection.projector import MIN_BASE_HISTORY, Projection

SHIPPED_SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot"
YEARS = tuple(range(2005, 2021))


def closed(start: np.ndarray, years=YEARS) -> np.ndarray:
    """[year, age]: a population with no births, deaths or migration: everyone one year older each year."""
    out = np.zeros((len(years), N_AGES))
    out[0] = start
    for t in range(1, len(years)):
        out[t, 1:] = out[t - 1, :-1]
        out[t, OPEN_AGE] += out[t - 1, OPEN_AGE]
    return out


def population(series: list[np.ndarray], counties=None) -> PopulationData:
    codes = tuple(f"99{i:02d}" for i in range(len(series)))
    counties = tuple(counties or ["99"] * len(series))
    return PopulationData(codes, tuple(f"Kommune {c}" for c in codes), counties, YEARS, np.stack(series))


def young_start(scale: float = 1.0) -> np.ndarray:
    start = np.zeros(N_AGES)
    start[:60] = np.arange(60) % 7 + 3
    return start * scale


COHORT = model.Settings(window=5, prior_weight=25.0, prior_area="county", total="cohort")


# --- the cohort method -----------------------------------------------------------------------------


SURVIVAL = model.Settings(5, 25.0, "county", "cohort", survival_trend=True)


@pytest.mark.parametrize("settings", [COHORT, model.DEFAULT, SURVIVAL])
def test_closed_population_ages_exactly(settings):
    data = population([closed(young_start())])
    path = model.project(data, 2015, 20, settings)
    expected = closed(young_start(), years=range(2005, 2036))[10:]
    np.testing.assert_allclose(path.values[0], expected, atol=1e-9)


def test_constant_rate_population_changes_at_that_rate():
    rate = 0.98
    series = np.array([np.full(N_AGES, 100.0) * rate**t for t in range(len(YEARS))])
    data = population([series])
    path = model.project(data, 2020, 15, COHORT)
    totals = path.values[0].sum(axis=1)
    np.testing.assert_allclose(totals[1:] / totals[:-1], rate, rtol=1e-9)
    np.testing.assert_allclose(path.values[0, 15], series[-1] * rate**15, rtol=1e-9)


def test_geometric_trend_grows_at_the_rate_and_linear_never_goes_negative():
    totals = np.array([[1000 * 1.02**t for t in range(11)], [1000 - 90 * t for t in range(11)]], dtype=float)
    paths = trend.trends(totals, 30)
    np.testing.assert_allclose(paths["geometric"][0], totals[0, -1] * 1.02 ** np.arange(31), rtol=1e-9)
    assert paths["linear"][1].min() == 0.0
    assert (paths["average"] >= 0).all()


def falling_losses(yearly: float) -> np.ndarray:
    """[year, age]: 100 at every age each year; from age 60 the share lost in a year falls by ``yearly``
    (as a log rate) each year, the young neither die nor move."""
    series = np.full((len(YEARS), N_AGES), 100.0)
    for t in range(1, len(YEARS)):
        lost = 0.1 * np.exp(yearly * (t - 1))
        series[t, 60:] = series[t - 1, 59:-1] * (1 - lost)
        series[t, OPEN_AGE] += series[t - 1, OPEN_AGE] * (1 - lost)
    return series


def test_survival_trend_carries_falling_losses_on():
    """With the trend, the share lost from age 60 goes on falling at the rate of the window; without,
    it stays at the window's mean."""
    data = population([falling_losses(-0.03)])
    rates = model.estimate_rates(data, 2020, SURVIVAL)
    assert rates.survival_trend == pytest.approx(-0.03)
    first = rates.at(1)[0, 70]  # into age 71 in the base year's first step
    assert first == pytest.approx(1 - 0.1 * np.exp(-0.03 * (len(YEARS) - 1)), rel=1e-3)
    assert rates.at(11)[0, 70] > first > model.estimate_rates(data, 2020, COHORT).ratio[0, 70]
    np.testing.assert_allclose(rates.at(5)[:, :58], rates.ratio[:, :58])  # the young unchanged


def test_survival_trend_is_zero_without_losses_and_bounded():
    assert model.survival_trend(population([closed(young_start())]).values) == 0.0
    assert model.survival_trend(population([falling_losses(-0.5)]).values) == -model.MAX_SURVIVAL_TREND


def test_growing_cohorts_grow_by_a_number_not_a_factor():
    """CCD where a cohort grows: five more persons a year at an age stay five, they do not compound."""
    series = closed(young_start())
    for t in range(1, len(YEARS)):
        series[t, 30] += 5  # five in-migrants aged 30 every year
    series_projected = model.project(population([series]), 2020, 10, COHORT).values[0]
    gain = series_projected[1:, 30] - series_projected[:-1, 29]
    np.testing.assert_allclose(gain, 5.0, rtol=0.05)


def test_shrinkage_pulls_a_tiny_municipality_toward_its_county():
    big = np.array([np.full(N_AGES, 1000.0) * 0.99**t for t in range(len(YEARS))])
    tiny = closed(young_start(0.1))
    data = population([big, tiny])
    rates = model.estimate_rates(data, 2015, model.Settings(5, 250.0, "county", "cohort"))
    own = model.estimate_rates(population([tiny]), 2015, model.Settings(5, 250.0, "county", "cohort"))
    assert np.abs(rates.ratio[1] - 0.99).mean() < np.abs(own.ratio[0] - 0.99).mean()


# --- scenarios ----------------------------------------------------------------------------------


def test_migration_scenario_adds_n_a_year_before_mortality():
    base = [closed(young_start(s)) for s in (1.0, 2.0, 3.0, 0.5)]
    projector = Projector(population(base, ["98", "98", "99", "99"]))
    main = projector.project("9900", 2018, 2030)
    plus = projector.project("9900", 2018, 2030, "netto=+5:20-39")
    difference = plus.series("total") - main.series("total")
    np.testing.assert_allclose(difference.to_numpy(), 5.0 * np.arange(13), atol=1e-6)
    assert (plus.values >= 0).all()


def test_migrants_are_subject_to_mortality_after_the_first_year():
    dying = np.array([np.full(N_AGES, 100.0) * 0.97**t for t in range(len(YEARS))])
    projector = Projector(population([dying, dying * 2]))
    main = projector.project("9900", 2018, 2025)
    plus = projector.project("9900", 2018, 2025, "netto=+10:50-59")  # no births from them
    difference = (plus.series("total") - main.series("total")).to_numpy()
    assert difference[1] == pytest.approx(10.0)
    assert 10.0 < difference[2] < 20.0


def test_birth_scenario_changes_only_births_at_first():
    series = np.array([np.full(N_AGES, 100.0) * 0.99**t for t in range(len(YEARS))])
    projector = Projector(population([series, series * 3]))
    main = projector.project("9900", 2018, 2030)
    fewer = projector.project("9900", 2018, 2030, "fødsler=-50")
    assert fewer.values[1, 0] == pytest.approx(main.values[1, 0] * 0.5)
    np.testing.assert_allclose(fewer.values[1, 1:], main.values[1, 1:])


def test_history_scenario_is_the_unconstrained_cohort_projection():
    series = np.array([np.full(N_AGES, 100.0) * 0.98**t for t in range(len(YEARS))])
    projector = Projector(population([series, series * 2]))
    last5 = projector.project("9900", 2020, 2030, "siste5")
    np.testing.assert_allclose(
        last5.series("total").to_numpy(), series[-1].sum() * 0.98 ** np.arange(11), rtol=1e-9
    )


def test_scenario_text_round_trips():
    given = scenario.Scenario(migration=5, ages=(20, 39), birth_pct=-10, history=5)
    assert scenario.parse(given.text()) == given
    assert scenario.parse("") == scenario.Scenario() == scenario.parse("hoved")
    assert given.description() == "Som siste 5 år, netto flytting +5 per år i alderen 20–39 år, fødsler −10 %"
    assert scenario.parse("netto=+2:0-0").description() == "Netto flytting +2 per år i alderen 0 år"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("netto=-1000:20-39", "Velg en mindre netto utflytting"),
        ("netto=+50000", "urimelig"),
        ("fødsler=-150", r"mellom −100 % og \+200 %"),
        ("netto=+5:40-20", "den laveste først"),
        ("netto=+5:20-140", "mellom 0 og 90 år"),
        ("siste7", "Forstår ikke"),
        ("abc", "Forstår ikke"),
        ("siste5,siste10", "«som siste år» to ganger"),
        ("netto=+5,netto=-5", "netto flytting to ganger"),
        ("fødsler=10,fodsler=-10", "fødselsnivået to ganger"),
    ],
)
def test_absurd_scenarios_get_a_norwegian_message(given, message):
    base = [closed(young_start(s)) for s in (1.0, 2.0)]
    projector = Projector(population(base))
    with pytest.raises(ProjectionError, match=message):
        projector.project("9900", 2018, 2040, given)


def test_strong_out_migration_within_what_exists_never_goes_negative():
    projector = Projector(population([closed(young_start(s)) for s in (1.0, 2.0)]))
    result = projector.project("9900", 2018, 2022, "netto=-20:0-59")
    assert (result.values >= -1e-9).all()


# --- intervals ----------------------------------------------------------------------------------


def test_growth_exponent_is_found_and_clipped():
    steps = np.repeat(np.arange(1, 11), 40)
    spread = np.tile(np.linspace(-1, 1, 40), 10)
    for p in (0.5, 1.0):
        assert growth_exponent(0.02 * spread * steps**p, steps) == pytest.approx(p)
    assert growth_exponent(0.02 * spread * steps**3.0, steps) == 1.5  # clipped
    assert growth_exponent(0.02 * spread / steps, steps) == 0.0  # never narrower with the horizon
    assert growth_exponent(spread[:40], steps[:40]) == 1.0  # one horizon: linear


def test_interval_half_widths_are_centred_on_the_projection():
    """The 80 % and 50 % half-widths are quantiles of the distance from the median error: a bias of the
    earlier years (here +0.3) moves neither the centre nor the width."""
    steps = np.repeat(np.arange(1, 5), 101)
    errors = (0.3 + np.tile(np.linspace(-0.1, 0.1, 101), 4)) * np.sqrt(steps)
    half, p = _spread(errors[:, None], np.ones((len(steps), 1), dtype=bool), steps)
    assert p == pytest.approx(0.5)
    np.testing.assert_allclose(half, [0.05, 0.08], atol=1e-9)


def test_interval_bounds_grow_with_the_exponent_of_the_horizon():
    half_widths = np.zeros((4, 5, 2))
    half_widths[1, 0] = [0.01, 0.02]
    exponent = np.ones((4, 5))
    exponent[1, 0] = 0.5
    bounds = Intervals(half_widths, exponent).for_band(1, 9)
    np.testing.assert_allclose(bounds[9, 0], [-0.06, -0.03, 0.03, 0.06])
    np.testing.assert_allclose(bounds[4, 0], [-0.04, -0.02, 0.02, 0.04])
    np.testing.assert_allclose(bounds[0], 0.0)
    assert (np.diff(bounds[:, 0, 3]) > 0).all()


def test_a_thin_band_borrows_the_errors_of_all_bands():
    errors = np.tile(np.linspace(-0.1, 0.1, 30), (2, 1)).T  # [pair, municipality]
    in_band = np.zeros_like(errors, dtype=bool)
    in_band[:5, 0] = True  # five errors of zero width would give no interval
    errors[:5, 0] = 0.0
    half, _ = _spread(errors, in_band, np.ones(30, dtype=int))
    assert (half > 0.03).all()


def test_projection_table_bounds_contain_the_value_and_are_never_negative():
    values = np.array([[10.0] * N_AGES, [1.0] * N_AGES])
    quantiles = np.zeros((2, 5, 4))
    quantiles[1] = [-9.0, -0.1, 0.1, 0.3]
    choice = Choice(model.DEFAULT, model.DEFAULT)
    result = Projection(
        "9900", "X", 2020, (2020, 2021), values, values, quantiles, choice, scenario.Scenario()
    )
    table = result.table("total")
    row = table.iloc[1]
    assert row["lower"] == 0.0 <= row["lower50"] <= row["value"] <= row["upper50"] <= row["upper"]
    assert row["upper"] == pytest.approx((N_AGES + 0.5) * np.exp(0.3) - 0.5)
    assert table.iloc[0][["lower", "upper"]].tolist() == [10.0 * N_AGES] * 2
    assert table["lower"].isna().sum() == 0
    assert result.table("0-5")["lower"].isna().all()
    assert result.row(2021) == pytest.approx(table.iloc[1].drop("year").to_dict())


# --- base-year cut-off --------------------------------------------------------------------------


def noisy_population(seed: int = 1) -> PopulationData:
    generator = np.random.default_rng(seed)
    series = []
    for size in (300, 800, 2000, 4000, 12000, 600):
        start = np.maximum(generator.normal(size / 70, size / 300, N_AGES), 0)
        years = [start]
        for _ in YEARS[1:]:
            ratio = generator.normal(0.99, 0.03, N_AGES)
            moved = np.concatenate([[years[-1][20:45].sum() * 0.05], years[-1][:-1] * ratio[:-1]])
            moved[OPEN_AGE] += years[-1][OPEN_AGE] * 0.8
            years.append(np.round(np.maximum(moved, 0)))
        series.append(np.array(years))
    return population(series, ["01", "01", "01", "02", "02", "02"])


@pytest.mark.parametrize("base", [2012, 2016])
def test_projection_from_base_year_ignores_later_data(base):
    data = noisy_population()
    full = Projector(data).project("9901", base, 2040)
    cut = Projector(data.until(base)).project("9901", base, 2040)
    np.testing.assert_array_equal(full.values, cut.values)
    np.testing.assert_array_equal(full.quantiles, cut.quantiles)
    assert full.choice == cut.choice
    changed = data.values.copy()
    changed[:, data.year_index(base) + 1 :] *= 3  # a different future changes nothing
    altered = PopulationData(data.codes, data.names, data.counties, data.years, changed)
    np.testing.assert_array_equal(
        Projector(altered).project("9901", base, 2040).table().to_numpy(), full.table().to_numpy()
    )


@pytest.mark.parametrize("base", [2012, 2016])
def test_choice_and_error_distributions_from_base_year_ignore_later_data(base):
    """The rule's choice for every size band and the intervals' half-widths and exponents (the error
    distributions) are the same when the data after the base year are removed."""
    data = noisy_population()
    full, cut = Backtest(data), Backtest(data.until(base))
    assert full.choose(base) == cut.choose(base)
    full_intervals = full.intervals(base, full.choose(base))
    cut_intervals = cut.intervals(base, cut.choose(base))
    np.testing.assert_array_equal(full_intervals.half_widths, cut_intervals.half_widths)
    np.testing.assert_array_equal(full_intervals.exponent, cut_intervals.exponent)
    assert (full_intervals.half_widths[..., 1] >= full_intervals.half_widths[..., 0]).all()


def test_main_total_is_the_trend_average_and_ages_are_chosen_by_backtest():
    data = noisy_population()
    projector = Projector(data)
    result = projector.project("9902", 2018, 2030)
    expected = trend.trend_average(data.until(2018).totals(), 12)[data.index("9902")]
    np.testing.assert_allclose(result.series("total").to_numpy(), expected, rtol=1e-9)
    chosen = Backtest(data).choose(2018)
    assert all(c.total == model.DEFAULT for c in chosen)
    assert result.choice in chosen


def test_never_negative_on_a_shrinking_population():
    result = Projector(noisy_population(2)).project("9900", 2020, 2060)
    assert (result.values >= 0).all()
    assert (result.table()[["lower", "upper", "lower50", "upper50"]] >= 0).all().all()


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": "0000"}, "Ukjent kommune"),
        ({"base_year": 2007}, "Basisåret 2007 går ikke"),
        ({"base_year": 2025}, "Basisåret 2025 går ikke"),
        ({"to_year": 2015}, "Sluttåret 2015 må være etter basisåret 2020"),
        ({"to_year": 2200}, "senest 2060"),
    ],
)
def test_bad_input_gets_a_norwegian_message(kwargs, message):
    projector = Projector(noisy_population())
    arguments = {"code": "9900", **kwargs}
    with pytest.raises(ProjectionError, match=message):
        projector.project(arguments.pop("code"), **arguments)


def test_base_year_without_data_for_the_municipality():
    data = noisy_population()
    values = data.values.copy()
    values[0, data.year_index(2015)] = np.nan
    projector = Projector(PopulationData(data.codes, data.names, data.counties, data.years, values))
    with pytest.raises(ProjectionError, match="har ingen befolkningstall for 2015"):
        projector.project("9900", 2015)


# --- beside SSB's county projection -------------------------------------------------------------


def test_county_sum_beside_ssb_county_projection():
    projector = Projector(noisy_population())
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE county_observation (county_code VARCHAR, year INTEGER, measure VARCHAR, "
        "value DOUBLE, dataset VARCHAR)"
    )
    for measure, value in (("llml", 1000.0), ("mmmm", 2000.0), ("hhmh", 3000.0)):
        con.execute(
            "INSERT INTO county_observation VALUES ('01', 2040, ?, ?, '14288')",
            [f"projected_population_{measure}", value],
        )
    frame = counties.comparison(con, projector, "01", years=(2040,)).iloc[0]
    ours = sum(projector.project(c).at(2040) for c in ("9900", "9901", "9902"))
    assert frame["ours"] == pytest.approx(ours)
    assert (frame["ssb_low"], frame["ssb_main"], frame["ssb_high"]) == (1000.0, 2000.0, 3000.0)
    assert frame["difference_pct"] == pytest.approx((ours / 2000 - 1) * 100)


def test_main_total_is_the_projections_total_without_its_path():
    projector = Projector(noisy_population())
    for code in projector.data.codes:
        expected = projector.project(code, 2016, 2040).series("total")
        total = projector.main_total(code, 2016, 2040)
        assert list(total.index) == list(expected.index)
        np.testing.assert_allclose(total.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_county_sum_with_a_municipality_missing_is_missing():
    data = noisy_population()
    values = data.values.copy()
    values[1, -1] = np.nan  # one municipality of county 01 without its latest population
    projector = Projector(PopulationData(data.codes, data.names, data.counties, data.years, values))
    assert counties.county_sum(projector, "01").empty
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE county_observation (county_code VARCHAR, year INTEGER, measure VARCHAR, "
        "value DOUBLE, dataset VARCHAR)"
    )
    frame = counties.comparison(con, projector, "01", years=(2040,)).iloc[0]
    assert np.isnan(frame["ours"]) and np.isnan(frame["difference_pct"])


def _never_computed(*_args, **_kwargs):
    raise AssertionError("the choices were computed again instead of read")


def test_choices_kept_on_disk_give_the_same_projection(tmp_path, monkeypatch):
    data = noisy_population()
    first = Projector(data, folder=tmp_path).project("9903", 2018, 2035)
    (kept,) = tmp_path.glob("choices-*.json")
    fresh = {base: Projector(data).project("9903", base, 2035) for base in (2018, 2016)}
    with monkeypatch.context() as patch:
        patch.setattr(choices, "compute", _never_computed)
        again = Projector(data, folder=tmp_path)
        for base, expected in fresh.items():  # every base year is kept, not only the one asked for first
            np.testing.assert_array_equal(again.project("9903", base, 2035).quantiles, expected.quantiles)
            np.testing.assert_array_equal(again.project("9903", base, 2035).values, expected.values)
    np.testing.assert_array_equal(first.values, again.project("9903", 2018, 2035).values)
    kept.write_text('{"key": "', encoding="utf-8")  # a broken file is computed again, never trusted
    broken = Projector(data, folder=tmp_path).project("9903", 2018, 2035)
    np.testing.assert_array_equal(first.quantiles, broken.quantiles)
    assert choices.read(kept, choices.fingerprint(data)) is not None  # and written again whole
    assert not list(tmp_path.glob(".partial-*"))


def test_shipped_choices_are_read_only_for_the_figures_they_were_made_from(tmp_path, monkeypatch):
    data = noisy_population()
    shipped = tmp_path / choices.FILE_NAME
    assert Projector(data).keep_choices(shipped)
    with monkeypatch.context() as patch:
        patch.setattr(choices, "compute", _never_computed)
        Projector(data, shipped=shipped).project("9903", 2018, 2035)
        rebuilt = data.values * (1 + 1e-13)  # another build: the same figures, added in another order
        assert not np.array_equal(rebuilt, data.values, equal_nan=True)
        again = PopulationData(data.codes, data.names, data.counties, data.years, rebuilt)
        Projector(again, shipped=shipped).project("9903", 2018, 2035)
        changed = data.values.copy()
        changed[0, -1, 30] += 1  # one more person aged 30 in one municipality
        other = PopulationData(data.codes, data.names, data.counties, data.years, changed)
        with pytest.raises(AssertionError, match="computed again"):
            Projector(other, shipped=shipped).project("9903", 2018, 2035)


def test_writing_choices_removes_the_large_backtest_files_of_earlier_versions(tmp_path):
    data = noisy_population()
    (tmp_path / "backtest-0123.npy").write_bytes(b"40 MB once")
    (tmp_path / "other.npy").write_bytes(b"not ours")
    Projector(data, folder=tmp_path).project("9903", 2018, 2035)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("choices-")) == ["other.npy"]


def test_the_shipped_snapshot_carries_the_choices_for_its_own_figures(shipped_con):
    """Fails after a change of the figures or of the method's modules: run `nokkeltall projection prepare`
    (part of `make snapshot`) and commit data/snapshot/projection_choices.json."""
    data = from_connection(shipped_con)
    kept = choices.read(SHIPPED_SNAPSHOT / choices.FILE_NAME, choices.fingerprint(data))
    assert kept is not None, "run `nokkeltall projection prepare` and commit the file"
    assert sorted(kept) == list(range(data.first_year + MIN_BASE_HISTORY, data.last_year + 1))


def test_method_description_says_the_total_follows_the_trend_everywhere():
    ages = model.Settings(10, 250.0, "size", "cohort", survival_trend=True)
    text = Choice(model.DEFAULT, ages).description()
    assert text.startswith("rater fra de siste 10 årene, blandet med kommuner av samme størrelse")
    assert "økende levealder over 60 år" in text
    assert "uten trendtilpasning" not in text  # the age candidate's own total is not used
    assert text.endswith(
        "i alle kommuner er totalen tilpasset trenden for folketallet (snittet av konstant, "
        "lineær og geometrisk trend de siste 10 årene)"
    )
