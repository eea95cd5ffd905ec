"""AppTest for the «Framskriving» tab of the municipality page: the fan, the age groups, scenarios from
and into the URL, and a Norwegian message for an absurd scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import text
from nokkeltall.projection import Projector
from nokkeltall.projection import figures as projection_charts

APP = str(Path(__file__).resolve().parents[1] / "app.py")
pytestmark = pytest.mark.usefixtures("shipped_data_dir")


def open_tab(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/kommune.py")
    for key, value in {"kommune": "1835", "del": "Framskriving", **params}.items():
        at.query_params[key] = value
    return at.run()


def age_table(at) -> dict[str, dict[str, str]]:
    """The age-group table (Markdown) as {group: {year: shown}}."""
    body = next(m.value for m in at.markdown if m.value.startswith("| Aldersgruppe |"))
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in body.splitlines()]
    header, data = rows[0], rows[2:]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in data}


def fan_spec(at) -> dict:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if any(trace.get("name") == "80 % sannsynlig" for trace in spec["data"]):
            return spec
    raise AssertionError("no fan chart")


def test_fan_and_age_groups_equal_the_projection(shipped_con):
    at = open_tab({})
    assert not at.exception
    result = Projector.from_connection(shipped_con).project("1835")
    names = [trace.get("name") for trace in fan_spec(at)["data"]]
    assert {"80 % sannsynlig", "50 % sannsynlig", "Registrert", "Framskrevet (hovedalternativ)"} <= set(names)
    finding = projection_charts.finding(result)
    assert finding.startswith("Med dagens utvikling vil Træna ha om lag ")
    title = projection_charts.fan_chart(shipped_con, "1835").title
    assert title.startswith(finding[:-1]) and title.endswith(f"i {result.base_year}.")
    assert any(title in m.value for m in at.markdown)
    table = age_table(at)
    assert list(table) == [
        "0–5 år",
        "6–15 år",
        "16–19 år",
        "20–66 år",
        "67–79 år",
        "80 år og eldre",
        "Hele befolkningen",
    ]
    assert list(table["80 år og eldre"]) == ["2026", "2030", "2035", "2040", "2050"]
    assert table["80 år og eldre"]["2040"] == text.number(result.at(2040, "80+"))
    assert table["80 år og eldre"]["2026"] == text.number(result.at(2026, "80+"))
    assert any("Om metoden og usikkerheten" in e.label for e in at.expander)


def as_int(shown: str) -> int:
    return int(shown.replace(" ", "").replace("\u00a0", ""))


def test_scenario_from_the_url_changes_the_numbers():
    main = open_tab({})
    plus = open_tab({"scenario": "netto=+5:20-39"})
    assert not plus.exception
    assert plus.number_input(key="fs_migration").value == 5
    before = age_table(main)["Hele befolkningen"]["2040"]
    after = age_table(plus)["Hele befolkningen"]["2040"]
    assert as_int(after) > as_int(before) + 50
    names = [trace.get("name") for trace in fan_spec(plus)["data"]]
    assert "Netto flytting +5 per år i alderen 20–39 år" in names


def test_setting_a_scenario_writes_it_to_the_url():
    at = open_tab({})
    at.number_input(key="fs_births").set_value(-20).run()
    assert not at.exception
    assert at.query_params["scenario"] == ["fødsler=-20"] or at.query_params["scenario"] == "fødsler=-20"


def test_absurd_scenario_gets_a_norwegian_message_not_a_traceback():
    at = open_tab({"scenario": "netto=-1000:20-39"})
    assert not at.exception
    assert any("Velg en mindre netto utflytting" in e.value for e in at.error)


def test_unreadable_scenario_in_the_link_is_ignored_with_a_warning():
    at = open_tab({"scenario": "<script>"})
    assert not at.exception
    assert any("Scenarioet i lenken ble ikke brukt" in w.value for w in at.warning)
    assert fan_spec(at)


def test_county_sum_beside_ssb(shipped_con):
    at = open_tab({})
    compared = projection_charts.county_comparison(shipped_con, "1835")
    assert compared["sentence"].startswith("Summen av framskrivingene for alle kommunene i Nordland gir ")
    assert any(compared["sentence"] == m.value for m in at.markdown)
    table = compared["table"].set_index("År")
    assert table.loc[2040, "SSB hoved"] == pytest.approx(244200)  # SSB 14288, Nordland, MMMM
    assert abs(table.loc[2040, "Forskjell fra SSB hoved (%)"]) < 10


HOSTILE_SCENARIOS = [
    "<script>alert(1)</script>",
    "netto=" + "9" * 5_000,
    "netto=1e308",
    "netto=NaN",
    "fødsler=inf",
    "netto=-99999999999999999999",
    "\u202enetto=5",
    "netto=5:20-39' OR 1=1--",
    "siste5,siste10,x",
    "%00",
    "netto=+5:99-20",
]


def test_hostile_scenarios_in_the_url():
    at = open_tab({})
    for value in HOSTILE_SCENARIOS:
        at.query_params["scenario"] = value
        at.run()
        assert not at.exception, value
        shown = [e.value for kind in ("error", "warning") for e in at.get(kind)]
        assert any("Scenarioet" in message for message in shown), value
        assert not any("<script" in m.value for m in at.markdown), value


def test_back_to_the_tab_after_another_keeps_the_scenario():
    at = open_tab({"scenario": "netto=+5:20-39"})
    at.query_params["del"] = "Befolkning"
    at.run()
    at.query_params["del"] = "Framskriving"
    at.run()
    assert not at.exception
    assert at.slider(key="fs_ages").value == (20, 39)
    assert at.number_input(key="fs_migration").value == 5


def test_save_a_scenario_and_use_it_again():
    at = open_tab({"scenario": "netto=+8:25-34,fødsler=+10"})
    at.session_state["fs_saved"] = True  # open «Lagrede scenarioer»
    at.run()
    at.text_input(key="fs_save_name").set_value("Åtte unge voksne")
    at.button(key="FormSubmitter:fs_save_form-Lagre scenarioet").click().run()
    assert not at.exception
    assert any("Lagret «Åtte unge voksne»" in s.value for s in at.success)
    other = open_tab({"kommune": "5043"})  # another municipality, the main projection
    other.session_state["fs_saved"] = True
    other.run()
    assert other.selectbox(key="fs_saved_choice").value == "Åtte unge voksne"
    other.button(key="fs_apply").click().run()
    assert not other.exception
    assert other.number_input(key="fs_migration").value == 8
    assert other.slider(key="fs_ages").value == (25, 34)
    assert other.number_input(key="fs_births").value == 10
    assert other.query_params["scenario"] in (["netto=+8:25-34,fødsler=+10"], "netto=+8:25-34,fødsler=+10")


@pytest.mark.parametrize("value", ["9999", "<script>1835</script>"])
def test_unknown_municipality_in_the_url_on_the_tab(value):
    at = open_tab({"kommune": value})
    assert not at.exception
    assert any("Fant ingen kommune med nummer" in w.value for w in at.warning)
    assert not at.get("plotly_chart")


def test_minus_a_thousand_a_year_in_a_small_municipality_never_draws_a_negative_population():
    at = open_tab({"kommune": "5043", "scenario": "netto=-1000:0-90"})  # Røyrvik, about 440 inhabitants
    assert not at.exception
    assert any("Velg en mindre netto utflytting" in e.value for e in at.error)
    assert not any(
        trace.get("name") == "80 % sannsynlig"
        for chart in at.get("plotly_chart")
        for trace in json.loads(chart.proto.spec)["data"]
    )
