"""The sections of the overview page (pages/oversikt.py): choices, count, table, downloads, map, picker.

The numbers come from ``nokkeltall.profile.overview`` (one shared object per choice of counties and
limit) and ``nokkeltall.maps.browser_map``; this module only lays them out. Values read from the
address (``?fylke=``, ``?grense=``, ``?kartmal=``) that Streamlit's URL binding would silently drop
are named in a Norwegian message first.
"""

from __future__ import annotations

import weakref

import pandas as pd
import streamlit as st

from nokkeltall import indicators, text
from nokkeltall.charts import maps
from nokkeltall.profile import small_municipalities
from nokkeltall.ui.data import DataUnavailable, query, shared_call
from nokkeltall.ui.widgets import chart_block, keep_display_values, norwegian_styler, safe_text

MAP_INDICATORS = [
    "population_change_10y_pct",
    "population",
    "share_67_plus_pct",
    "old_age_ratio",
    "employment_rate_15_74_pct",
    "women_per_100_men_20_39",
    "median_age",
]
MAP_LABELS = {i: indicators.get(i).label for i in MAP_INDICATORS}
DEFAULT_COUNTIES = ["18", "50"]
LIMIT_DEFAULT, LIMIT_MIN, LIMIT_MAX = 2500, 100, 100_000
LIMIT_KEY = "grense"


def county_names() -> dict[str, str]:
    """County number → name; stops the page with the message when the statistics cannot be read."""
    try:
        counties = query("counties")
    except DataUnavailable as error:
        st.error(str(error))
        st.stop()
    return dict(zip(counties["county_code"], counties["county_name"], strict=False))


# --- the address ---------------------------------------------------------------------------------


def _listed(values: list[str]) -> str:
    shown = [f"«{safe_text(v, 40)}»" for v in values[:3]]
    more = f" og {len(values) - 3} til" if len(values) > 3 else ""
    return (", ".join(shown[:-1]) + " og " + shown[-1] if len(shown) > 1 else shown[0]) + more


def url_limit(raw) -> int | None:
    """The population limit in ``?grense=`` when it is a whole number in range, else None."""
    given = str(raw).strip() if raw is not None else ""
    if not (given.isascii() and given.isdigit() and len(given) <= 6):  # also «²» and 400 nines
        return None
    return int(given) if LIMIT_MIN <= int(given) <= LIMIT_MAX else None


def _limit_to_url() -> None:
    """The limit chosen in the box, into the address (none when it is the default)."""
    limit = st.session_state.get(LIMIT_KEY)
    if limit is None or int(limit) == LIMIT_DEFAULT:
        st.query_params.pop(LIMIT_KEY, None)
    else:
        st.query_params[LIMIT_KEY] = str(int(limit))


def url_problems(names: dict[str, str]) -> list[str]:
    """Norwegian messages for the values in the address the page cannot use (read before the widgets
    bound to them run, since Streamlit resets such values without a word)."""
    params, problems = st.query_params, []
    if "fylke" in params:
        known = set(names.values())
        unknown = [v for v in params.get_all("fylke") if v != "" and v not in known]
        if unknown:
            rest = [v for v in params.get_all("fylke") if v in known]
            fallback = (
                ("Det er tatt ut av valget." if len(unknown) == 1 else "De er tatt ut av valget.")
                if rest
                else f"{small_municipalities.county_label([names[c] for c in DEFAULT_COUNTIES])} "
                "er vist i stedet."
            )
            problems.append(
                f"Adressen nevner {'et fylke' if len(unknown) == 1 else 'fylker'} som ikke finnes: "
                f"{_listed(unknown)}. {fallback} Velg fylker i listen."
            )
    if "grense" in params:
        raw = params.get("grense")
        if url_limit(raw) is None:
            what = (
                "er tom"
                if not str(raw).strip()
                else f"«{safe_text(raw, 30)}» er ikke et helt tall mellom "
                f"{text.number(LIMIT_MIN)} og {text.number(LIMIT_MAX)}"
            )
            problems.append(f"Innbyggergrensen i adressen {what}; {text.number(LIMIT_DEFAULT)} er brukt.")
    if "kartmal" in params:
        raw = params.get("kartmal")
        if raw not in MAP_LABELS.values():
            what = (
                "Kartmålet i adressen er tomt"
                if not str(raw).strip()
                else f"Kartet kan ikke fargelegges etter «{safe_text(raw, 40)}»"
            )
            problems.append(
                f"{what}; det er farget etter {MAP_LABELS[MAP_INDICATORS[0]].lower()}. "
                "Velg et annet mål under kartet."
            )
    return problems


# --- the sections --------------------------------------------------------------------------------


def choices() -> small_municipalities.Overview:
    """Messages about the address, the county and limit choices (bound to ``?fylke=``/``?grense=``),
    the count sentence; the overview for that choice. Stops the page when no municipality is left."""
    names = county_names()
    for problem in url_problems(names):
        st.warning(problem, icon="⚠️")
    left, right = st.columns([3, 1])
    chosen = left.multiselect(
        "Fylker",
        list(names),
        default=DEFAULT_COUNTIES,
        format_func=lambda code: names.get(code, code),
        key="fylke",
        bind="query-params",
        placeholder="Alle fylker",
    )
    # ?grense= is read here, not bound by Streamlit: its binding turns 400 nines into a float infinity and
    # fails with OverflowError before the page can say anything
    if LIMIT_KEY not in st.session_state:
        st.session_state[LIMIT_KEY] = url_limit(st.query_params.get(LIMIT_KEY)) or LIMIT_DEFAULT
        if st.session_state[LIMIT_KEY] == LIMIT_DEFAULT:
            st.query_params.pop(LIMIT_KEY, None)  # a faulty value (named above) leaves the address
    limit = right.number_input(
        "Innbyggergrense (under)",
        min_value=LIMIT_MIN,
        max_value=LIMIT_MAX,
        step=500,
        key=LIMIT_KEY,
        on_change=_limit_to_url,
    )
    view = shared_call(small_municipalities.overview, tuple(sorted(chosen)) if chosen else None, int(limit))
    st.markdown(f"**{view.summary['sentence']}**")
    if view.table.empty:
        st.info(
            f"Ingen kommuner i {view.summary['where']} har under {text.number(view.limit)} innbyggere. "
            "Velg en høyere grense eller flere fylker."
        )
        st.stop()
    return view


def open_profile(code: str) -> None:
    st.switch_page("pages/kommune.py", query_params={"kommune": code})


_STYLED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _styled(view: small_municipalities.Overview):
    """The table's Norwegian Styler («1 234», «12,5»; sorting stays numeric), rendered once per shared
    overview: ``st.dataframe`` asks a Styler for its computed styles and display values on every
    rerun (5–8 ms here); this one answers from what it worked out the first time. It never changes
    afterwards, so sessions can share it."""
    styler = _STYLED.get(view)
    if styler is None:
        styler = norwegian_styler(view.shown, decimals={"Folketall": 0})
        styler.set_uuid(f"oversikt{abs(hash((view.county_codes, view.limit))) % 10**8}")
        try:
            styler._compute()  # the private calls Streamlit makes (pandas_styler_utils.marshall_styler)
            translated = styler._translate(False, False)
        except Exception:  # noqa: BLE001 — a pandas without them: a plain Styler, just slower
            return norwegian_styler(view.shown, decimals={"Folketall": 0})
        # Only the number columns' cells carry a display text that differs from the value as text
        # (the Styler's default for text and lists is str()); Streamlit writes each cell given here
        # into a frame of strings, so the others are left out.
        numeric = {
            f"_col{i}"
            for i, column in enumerate(view.shown.columns)
            if pd.api.types.is_numeric_dtype(view.shown[column])
        }
        translated = {
            **translated,
            "body": [
                [
                    cell
                    for cell in row
                    if str(cell.get("id", "")).startswith("row")
                    and str(cell.get("id")).endswith(tuple(numeric))
                ]
                for row in translated.get("body", [])
            ],
        }
        translated = keep_display_values(styler, translated)
        object.__setattr__(styler, "_compute", lambda: styler)
        object.__setattr__(styler, "_translate", lambda *args, **kwargs: translated)
        _STYLED[view] = styler
    return styler


def municipality_table(view: small_municipalities.Overview) -> None:
    """The small municipalities, sortable; a click on a row opens the municipality's page."""
    st.subheader("Kommunene")
    st.caption("Klikk på en rad for å åpne kommunens side. Klikk på en kolonneoverskrift for å sortere.")
    selection = st.dataframe(
        _styled(view),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="oversikt_tabell",
        column_config={
            "Folketall over tid": st.column_config.LineChartColumn(
                "Folketall over tid", width="small", help="Folketallet 1. januar, 2005 til i dag"
            ),
            "Nr.": st.column_config.TextColumn(width="small"),
        },
    )
    if selection.selection.rows:
        open_profile(view.shown.iloc[selection.selection.rows[0]]["Nr."])


def downloads(view: small_municipalities.Overview) -> None:
    """CSV and Excel of the table (made when a button is clicked, not on every rerun), and its source."""
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Last ned CSV",
        lambda: small_municipalities.to_csv(small_municipalities.overview_export(view.table)),
        file_name="sma_kommuner.csv",
        mime="text/csv",
        key="oversikt_csv",
    )
    right.download_button(
        "Last ned Excel",
        lambda: small_municipalities.to_excel(
            small_municipalities.overview_export(view.table), source=view.source
        ),
        file_name="sma_kommuner.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="oversikt_xlsx",
    )
    st.caption(view.source)


def map_section(view: small_municipalities.Overview) -> None:
    """The map coloured by the chosen indicator (bound to ``?kartmal=``); a click on a municipality's
    dot opens its page."""
    st.subheader("Kart")
    indicator_id = st.selectbox(
        "Farg kartet etter",
        MAP_INDICATORS,
        format_func=lambda i: MAP_LABELS.get(i, i),
        key="kartmal",
        bind="query-params",
    )
    chart = shared_call(maps.browser_map, view.county_codes, indicator_id, view.limit)
    event = chart_block(chart, "kart", on_select=True)
    points = event.selection.get("points", []) if event is not None and hasattr(event, "selection") else []
    for point in points:
        code = point.get("location") or (point.get("customdata") or [None])[0]
        if code and code in view.labels:
            open_profile(code)
        elif code:
            st.info(
                f"Kommune {code} har {text.number(view.limit)} innbyggere eller flere og er ikke med i "
                "oversikten; den åpnes likevel."
            )
            open_profile(code)


def municipality_choice(view: small_municipalities.Overview) -> None:
    """A picker of the municipalities in the table; choosing one opens its page."""
    st.subheader("Åpne en kommune")
    picked = st.selectbox(
        "Kommune",
        list(view.labels),
        index=None,
        format_func=lambda code: view.labels.get(code, code),
        placeholder="Velg kommune …",
        key="oversikt_velg",
    )
    if picked:
        open_profile(picked)
