"""Oversikt: the small municipalities of the chosen counties."""

import streamlit as st

from nokkeltall import text
from nokkeltall.ui.data import DataUnavailable, query

st.title("Nøkkeltall for små kommuner")
try:
    municipalities = query("municipalities", ["18", "50"], 2499)
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
year = int(municipalities["population_year"].max())
st.write(
    f"{len(municipalities)} kommuner i Nordland og Trøndelag hadde under 2 500 innbyggere per "
    f"{text.population_date(year)}."
)
st.dataframe(
    municipalities[["municipality_code", "name", "county_name", "population"]].rename(
        columns={"municipality_code": "Nr.", "name": "Kommune", "county_name": "Fylke", "population": "Folketall"}
    ),
    hide_index=True,
)
st.caption("Kilde: Statistisk sentralbyrå, tabell 07459")
