"""Sammenlign: 2–8 municipalities × indicators as lines, bars, index or ranks; similar municipalities;
Excel/CSV/PNG downloads. Every choice is in the URL (?kommuner=1835,5043&indikatorer=population&visning=linjer)."""

import streamlit as st

from nokkeltall import compare, compare_charts, decks, export, indicators
from nokkeltall.ui import store as ui_store
from nokkeltall.ui import url_state
from nokkeltall.ui import data as ui_data
from nokkeltall.ui.data import DataUnavailable, cached_call, query
from nokkeltall.ui.widgets import figure_block
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

SCOPE = "sammenlign"
# Views hold Plotly figures: share them (no unpickling per rerun) where the data module offers it.
shared_call = getattr(ui_data, "shared_call", cached_call)
K_CODES, K_IDS, K_VIEW, K_BASE = "cmp_kommuner", "cmp_indikatorer", "cmp_visning", "cmp_basisaar"
K_TARGET, K_POOL = "cmp_lik", "cmp_utvalg"
POOLS = {"alle": "Alle kommuner i landet", "sma": "Bare små kommuner (under 2 500)"}

st.title("Sammenlign kommuner")
st.caption("Velg 2–8 kommuner og én eller flere indikatorer. Lenken i adressefeltet gjenskaper visningen.")

try:
    options = query("municipalities")
except DataUnavailable as error:
    st.error(str(error))
    st.stop()

all_codes = options["municipality_code"].tolist()
labels = dict(zip(all_codes, options["name"] + " (" + options["municipality_code"] + ")"))  # «Træna (1835)»
population_years = cached_call(compare.indicator_years, "population")


# --- read the URL (first visit or an opened link) ------------------------------------------------
if url_state.changed_from_outside(SCOPE):
    params = st.query_params
    problems = []
    codes, found = compare.parse_codes(params.get("kommuner"), all_codes)
    problems += found
    ids, found = compare.parse_indicators(params.get("indikatorer"))
    problems += found
    view, found = compare.parse_view(params.get("visning"))
    problems += found
    base, found = compare.parse_base_year(params.get("basisaar"), population_years)
    problems += found
    weights, found = compare.parse_weights(params.get("vekter"))
    problems += found
    target = params.get("lik")
    if target is not None and target not in all_codes:
        problems.append("Kommunen for «lignende kommuner» finnes ikke; velg en i listen.")
        target = None
    if params.get("utvalg") not in (None, *POOLS):
        problems.append(f"Ukjent utvalg «{compare._shown(params.get('utvalg'))}»; alle kommuner i landet er brukt.")
    if "indikatorer" not in params:
        ids = ids or list(compare.DEFAULT_INDICATORS)
    st.session_state.update({
        K_CODES: codes, K_IDS: ids, K_VIEW: view,
        K_BASE: base or compare.default_base_year(population_years),
        K_TARGET: target, K_POOL: params.get("utvalg") if params.get("utvalg") in POOLS else "alle",
        **{f"cmp_w_{f.id}": float(weights[f.id]) for f in compare.SIMILARITY_FEATURES},
    })
    st.session_state["_cmp_problems"] = problems
for problem in st.session_state.get("_cmp_problems", []):
    st.warning(problem, icon="⚠️")


# --- quick picks -------------------------------------------------------------------------------
def pick_small_in_county() -> None:
    chosen = st.session_state.get(K_CODES) or []
    county = st.session_state.get("cmp_fylke")
    small = options[(options["county_code"] == county) & (options["population"] < compare.SMALL_LIMIT)]
    if chosen and chosen[0] in set(small["municipality_code"]):
        anchor = int(small.loc[small["municipality_code"] == chosen[0], "population"].iloc[0])
        small = small.assign(gap=(small["population"] - anchor).abs()).sort_values(["gap", "municipality_code"])
    else:
        small = small.sort_values(["population", "municipality_code"])
    picked = small["municipality_code"].tolist()[: compare.MAX_MUNICIPALITIES]
    st.session_state[K_CODES] = picked
    total = len(small)
    st.session_state["_cmp_problems"] = [] if total <= compare.MAX_MUNICIPALITIES else [
        f"Fylket har {total} små kommuner; de {compare.MAX_MUNICIPALITIES} som ligner mest i folketall "
        f"{'på den første valgte' if chosen else '(de minste)'} er valgt."]


def pick_network() -> None:
    codes = decks.network_codes(ui_store.user_store().list_applications())
    codes = [c for c in codes if c in set(all_codes)]
    if not codes:
        st.session_state["_cmp_problems"] = ["Ingen kommuner er valgt til nettverket ennå (ingen søknad har status "
                                             "«valgt»)."]
        return
    st.session_state[K_CODES] = codes[: compare.MAX_MUNICIPALITIES]
    st.session_state["_cmp_problems"] = [] if len(codes) <= compare.MAX_MUNICIPALITIES else [
        f"Nettverket har {len(codes)} kommuner; de {compare.MAX_MUNICIPALITIES} første er valgt."]


counties = options[["county_code", "county_name"]].drop_duplicates().sort_values("county_code")
county_names = dict(zip(counties["county_code"], counties["county_name"]))
first = (st.session_state.get(K_CODES) or [None])[0]
first_county = options.loc[options["municipality_code"] == first, "county_code"]
if "cmp_fylke" not in st.session_state:
    st.session_state["cmp_fylke"] = first_county.iloc[0] if not first_county.empty else "18"
quick = st.columns([2, 2, 2])
quick[0].selectbox("Fylket mitt", list(county_names), format_func=county_names.get, key="cmp_fylke")
quick[1].button("Små kommuner i fylket mitt", on_click=pick_small_in_county, width="stretch")
quick[2].button("Nettverkskommunene", on_click=pick_network, width="stretch")

st.multiselect("Kommuner (2–8)", all_codes, format_func=lambda c: labels.get(c, c), key=K_CODES,
               max_selections=compare.MAX_MUNICIPALITIES, placeholder="Velg kommuner …")
st.multiselect("Indikatorer", [i.id for i in indicators.CATALOGUE], key=K_IDS,
               format_func=lambda i: indicators.get(i).label, placeholder="Velg indikatorer …")
columns = st.columns([3, 1])
columns[0].radio("Visning", list(compare.VIEWS), format_func=compare.VIEWS.get, key=K_VIEW, horizontal=True)
view = st.session_state[K_VIEW]
if view == "indeks":
    columns[1].selectbox("Basisår (= 100)", population_years, key=K_BASE)

codes = list(st.session_state[K_CODES])
ids = list(st.session_state[K_IDS])
base_year = st.session_state.get(K_BASE) if view == "indeks" else None

# --- the figures ---------------------------------------------------------------------------------
if len(codes) < compare.MIN_MUNICIPALITIES:
    st.info("Velg minst to kommuner for å sammenligne (du kan også bruke snarveiene over).")
elif not ids:
    st.info("Velg minst én indikator.")
else:
    names = list(cached_call(compare.municipality_names, tuple(codes)).values())
    for indicator_id in ids:
        indicator = indicators.get(indicator_id)
        result = shared_call(compare_charts.build_view, view, indicator_id, tuple(codes), base_year)
        st.subheader(result.title)
        if result.finding:
            st.markdown(f"**{result.finding}**")
        stem = export.file_name(names, f"{indicator.label} {compare.VIEWS[view]}", "x").removesuffix(".x")
        figure_block(result.figure, result.table, source=result.source, filename=stem, key=f"{indicator_id}_{view}",
                     note=" ".join(result.notes) or None)
        st.download_button(
            "Last ned PNG", data=lambda r=result: export.png_bytes(r.figure, title=r.title, source=r.source),
            file_name=f"{stem}.png", mime="image/png", key=f"png_{indicator_id}_{view}", on_click="ignore",
        )
    st.divider()
    st.download_button(
        "Last ned alle indikatorene som Excel",
        data=cached_call(export.comparison_workbook, tuple(ids), tuple(codes)),
        file_name=export.file_name(names, "nokkeltall" if len(ids) > 1 else indicators.get(ids[0]).label, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="excel_all",
        on_click="ignore",
    )
    st.page_link("pages/samlingsmodus.py", label="Vis som lysbilder (samlingsmodus)",
                 query_params={"kommuner": url_state.joined(codes), "indikatorer": url_state.joined(ids),
                               "visning": view, **({"basisaar": base_year} if base_year else {})})

# --- similar municipalities ---------------------------------------------------------------------
st.header("Lignende kommuner")
st.caption(
    "Avstanden måles på åtte standardiserte tall (z-verdier over alle landets 357 kommuner): folketall (log), "
    "befolkningsendring siste 10 år, andel 67+ og 0–19 år, sysselsetting, utpendling, kostnadsindeks og "
    "sentralitet. 0 = helt lik; 1 = typisk ett standardavvik fra hverandre. Manglende tall regnes aldri som 0."
)
target_options = list(dict.fromkeys(codes + all_codes))
if st.session_state.get(K_TARGET) is None and codes:
    st.session_state[K_TARGET] = codes[0]
cols = st.columns([2, 2])
cols[0].selectbox("Kommune", target_options, format_func=lambda c: labels.get(c, c), key=K_TARGET,
                  index=None, placeholder="Velg kommune …")
cols[1].radio("Finn blant", list(POOLS), format_func=POOLS.get, key=K_POOL, horizontal=True)
with st.expander("Vekter (0 = ikke med)"):
    weight_columns = st.columns(4)
    for n, feature in enumerate(compare.SIMILARITY_FEATURES):
        weight_columns[n % 4].slider(feature.label, 0.0, 5.0, step=0.5, key=f"cmp_w_{feature.id}")
weights = {f.id: float(st.session_state[f"cmp_w_{f.id}"]) for f in compare.SIMILARITY_FEATURES}
target = st.session_state.get(K_TARGET)
if target:
    try:
        similar, notes = cached_call(compare.similar_table, target, weights,
                                     st.session_state[K_POOL] == "sma")
    except compare.SimilarityError as error:
        st.warning(str(error), icon="⚠️")
    else:
        for note in notes:
            st.caption(note)
        st.dataframe(similar.drop(columns=["municipality_code"]), hide_index=True, width="stretch")
        with st.expander(f"Tallene for {labels.get(target, target)}"):
            st.dataframe(cached_call(compare.target_profile, target), hide_index=True)

        def compare_with_similar(target=target, found=similar["municipality_code"].tolist()) -> None:
            st.session_state[K_CODES] = [target, *found][: min(6, compare.MAX_MUNICIPALITIES)]
            st.session_state["_cmp_problems"] = []

        st.button("Sammenlign med de fem mest like", on_click=compare_with_similar, disabled=similar.empty)

# --- write the choices back to the URL ----------------------------------------------------------
url_state.write(SCOPE, {
    "kommuner": url_state.joined(codes), "indikatorer": url_state.joined(ids), "visning": view,
    "basisaar": base_year, "lik": target if target and target != (codes[0] if codes else None) else None,
    "utvalg": "sma" if st.session_state[K_POOL] == "sma" else None,
    "vekter": compare.weights_to_text(weights),
})
