"""Om data: the indicator catalogue, every dataset with its source and date, and the refresh."""

import streamlit as st

from nokkeltall import config, harmonise, provenance
from nokkeltall.ui.data import DataUnavailable, query, shared_call
from nokkeltall.ui.frame import ensure_app_navigation
from nokkeltall.ui.refresh import refresh_from_ssb

ensure_app_navigation()

st.title("Om data")
st.write(
    "Alle tall i Nøkkeltall kommer fra offisiell statistikk: Statistisk sentralbyrå (SSB), Kommunal- og "
    "distriktsdepartementet (ROBEK, inntektssystemet) og Kartverket (kart). Tidsserier er regnet om til "
    "dagens kommuneinndeling (357 kommuner); omregnede verdier er merket der de vises. "
    "Et tall som mangler vises som «–»."
)
st.caption(f"{config.SSB_CREDIT}. Lisens: {config.SSB_LICENCE}. Kart: © Kartverket (CC BY 4.0).")

st.header("Indikatorer")
st.dataframe(provenance.catalogue_table(), hide_index=True, width="stretch")

st.header("Datasett")
try:
    datasets = shared_call(provenance.dataset_table)
    problems = query("build_problems")
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
for name, problem in problems.items():
    st.warning(f"Datasettet «{name}» kunne ikke brukes: {problem}. Resten av statistikken vises som vanlig.")
st.dataframe(datasets, hide_index=True, width="stretch")

st.header("Anslåtte kommunedelinger")
st.write(harmonise.ABOUT_ESTIMATES)
st.dataframe(shared_call(provenance.split_estimate_table), hide_index=True, width="stretch")

st.header("Oppdater fra SSB")
st.write(
    "Henter tabellene på nytt fra SSBs API (PxWebApi 2.0) når maskinen er på nett. Feiler noe, beholdes det "
    "forrige datagrunnlaget uendret, og appen virker som før."
)
refresh_from_ssb()
