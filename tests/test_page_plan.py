"""«Plan» in AppTest: plan status with sources, the legal timeline, the own progress plan edited in
``st.data_editor`` and shown on the timeline, bad input refused at the field, the password gate.

Each test gets its own data directory (symlinks to the repo's snapshot and to one statistics
database built for the session), so the user SQLite file is private to the test.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nokkeltall import db, queries, text
from nokkeltall.plan import status
from nokkeltall.store import UserStore
from nokkeltall.ui import plan_view

REPO = Path(__file__).resolve().parent.parent
CODE = "1812"  # Sømna: samfunnsdel 14.12.2017 and planstrategi 17.12.2020 in the seed sources


def open_page(code: str = CODE) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/plan.py")
    at.query_params["kommune"] = code
    return at.run()


def open_status_form(at: AppTest) -> AppTest:
    """Open «Registrer eller rett planstatus» (its form is drawn only while the expander is open)."""
    at.session_state[plan_view.STATUS_FORM_OPEN] = True
    return at.run()


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def hover_texts(fig: dict) -> str:
    return "\n".join(str(h) for trace in fig["data"] for h in (trace.get("hovertext") or []) if h)


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    return button.click().run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_status_timeline_and_population_come_from_the_sources(shipped_data_dir, shipped_database):
    at = open_page()
    assert not at.exception
    # the status form is drawn only once its expander is opened
    assert "Lagre planstatus" not in [b.label for b in at.button]
    assert "plan_entry_source" not in [t.key for t in at.text_input]
    metrics = {m.label: m.value for m in at.metric}
    con = db.connect(shipped_database)
    seed = status.collected_rows(con, CODE)
    samfunnsdel = seed[(seed.plan_type == "samfunnsdel") & (seed.status == "vedtatt")].iloc[0]
    assert metrics["Kommuneplanens samfunnsdel"] == status.parse_plan_date(samfunnsdel.adopted).norwegian()
    strategy = status.planstrategi_status("2020-12-17", date.today())
    assert (
        metrics[f"Planstrategi {strategy.term}"]
        == {"vedtatt": "Vedtatt", "ikke forfalt": "Ikke forfalt", "forfalt": "Forfalt"}[strategy.status]
    )
    # the source of each fact is listed beside it
    table = at.dataframe[0].value
    assert samfunnsdel.source_url in set(table["Lenke"])

    fig = figure(at)
    hovers = hover_texts(fig)
    for expected in (
        "Frist for vedtak av kommunal planstrategi",
        "Lovkrav: pbl § 10-1",
        "kommuneloven § 14-4",
        "Kommunestyrevalg 2023",
        "11. september 2023",
        "Forventet dato, ikke fastsatt ennå",
        "Veiledning (ikke lovkrav): Nordland fylkeskommunes veileder",
    ):
        assert expected in hovers, expected
    # the population beside the timeline equals the query layer
    [population] = [t for t in fig["data"] if t["name"].startswith("Folketall")]
    series = queries.indicator_series(con, "population", [CODE]).sort_values("year")
    assert [round(v) for v in population["y"]] == [round(v) for v in series["value"]]
    assert f"{text.population_date(int(series.year.max()))}: {text.number(series.value.iloc[-1])}" in "".join(
        population["hovertext"]
    )
    # the network layer only when asked for
    assert "Søknadsfrist læringsnettverk" not in hovers
    at.toggle(key="plan_show_network").set_value(True).run()
    assert "Søknadsfrist læringsnettverk (2019)" in hover_texts(figure(at))


def test_milestone_edited_in_the_editor_appears_on_the_timeline(shipped_data_dir):
    at = open_page()
    at.session_state[f"milestones_{CODE}_0"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [
            {
                "plan_type": "samfunnsdel",
                "title": "Høring av <b>samfunnsdel</b>",
                "start_date": "2027-02-01",
                "end_date": "2027-03-15",
                "status": "planlagt",
            }
        ],
    }
    at.text_input(key="milestone_name").input("Planlegger Per")
    at = click(at, "Lagre framdriftsplan")
    assert not errors(at) and not at.exception
    assert "Framdriftsplanen er lagret." in [s.value for s in at.success]
    [saved] = UserStore().list_milestones(CODE)
    assert (saved["title"], saved["start_date"], saved["end_date"]) == (
        "Høring av <b>samfunnsdel</b>",
        "2027-02-01",
        "2027-03-15",
    )
    hovers = hover_texts(figure(at))
    # on the timeline, as text (escaped), with its dates
    assert "Høring av &lt;b&gt;samfunnsdel&lt;/b&gt;" in hovers and "<b>samfunnsdel" not in hovers
    assert "1. februar 2027 – 15. mars 2027" in hovers

    # edit it: a new title and a later end
    at.session_state[f"milestones_{CODE}_1"] = {
        "edited_rows": {0: {"title": "Planforslag på høring", "end_date": "2027-04-01", "status": "pågår"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = click(at, "Lagre framdriftsplan")
    hovers = hover_texts(figure(at))
    assert "Planforslag på høring" in hovers and "1. februar 2027 – 1. april 2027" in hovers
    assert "Høring av" not in hovers
    assert [t["name"] for t in figure(at)["data"] if t["name"].startswith("Framdriftsplan")] == [
        "Framdriftsplan: pågår"
    ]


def test_milestone_ending_before_it_starts_saves_nothing(shipped_data_dir):
    at = open_page()
    at.session_state[f"milestones_{CODE}_0"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [
            {
                "plan_type": "planstrategi",
                "title": "Oppstart",
                "start_date": "2027-01-10",
                "status": "planlagt",
            },
            {
                "plan_type": "samfunnsdel",
                "title": "Vedtak",
                "start_date": "2027-06-01",
                "end_date": "2027-05-01",
                "status": "planlagt",
            },
        ],
    }
    at.text_input(key="milestone_name").input("Per")
    at = click(at, "Lagre framdriftsplan")
    assert "**Rad 2, Til:** Sluttdatoen kan ikke være før startdatoen." in errors(at)
    assert UserStore().list_milestones(CODE) == []  # not even the valid first row


@pytest.mark.parametrize(
    "adopted, message",
    [
        ("2150", "Årstallet må være mellom 1965 og"),
        ("1964", "Årstallet må være mellom 1965 og"),
        ("i fjor", "Skriv årstall (ÅÅÅÅ) eller dato (ÅÅÅÅ-MM-DD)."),
    ],
)
def test_impossible_plan_year_is_refused_at_the_field(shipped_data_dir, adopted, message):
    at = open_status_form(open_page())
    at.selectbox(key="plan_entry_type").set_value("samfunnsdel")
    at.text_input(key="plan_entry_adopted").input(adopted)
    at.text_input(key="plan_entry_source").input("Sak 12/24")
    at.text_input(key="plan_entry_name").input("Kari")
    at = click(at, "Lagre planstatus")
    assert any(e.startswith("**Vedtatt (år eller dato):** " + message) for e in errors(at)), errors(at)
    assert UserStore().list_plan_entries(CODE) == []


def test_plan_entry_needs_a_source_and_a_name_then_wins_over_the_seed(shipped_data_dir):
    at = open_status_form(open_page())
    at.selectbox(key="plan_entry_type").set_value("planstrategi")
    at.text_input(key="plan_entry_adopted").input("2024-10-24")
    at = click(at, "Lagre planstatus")
    assert "**Kilde:** Oppgi kilde, for eksempel saksnummer, protokoll eller lenke." in errors(at)
    assert "**Ditt navn:** Skriv inn navnet ditt." in errors(at)
    assert UserStore().list_plan_entries(CODE) == []

    at.text_input(key="plan_entry_source").input("Kommunestyret sak 45/24 <script>")
    at.text_input(key="plan_entry_name").input("Kari")
    at = click(at, "Lagre planstatus")
    assert not errors(at)
    assert {m.label: m.value for m in at.metric}["Planstrategi 2023–2027"] == "Vedtatt"
    table = at.dataframe[0].value
    row = table[table["Plan"] == "Planstrategi"].iloc[0]
    assert row["Vedtatt"] == "24. oktober 2024"
    assert row["Kilde"].startswith("Kommunestyret sak 45/24 <script> (registrert av Kari, ")
    # user text never reaches Markdown unescaped
    assert not any("<script>" in m.value for m in at.markdown)


def test_editing_needs_the_password_when_configured(shipped_data_dir, monkeypatch):
    monkeypatch.setenv("NOKKELTALL_EDITOR_PASSWORD", "hemmelig")
    at = open_status_form(open_page())
    labels = [b.label for b in at.button]
    assert "Lagre planstatus" not in labels and "Lagre framdriftsplan" not in labels
    assert at.get("plotly_chart")  # reading stays open
    at.text_input(key="_editor_password").input("feil").run()
    assert "Feil passord. Du kan lese, men ikke endre." in errors(at)
    assert "Lagre planstatus" not in [b.label for b in at.button]
    at.text_input(key="_editor_password").input("hemmelig").run()
    assert {"Lagre planstatus", "Lagre framdriftsplan"} <= {b.label for b in at.button}


def test_password_from_streamlit_secrets(shipped_data_dir):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.secrets["editor_password"] = "fra-secrets"
    at.switch_page("pages/plan.py")
    at.query_params["kommune"] = CODE
    at = open_status_form(at.run())
    assert "Lagre planstatus" not in [b.label for b in at.button]
    at.text_input(key="_editor_password").input("fra-secrets").run()
    assert "Lagre planstatus" in [b.label for b in at.button]
