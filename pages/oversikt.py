"""Oversikt: the small municipalities of the chosen counties — count, table, map; choose one to open it."""

import streamlit as st

from nokkeltall import indicators, maps, profile, text
from nokkeltall.ui.data import DataUnavailable, cached_call, query, shared_call
from nokkeltall.ui.widgets import chart_block, norwegian_styler
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

MAP_INDICATORS = ["population_change_10y_pct", "population", "share_67_plus_pct", "old_age_ratio",
                  "employment_rate_15_74_pct", "women_per_100_men_20_39", "median_age"]
DEFAULT_COUNTIES = ["18", "50"]

st.title("Nøkkeltall for små kommuner")
try:
    counties = query("counties")
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
county_names = dict(zip(counties["county_code"], counties["county_name"]))

left, right = st.columns([3, 1])
chosen = left.multiselect("Fylker", list(county_names), default=DEFAULT_COUNTIES, format_func=county_names.get,
                          key="fylke", bind="query-params", placeholder="Alle fylker")
limit = right.number_input("Innbyggergrense (under)", min_value=100, max_value=100_000, value=2500, step=500,
                           key="grense", bind="query-params")
county_codes = tuple(sorted(chosen)) if chosen else None

summary = cached_call(profile.overview_summary, county_codes, int(limit))
st.markdown(f"**{summary['sentence']}**")

table = cached_call(profile.overview_table, county_codes, int(limit))
if table.empty:
    st.info(f"Ingen kommuner i {summary['where']} har under {text.number(limit)} innbyggere. Velg en høyere grense "
            "eller flere fylker.")
    st.stop()


def open_profile(code: str) -> None:
    st.switch_page("pages/kommune.py", query_params={"kommune": code})


st.subheader("Kommunene")
st.caption("Klikk på en rad for å åpne kommunens side. Klikk på en kolonneoverskrift for å sortere.")
columns = profile.overview_columns(table)
shown = table[list(columns)].rename(columns=columns)
selection = st.dataframe(
    norwegian_styler(shown, decimals={"Folketall": 0}),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="oversikt_tabell",
    column_config={
        "Folketall over tid": st.column_config.LineChartColumn(
            "Folketall over tid", width="small",
            help="Folketallet 1. januar, 2005 til i dag"),
        "Nr.": st.column_config.TextColumn(width="small"),
    },
)
if selection.selection.rows:
    open_profile(shown.iloc[selection.selection.rows[0]]["Nr."])

source_line = cached_call(profile.overview_source)
download_left, download_right, _ = st.columns([1, 1, 3])
# the files are made when a button is clicked, not on every rerun
download_left.download_button("Last ned CSV", lambda: profile.to_csv(profile.overview_export(table)),
                              file_name="sma_kommuner.csv", mime="text/csv", key="oversikt_csv")
download_right.download_button(
    "Last ned Excel", lambda: profile.to_excel(profile.overview_export(table), source=source_line),
    file_name="sma_kommuner.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="oversikt_xlsx")
st.caption(source_line)

st.subheader("Kart")
indicator_id = st.selectbox("Farg kartet etter", MAP_INDICATORS, format_func=lambda i: indicators.get(i).label,
                            key="kartmal", bind="query-params")
chart = shared_call(maps.municipality_map, county_codes, indicator_id, int(limit))
event = chart_block(chart, "kart", on_select=True)
if event is not None:
    points = event.selection.get("points", []) if hasattr(event, "selection") else []
    for point in points:
        code = point.get("location") or (point.get("customdata") or [None])[0]
        if code and code in set(table["municipality_code"]):
            open_profile(code)
        elif code:
            st.info(f"Kommune {code} har {text.number(limit)} innbyggere eller flere og er ikke med i oversikten; "
                    "den åpnes likevel.")
            open_profile(code)

st.subheader("Åpne en kommune")
labels = {row["municipality_code"]: f"{row['municipality_code']} {row['name']}" for row in table.to_dict("records")}
picked = st.selectbox("Kommune", list(labels), index=None, format_func=labels.get, placeholder="Velg kommune …",
                      key="oversikt_velg")
if picked:
    open_profile(picked)
