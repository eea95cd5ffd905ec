"""The «Framskriving» tab of the municipality page: the projection with its fan, the age groups, the
age profile in 2040, the old-age ratio, and scenarios the user sets (kept in the URL as ``scenario``)."""

from __future__ import annotations

from typing import cast

import streamlit as st

from nokkeltall.projection import OPEN_AGE, ProjectionError, Scenario, parse
from nokkeltall.projection import figures as charts
from nokkeltall.projection.scenario import BIRTH_LIMITS, MAX_MIGRATION
from nokkeltall.store import ValidationError
from nokkeltall.ui import url_state
from nokkeltall.ui.data import shared_call
from nokkeltall.ui.store import editor_gate, scenario_store
from nokkeltall.ui.widgets import chart_block

PARAM = "scenario"
SCOPE = "framskriving"
READY_KEY = "_fs_ready"
WIDGET_KEYS = ("fs_migration", "fs_ages", "fs_births", "fs_history")
HISTORY_CHOICES = {"Nei": None, "Som siste 5 år": 5, "Som siste 10 år": 10}

EXPLANATION = """
**Slik er framskrivingen laget.** Folketallet 1. januar etter ettårig alder (SSB 07459) føres ett år fram av
gangen. Hvor mange som «overlever» fra én alder til neste (dødsfall og flytting sammen) regnes fra de siste
5 eller 10 årene i kommunen, *blandet med* erfaringen i fylket eller i kommuner av samme størrelse – i en
kommune med fem personer på et alderstrinn gir tilfeldigheter ellers store utslag. Der et årskull vokser,
legges veksten til som et antall personer (ikke som en prosent som vokser seg større). Fødte regnes ut fra
antallet i alderen 20–44 år. Folketallet i alt følger trenden de siste 10 årene (snittet av uendret folketall,
lineær og geometrisk trend), og aldersfordelingen tilpasses det. Hvilke innstillinger som brukes for
aldersfordelingen – også om den økende levealderen over 60 år føres videre – er valgt ut fra hvor godt de har
truffet når de ble prøvd på tidligere år (tilbakeprøving), etter en regel som er lik for alle år.

**Usikkerheten.** Båndene viser hvor mye framskrivinger for kommuner av samme størrelse har bommet når de
ble laget fra tidligere år: det mørke båndet dekker halvparten av utfallene (50 %), det lyse fire av fem
(80 %). Båndet blir bredere jo lenger fram, i samme takt som bommene i tilbakeprøvingene vokste med antall
år. Det sier ingenting om store enkelthendelser (en ny arbeidsplass, et mottak som legges ned).

**Scenarioer** legger til eller trekker fra et antall innflyttere hvert år i valgte aldre, endrer
fødselsnivået, eller lar kommunen fortsette «som siste 5/10 år» uten å tilpasse totalen til trenden.
Scenarioet står i adressen, så lenken kan deles.
"""


def _seed_from_url() -> None:
    """On a first visit or an opened link: the widgets start from the URL's scenario. Also when a widget's
    state is gone (Streamlit drops it after a run in which the tab was not drawn)."""
    if not url_state.changed_from_outside(SCOPE) and all(key in st.session_state for key in WIDGET_KEYS):
        return
    try:
        given = parse(st.query_params.get(PARAM, ""))
    except ProjectionError as error:
        st.warning(f"Scenarioet i lenken ble ikke brukt: {error}")
        given = Scenario()
    st.session_state["fs_migration"] = int(given.migration)
    st.session_state["fs_ages"] = given.ages
    st.session_state["fs_births"] = int(given.birth_pct)
    st.session_state["fs_history"] = next(k for k, v in HISTORY_CHOICES.items() if v == given.history)


def _scenario_controls() -> str:
    # open only while a scenario is in use: open, its controls pushed the fan below the fold at 1280×720
    with st.expander("Scenario: hva om …?", expanded=bool(st.query_params.get(PARAM))):
        left, middle, right = st.columns(3)
        migration = left.number_input(
            "Netto innflytting per år (personer)",
            min_value=-MAX_MIGRATION,
            max_value=MAX_MIGRATION,
            step=1,
            key="fs_migration",
            help="Flere innbyggere hvert år (negativt tall: flere flytter ut).",
        )
        ages = middle.slider(
            "i alderen", 0, OPEN_AGE, key="fs_ages", help="Innflytterne fordeles likt på aldrene."
        )
        births = right.number_input(
            "Fødselsnivå (prosent endring)",
            min_value=int(BIRTH_LIMITS[0]),
            max_value=int(BIRTH_LIMITS[1]),
            step=5,
            key="fs_births",
        )
        history = st.radio(
            "Utvikling som",
            list(HISTORY_CHOICES),
            horizontal=True,
            key="fs_history",
            help="«Som siste 5/10 år»: flytting og dødsfall som i de siste årene, uten å "
            "tilpasse totalen til trenden.",
        )
    low, high = cast(tuple[int, int], ages)  # a range slider (its value in session state is a pair)
    return Scenario(float(migration), (low, high), float(births), HISTORY_CHOICES[history]).text()


def _apply(text: str) -> None:
    """Button callback (runs before the widgets): set the controls to a saved scenario."""
    st.session_state.pop(f"_url_{SCOPE}", None)
    st.query_params[PARAM] = text


def _saved_scenarios(scenario: str) -> None:
    """Saved scenarios to reuse (everyone) and to save (editors); read only when opened."""
    expander = st.expander("Lagrede scenarioer", key="fs_saved", on_change="rerun")
    with expander:
        if not expander.open:
            return
        store = scenario_store()
        saved = {row["name"]: row["scenario"] for row in store.list()}
        if saved:
            choice = st.selectbox(
                "Lagret scenario",
                list(saved),
                key="fs_saved_choice",
                format_func=lambda name: f"{name}: {parse(saved[name]).description()}",
            )
            st.button("Bruk scenarioet", on_click=_apply, args=(saved[choice],), key="fs_apply")
        else:
            st.caption("Ingen scenarioer er lagret ennå.")
        if not scenario:
            st.caption("Velg en endring over for å kunne lagre den som et scenario.")
        elif editor_gate():
            _save_form(store, scenario)


def _save_form(store, scenario: str) -> None:
    with st.form("fs_save_form", clear_on_submit=False):
        name = st.text_input(
            "Navn på scenarioet",
            max_chars=80,
            key="fs_save_name",
            help="Kan brukes igjen her, for andre kommuner og med «--scenario NAVN» på kommandolinjen.",
        )
        if st.form_submit_button("Lagre scenarioet"):
            try:
                store.save(name, scenario)
                st.success(f"Lagret «{name.strip()}»: {parse(scenario).description()}.")
            except ValidationError as error:
                st.error(" ".join(error.errors.values()))


def _write_url(scenario: str) -> None:
    """Only this tab's parameter is written: «kommune» and «del» are bound to widgets."""
    if scenario and st.query_params.get(PARAM) != scenario:
        st.query_params[PARAM] = scenario
    elif not scenario and PARAM in st.query_params:
        del st.query_params[PARAM]
    st.session_state[f"_url_{SCOPE}"] = url_state.current()


def render(code: str, name: str) -> None:
    _seed_from_url()
    scenario = _scenario_controls()
    if st.session_state.get(READY_KEY):
        content = shared_call(charts.tab_content, code, scenario)
    else:  # the first time in a session: the backtests may still have to be computed or read from disk
        with st.spinner("Regner ut framskrivingen (første gang etter oppstart tar det noen sekunder) …"):
            content = shared_call(charts.tab_content, code, scenario)
        st.session_state[READY_KEY] = True
    _write_url(scenario)
    _saved_scenarios(scenario)
    if content.problem:
        what = "Scenarioet går ikke" if scenario else "Framskrivingen kan ikke lages"
        st.error(f"{what}: {content.problem}")
        return
    if content.fan is None:
        st.info(f"Det finnes ikke nok befolkningstall til å framskrive {name}.")
        return
    chart_block(content.fan, "framskriving")
    _age_groups(content.age_groups)
    left, right = st.columns(2)
    with left:
        chart_block(content.age_profile, "framskriving_alder")
    with right:
        chart_block(content.old_age_ratio, "framskriving_eldrebyrde")
    _beside_ssb_municipality(content.municipal, name)
    _beside_ssb(content.county)
    with st.expander("Om metoden og usikkerheten"):
        st.markdown(EXPLANATION)
        if content.method:
            st.markdown(content.method)


def _beside_ssb_municipality(compared: dict | None, name: str) -> None:
    """SSB's own projection for the municipality (after an online refresh), or that it is not fetched."""
    if compared is None:
        return
    st.markdown(f"**{name} ved siden av SSBs framskriving for kommunen**")
    if not compared["available"]:
        st.info(compared["sentence"])
        return
    st.markdown(compared["sentence"])
    st.markdown(compared["markdown"])
    st.caption(
        f"{compared['source']}. SSBs framskriving bygger på egne forutsetninger om fødsler, dødelighet og "
        "flytting; nøkkeltalls bygger på kommunens egen utvikling de siste årene."
    )


def _beside_ssb(compared: dict | None) -> None:
    if compared is None:
        return
    st.markdown(f"**{compared['county']}: summen av kommunene ved siden av SSBs framskriving for fylket**")
    st.markdown(compared["sentence"])
    st.markdown(compared["markdown"])
    st.caption(
        "SSBs framskriving (tabell 14288) regner fylket samlet med egne forutsetninger om fødsler, "
        "dødelighet og flytting; nøkkeltalls framskriving regner hver kommune for seg ut fra de siste "
        "årene. Forskjellen viser hvor langt kommunenes egen utvikling peker fra SSBs forutsetninger."
    )


def _age_groups(table: str | None) -> None:
    st.markdown("**Antall innbyggere etter aldersgruppe, registrert og framskrevet**")
    st.markdown(table)
    st.caption(f"Første år er registrert (1. januar), de andre er framskrevet. {charts.METHOD_NOTE}")
