"""Om data: the indicator catalogue, every dataset with its source and date, and the refresh."""

import pandas as pd
import streamlit as st

from nokkeltall import config, harmonise, indicators, text
from nokkeltall.ui.data import DataUnavailable, query
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
catalogue = pd.DataFrame(
    [
        {
            "Indikator": i.label,
            "Enhet": i.unit,
            "Definisjon": i.definition,
            "Tabell": i.table_id,
            "Koder": i.ssb_codes,
            "Tema": i.category,
            "Id": i.id,
        }
        for i in indicators.CATALOGUE
    ]
)
st.dataframe(catalogue, hide_index=True, width="stretch")

st.header("Datasett")
try:
    datasets = query("datasets")
    problems = query("build_problems")
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
for name, problem in problems.items():
    st.warning(f"Datasettet «{name}» kunne ikke brukes: {problem}. Resten av statistikken vises som vanlig.")
shown = datasets.assign(
    år=[
        f"{a}–{b}" if pd.notna(a) else ""
        for a, b in zip(datasets["year_min"], datasets["year_max"], strict=False)
    ],
    dato=[text.iso_date(d) or text.MISSING for d in datasets["updated"].fillna(datasets["fetched"])],
)[["table_id", "title", "publisher", "dato", "år", "rows", "source", "licence", "caveat"]]
st.dataframe(
    shown.rename(
        columns={
            "table_id": "Tabell",
            "title": "Tittel",
            "publisher": "Utgiver",
            "dato": "Oppdatert/hentet",
            "år": "År",
            "rows": "Rader",
            "source": "Kilde",
            "licence": "Lisens",
            "caveat": "Forbehold",
        }
    ),
    hide_index=True,
    width="stretch",
)

st.header("Anslåtte kommunedelinger")
st.write(harmonise.ABOUT_ESTIMATES)
st.dataframe(harmonise.estimate_table(query("split_estimates")), hide_index=True, width="stretch")

st.header("Oppdater fra SSB")
st.write(
    "Henter tabellene på nytt fra SSBs API (PxWebApi 2.0) når maskinen er på nett. Feiler noe, beholdes det "
    "forrige datagrunnlaget uendret, og appen virker som før."
)
refresh_from_ssb()
