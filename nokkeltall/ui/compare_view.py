"""The sections of the compare page (pages/sammenlign.py): address, quick picks, choices, figures,
similar municipalities, and the address written back.

Every choice lives in the URL (?kommuner=1835,5043&indikatorer=population&visning=linjer&basisaar=…
&lik=…&utvalg=sma&vekter=…): ``read_address`` seeds the widgets from it when it changed from outside
(a first visit or an opened link) and shows what could not be used; ``write_address`` writes the
cleaned choices back. The option lists come from one shared ``compare_choices.page_options`` per database
build; the weights sliders are drawn only while their expander is open.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import streamlit as st

from nokkeltall.charts import images
from nokkeltall.compare import choices as compare_choices
from nokkeltall.compare import export, similarity, slides
from nokkeltall.compare import figures as compare_figures
from nokkeltall.compare import projected as compare_projected
from nokkeltall.ui import data as ui_data
from nokkeltall.ui import store as ui_store
from nokkeltall.ui import url_state
from nokkeltall.ui.data import DataUnavailable, cached_call, shared_call
from nokkeltall.ui.widgets import figure_block

_log = logging.getLogger(__name__)

SCOPE = "sammenlign"
K_CODES, K_IDS, K_VIEW, K_BASE = "cmp_kommuner", "cmp_indikatorer", "cmp_visning", "cmp_basisaar"
K_TARGET, K_POOL, K_COUNTY = "cmp_lik", "cmp_utvalg", "cmp_fylke"
K_WEIGHTS, K_WEIGHTS_OPEN, K_PROBLEMS = "cmp_vekter", "cmp_vekter_aapen", "_cmp_problems"
K_START = "_cmp_start"  # the note saying which municipalities the page started with
LAST_MUNICIPALITY = "_kommune"  # set by the municipality picker (nokkeltall.ui.widgets)
POOLS = {"alle": "Alle kommuner i landet", "sma": "Bare små kommuner (under 2 500)"}


def _weight_key(feature_id: str) -> str:
    return f"cmp_w_{feature_id}"


@dataclass(frozen=True)
class Selection:
    codes: list[str]
    ids: list[str]
    view: str
    base_year: int | None


def options() -> compare_choices.PageOptions:
    """The option lists (shared per database build); stops the page when the statistics cannot be read."""
    try:
        return shared_call(compare_choices.page_options)
    except DataUnavailable as error:
        st.error(str(error))
        st.stop()


# --- the address ------------------------------------------------------------------------------


def read_address(opts: compare_choices.PageOptions) -> None:
    """Seed the choices from the URL when it changed from outside; show what could not be used."""
    if url_state.changed_from_outside(SCOPE):
        params = st.query_params
        problems = []
        codes, found = compare_choices.parse_codes(params.get("kommuner"), opts.codes)
        problems += found
        ids, found = compare_choices.parse_indicators(params.get("indikatorer"))
        problems += found
        view, found = compare_choices.parse_view(params.get("visning"))
        problems += found
        base, found = compare_choices.parse_base_year(params.get("basisaar"), opts.population_years)
        problems += found
        weights, found = similarity.parse_weights(params.get("vekter"))
        problems += found
        target = params.get("lik")
        if target is not None and target not in opts.known:
            problems.append("Kommunen for «lignende kommuner» finnes ikke; velg en i listen.")
            target = None
        pool = params.get("utvalg")
        if pool is not None and pool not in POOLS:
            problems.append(
                f"Ukjent utvalg «{compare_choices._shown(pool)}»; alle kommuner i landet er brukt."
            )
        if "indikatorer" not in params:
            ids = ids or list(compare_choices.DEFAULT_INDICATORS)
        start = _starting_municipality(opts, problems)
        start = start if "kommuner" not in params else None
        if start:  # population as an index: the county's line is drawn beside the municipalities
            codes = [start, *shared_call(slides.similar_codes, start)]
            target = target or start
            view = view if "visning" in params else "indeks"
        weights = {f.id: float(weights[f.id]) for f in similarity.SIMILARITY_FEATURES}
        st.session_state.update(
            {
                K_CODES: codes,
                K_IDS: ids,
                K_VIEW: view,
                K_BASE: base or compare_choices.default_base_year(opts.population_years),
                K_TARGET: target,
                K_POOL: params.get("utvalg") if params.get("utvalg") in POOLS else "alle",
                K_WEIGHTS: weights,
                **{_weight_key(key): value for key, value in weights.items()},
            }
        )
        st.session_state[K_PROBLEMS] = problems
        st.session_state[K_START] = (_start_note(opts, codes), list(codes)) if start else None
    start_note = st.session_state.get(K_START)
    if start_note and start_note[1] == st.session_state.get(K_CODES):  # until the user changes the choice
        st.info(start_note[0], icon="ℹ️")
    for problem in st.session_state.get(K_PROBLEMS, []):
        st.warning(problem, icon="⚠️")


def _starting_municipality(opts: compare_choices.PageOptions, problems: list[str]) -> str | None:
    """``?kommune=1835``, or the municipality last looked at in this session (the picker's choice)."""
    given = st.query_params.get("kommune")
    if given is not None and str(given) not in opts.known:
        problems.append(f"Fant ingen kommune med nummer «{compare_choices._shown(str(given))}».")
    for code in (given, st.session_state.get(LAST_MUNICIPALITY)):
        if code and str(code) in opts.known:
            return str(code)
    return None


def _start_note(opts: compare_choices.PageOptions, codes: list[str]) -> str:
    name = opts.names.get(codes[0], codes[0])
    return (
        f"Viser folketallet for {name}, de {len(codes) - 1} kommunene som ligner mest på den og fylket "
        "(som indeks, så kurvene kan sammenlignes). "
        "Endre kommuner, indikatorer og visning under."
    )


def write_address(selection: Selection, target: str | None, weights: dict[str, float]) -> None:
    codes = selection.codes
    url_state.write(
        SCOPE,
        {
            "kommuner": url_state.joined(codes),
            "indikatorer": url_state.joined(selection.ids),
            "visning": selection.view,
            "basisaar": selection.base_year,
            "lik": target if target and target != (codes[0] if codes else None) else None,
            "utvalg": "sma" if st.session_state[K_POOL] == "sma" else None,
            "vekter": similarity.weights_to_text(weights),
        },
    )


# --- quick picks ------------------------------------------------------------------------------


def _pick_small_in_county(opts: compare_choices.PageOptions) -> None:
    frame = opts.municipalities
    chosen = st.session_state.get(K_CODES) or []
    county = st.session_state.get(K_COUNTY)
    small = frame[(frame["county_code"] == county) & (frame["population"] < compare_choices.SMALL_LIMIT)]
    if chosen and chosen[0] in set(small["municipality_code"]):
        anchor = int(small.loc[small["municipality_code"] == chosen[0], "population"].iloc[0])
        small = small.assign(gap=(small["population"] - anchor).abs()).sort_values(
            ["gap", "municipality_code"]
        )
    else:
        small = small.sort_values(["population", "municipality_code"])
    picked = small["municipality_code"].tolist()[: compare_choices.MAX_MUNICIPALITIES]
    st.session_state[K_CODES] = picked
    total = len(small)
    st.session_state[K_PROBLEMS] = (
        []
        if total <= compare_choices.MAX_MUNICIPALITIES
        else [
            f"Fylket har {total} små kommuner; de {compare_choices.MAX_MUNICIPALITIES} "
            "som ligner mest i folketall "
            f"{'på den første valgte' if chosen else '(de minste)'} er valgt."
        ]
    )


def _pick_network(opts: compare_choices.PageOptions) -> None:
    codes = slides.network_codes(ui_store.user_store().list_applications())
    codes = [c for c in codes if c in opts.known]
    if not codes:
        st.session_state[K_PROBLEMS] = [
            "Ingen kommuner er valgt til nettverket ennå (ingen søknad har status «valgt»)."
        ]
        return
    st.session_state[K_CODES] = codes[: compare_choices.MAX_MUNICIPALITIES]
    st.session_state[K_PROBLEMS] = (
        []
        if len(codes) <= compare_choices.MAX_MUNICIPALITIES
        else [
            f"Nettverket har {len(codes)} kommuner; de {compare_choices.MAX_MUNICIPALITIES} første er valgt."
        ]
    )


def quick_picks(opts: compare_choices.PageOptions) -> None:
    """«Fylket mitt» and two buttons that fill in the municipalities."""
    if K_COUNTY not in st.session_state:
        first = (st.session_state.get(K_CODES) or [None])[0]
        st.session_state[K_COUNTY] = opts.county_of.get(first, "18")
    quick = st.columns([2, 2, 2])
    quick[0].selectbox(
        "Fylket mitt",
        list(opts.county_names),
        format_func=lambda county: opts.county_names.get(county, county),
        key=K_COUNTY,
    )
    quick[1].button(
        "Små kommuner i fylket mitt", on_click=_pick_small_in_county, args=(opts,), width="stretch"
    )
    quick[2].button("Nettverkskommunene", on_click=_pick_network, args=(opts,), width="stretch")


# --- choices and figures ----------------------------------------------------------------------------


def choices(opts: compare_choices.PageOptions) -> Selection:
    """Municipalities, indicators, view (and base year for the index)."""
    st.multiselect(
        "Kommuner (2–8)",
        opts.codes,
        format_func=opts.labels.__getitem__,
        key=K_CODES,
        max_selections=compare_choices.MAX_MUNICIPALITIES,
        placeholder="Velg kommuner …",
    )
    st.multiselect(
        "Indikatorer",
        opts.indicator_ids,
        key=K_IDS,
        format_func=opts.indicator_labels.__getitem__,
        placeholder="Velg indikatorer …",
    )
    columns = st.columns([3, 1])
    columns[0].radio(
        "Visning",
        list(compare_choices.VIEWS),
        format_func=compare_choices.VIEWS.get,
        key=K_VIEW,
        horizontal=True,
    )
    view = st.session_state[K_VIEW]
    if view == "indeks":
        columns[1].selectbox("Basisår (= 100)", opts.population_years, key=K_BASE)
    return Selection(
        list(st.session_state[K_CODES]),
        list(st.session_state[K_IDS]),
        view,
        st.session_state.get(K_BASE) if view == "indeks" else None,
    )


def _workbook(ids: tuple[str, ...], codes: tuple[str, ...]) -> bytes:
    with ui_data.cursor() as cursor:
        return export.comparison_workbook(cursor, list(ids), list(codes))


def _png(result: compare_figures.View) -> bytes:
    """The figure as PNG with its finding and source (made when the button is clicked)."""
    return export.png_bytes(result.figure, title=result.finding or result.title, source=result.source)


def _views(_cursor, view: str, ids: tuple[str, ...], codes: tuple[str, ...], base_year: int | None) -> tuple:
    """Every indicator's figure for one choice, behind one cache look-up per rerun instead of one per
    indicator; each figure is still kept on its own (``shared_call``), so slides and PNGs reuse it."""
    return tuple(shared_call(compare_figures.build_view, view, i, codes, base_year) for i in ids)


def figures(opts: compare_choices.PageOptions, selection: Selection) -> None:
    """One figure per indicator (with table, CSV and PNG), the Excel of all, the link to slides."""
    codes, ids, view, base_year = selection.codes, selection.ids, selection.view, selection.base_year
    if len(codes) < compare_choices.MIN_MUNICIPALITIES:
        st.info("Velg minst to kommuner for å sammenligne (du kan også bruke snarveiene over).")
        return
    if not ids:
        st.info("Velg minst én indikator.")
        return
    names = [opts.names.get(code, code) for code in codes]
    pictures = images.available()  # looks for Chromium on the PATH: once per rerun, not per figure
    results = shared_call(_views, view, tuple(ids), tuple(codes), base_year)
    for indicator_id, result in zip(ids, results, strict=True):
        indicator = compare_projected.lookup(indicator_id)
        st.subheader(result.title)
        if result.finding:
            st.markdown(f"**{result.finding}**")
        stem = export.file_name(names, f"{indicator.label} {compare_choices.VIEWS[view]}", "x").removesuffix(
            ".x"
        )
        figure_block(
            result.figure,
            result.table,
            source=result.source,
            filename=stem,
            key=f"{indicator_id}_{view}",
            note=" ".join(result.notes) or None,
        )
        if pictures:
            st.download_button(
                "Last ned PNG",
                data=functools.partial(_png, result),  # made on click
                file_name=f"{stem}.png",
                mime="image/png",
                key=f"png_{indicator_id}_{view}",
                on_click="ignore",
            )
        else:
            st.caption(
                "PNG-nedlasting er ikke tilgjengelig: nettleseren Chromium, som tegner bildene, "
                "finnes ikke på tjeneren. Tabellen kan lastes ned som CSV."
            )
    st.divider()
    st.download_button(
        "Last ned alle indikatorene som Excel",
        data=functools.partial(_workbook, tuple(ids), tuple(codes)),  # made on click, not on every rerun
        file_name=export.file_name(
            names, "nokkeltall" if len(ids) > 1 else compare_projected.lookup(ids[0]).label, "xlsx"
        ),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="excel_all",
        on_click="ignore",
    )
    st.page_link(
        "pages/samlingsmodus.py",
        label="Vis som lysbilder (samlingsmodus)",
        query_params={
            "kommuner": url_state.joined(codes),
            "indikatorer": url_state.joined(ids),
            "visning": view,
            **({"basisaar": str(base_year)} if base_year else {}),
        },
    )


# --- similar municipalities -------------------------------------------------------------------------


def _weights() -> dict[str, float]:
    """The similarity weights; the sliders are drawn (and read) only while their expander is open."""
    weights = dict(st.session_state.get(K_WEIGHTS) or similarity.DEFAULT_WEIGHTS)
    expander = st.expander("Vekter (0 = ikke med)", key=K_WEIGHTS_OPEN, on_change="rerun")
    with expander:
        if expander.open:
            columns = st.columns(4)
            for n, feature in enumerate(similarity.SIMILARITY_FEATURES):
                key = _weight_key(feature.id)
                if key not in st.session_state:
                    st.session_state[key] = weights[feature.id]
                weights[feature.id] = float(columns[n % 4].slider(feature.label, 0.0, 5.0, step=0.5, key=key))
    st.session_state[K_WEIGHTS] = weights
    return weights


def _compare_with_similar(target: str, found: list[str]) -> None:
    st.session_state[K_CODES] = [target, *found][: min(6, compare_choices.MAX_MUNICIPALITIES)]
    st.session_state[K_PROBLEMS] = []


def _similar_shown(cursor, target: str, weights: dict[str, float], small_only: bool):
    """The similar-municipalities table as shown (without its code column), the codes and the notes:
    worked out once per choice, not on every rerun."""
    table, notes = similarity.similar_table(cursor, target, weights, small_only)
    return table.drop(columns=["municipality_code"]), table["municipality_code"].tolist(), notes


def similar(opts: compare_choices.PageOptions, codes: list[str]) -> tuple[str | None, dict[str, float]]:
    """The municipalities most like the chosen one, with weights; returns (target, weights)."""
    st.header("Lignende kommuner")
    st.caption(
        "Avstanden måles på åtte standardiserte tall (z-verdier over alle landets 357 kommuner): "
        "folketall (log), befolkningsendring siste 10 år, andel 67+ og 0–19 år, sysselsetting, utpendling, "
        "kostnadsindeks og sentralitet. 0 = helt lik; 1 = typisk ett standardavvik fra hverandre. "
        "Manglende tall regnes aldri som 0."
    )
    target_options = list(dict.fromkeys(codes + opts.codes))
    if st.session_state.get(K_TARGET) is None and codes:
        st.session_state[K_TARGET] = codes[0]
    cols = st.columns([2, 2])
    cols[0].selectbox(
        "Kommune",
        target_options,
        format_func=opts.labels.__getitem__,
        key=K_TARGET,
        index=None,
        placeholder="Velg kommune …",
    )
    cols[1].radio("Finn blant", list(POOLS), format_func=POOLS.get, key=K_POOL, horizontal=True)
    weights = _weights()
    target = st.session_state.get(K_TARGET)
    if not target:
        return target, weights
    try:
        shown, found, notes = shared_call(  # shared, not copied: only read below
            _similar_shown, target, weights, st.session_state[K_POOL] == "sma"
        )
    except similarity.SimilarityError as error:
        _log.info("no similar municipalities for %s: %s", target, error)
        st.warning(str(error), icon="⚠️")
        return target, weights
    for note in notes:
        st.caption(note)
    st.dataframe(shown, hide_index=True, width="stretch")
    figures_of = st.expander(
        f"Tallene for {opts.labels.get(target, target)}", key="cmp_tall_aapen", on_change="rerun"
    )
    with figures_of:
        if figures_of.open:  # drawn once opened
            st.dataframe(cached_call(similarity.target_profile, target), hide_index=True)
    st.button(
        "Sammenlign med de fem mest like",
        on_click=_compare_with_similar,
        args=(target, list(found)),
        disabled=shown.empty,
    )
    return target, weights
