"""Shared widgets: the municipality picker bound to ``?kommune=``, safe text, figure blocks."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import plotly.io
import streamlit as st
from plotly.basedatatypes import BaseFigure
from streamlit.elements.lib import pandas_styler_utils
from streamlit.proto.ArrowData_pb2 import ArrowData

from nokkeltall import spreadsheet, tables
from nokkeltall.ui.data import DataUnavailable, fingerprint, query

KOMMUNE_PARAM = "kommune"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def _visible(value) -> str:
    """``value`` without control and invisible format characters (NUL, RTL override, zero-width)."""
    return "".join(c for c in str(value) if unicodedata.category(c) not in ("Cc", "Cf") or c in "\n\t")


def safe_text(value, limit: int = 60) -> str:
    """User input made harmless for Markdown: control and invisible format characters (NUL, RTL
    override, zero-width) dropped, truncated, special characters escaped."""
    text = _visible(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def literal_label(value, limit: int = 80) -> str:
    """User text for a widget label that Streamlit reads as Markdown (``st.page_link``): every ASCII
    punctuation character as an HTML entity, so no Markdown (image, link, an address turned into a link)
    can form and no backslash shows. ``safe_text``'s escapes are shown literally inside addresses."""
    text = " ".join(_visible(value).split())
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join(f"&#{ord(c)};" if c.isascii() and not c.isalnum() and c != " " else c for c in text)


def municipality_options(county_codes: list[str] | None = None) -> pd.DataFrame:
    return query("municipalities", county_codes)


@st.cache_resource(show_spinner=False, max_entries=4)
def _picker_lookup(build: str) -> tuple[list[str], dict[str, str]]:
    """The picker's codes and labels («1835 Træna»), made once per database build: reading the cached
    frame (an unpickled copy) twice and labelling 357 rows took about 1 ms of every rerun."""
    options = municipality_options()
    codes = options["municipality_code"].tolist()
    labels = options["municipality_code"] + " " + options["official_name"]
    return codes, dict(zip(codes, labels, strict=False))


def _picker_options() -> tuple[list[str], dict[str, str]]:
    return _picker_lookup(fingerprint())


def municipality_label(row) -> str:
    return f"{row['municipality_code']} {row['official_name']}"


def municipality_from_url() -> tuple[str | None, str | None]:
    """(code, problem): the municipality named by ``?kommune=``, or a Norwegian message why not."""
    raw = st.query_params.get(KOMMUNE_PARAM)
    if raw is None:
        return None, None
    given = str(raw).strip()
    if not given:
        return None, "Adressen har et tomt kommunenummer. Velg en kommune i listen."
    _, labels = _picker_options()
    if re.fullmatch(r"\d{3,4}", given) and given.zfill(4) in labels:
        return given.zfill(4), None
    return None, f"Fant ingen kommune med nummer «{safe_text(given, 30)}». Velg en kommune i listen."


def municipality_picker(
    label: str = "Kommune", *, sidebar: bool = True, default: str | None = None
) -> str | None:
    """A select box of all municipalities whose value lives in the URL (``?kommune=1835``).

    Shows a clear message for an unknown or malformed number and lets the user choose again.
    """
    try:
        codes, labels = _picker_options()  # labels as municipality_label
    except DataUnavailable as error:
        st.error(str(error))
        return None
    code, problem = municipality_from_url()
    if problem:
        st.warning(problem, icon="⚠️")
    if code is None:
        code = st.session_state.get("_kommune") or default
    container = st.sidebar if sidebar else st
    chosen = container.selectbox(
        label,
        codes,
        index=codes.index(code) if code in codes else None,
        format_func=lambda c: labels.get(c, c),
        placeholder="Velg kommune …",
        key=f"kommune_picker_{'sidebar' if sidebar else 'main'}",
    )
    if chosen:
        st.session_state["_kommune"] = chosen
        if st.query_params.get(KOMMUNE_PARAM) != chosen:
            st.query_params[KOMMUNE_PARAM] = chosen
    return chosen


def source_caption(text: str) -> None:
    st.caption(text)


def figure_block(
    figure,
    table: pd.DataFrame,
    *,
    source: str,
    filename: str,
    key: str,
    note: str | None = None,
    on_select: bool = False,
    display: pd.DataFrame | None = None,
    title: str | None = None,
    subtitle: str | None = None,
):
    """A chart with its «Vis tabell» view, a CSV download of its numbers and its source line.

    With ``on_select=True`` a click on the chart reruns the page and the selection event is returned.
    """
    if title:
        st.markdown(f"**{title}**")
    if subtitle:
        st.caption(subtitle)
    event = st.plotly_chart(
        _dict_once(figure),
        width="stretch",
        config={"displaylogo": False},
        key=f"chart_{key}",
        on_select="rerun" if on_select else "ignore",
        selection_mode="points" if on_select else ("points", "box", "lasso"),
    )
    # The table is drawn only once the expander is opened (a rerun): a page of charts then loads
    # no data-grid code before its first chart, and reruns skip the Arrow conversion of every table.
    expander = st.expander("Vis tabell", key=f"table_{key}", on_change="rerun")
    with expander:
        if expander.open:
            if display is None:
                from nokkeltall.charts.style import format_table  # noqa: PLC0415

                display = format_table(table)
            st.dataframe(display, hide_index=True, width="stretch")
            st.download_button(
                "Last ned CSV",
                # made on click; counts as «444», not «444,0»; no cell can become a formula
                lambda: spreadsheet.csv_bytes(tables.rounded(table, default=None)),
                file_name=f"{filename}.csv",
                mime="text/csv",
                key=f"csv_{key}",
            )
    if note:
        st.caption(note)
    source_caption(source)
    return event if on_select else None


class _FrozenFigureDict(dict):
    """A figure's ``to_dict()`` kept by ``_dict_once``, with its JSON once it has been asked for."""

    __slots__ = ("json",)


def _dict_once(figure):
    """The figure with its ``to_dict()`` worked out once. ``st.plotly_chart`` asks for it on every
    rerun (a deep copy plus typed-array encoding: 3–6 ms a chart) and then for its JSON; figures
    from ``shared_call`` are the same object each rerun and never changed after they are built, so
    both answers are kept (the JSON by ``_json_once``)."""
    if isinstance(figure, BaseFigure) and "_nokkeltall_dict" not in vars(figure):
        as_dict = _FrozenFigureDict(figure.to_dict())
        object.__setattr__(figure, "_nokkeltall_dict", as_dict)
        object.__setattr__(figure, "to_dict", lambda: as_dict)
    return figure


def _json_once(to_json):
    """``plotly.io.to_json`` answering a kept figure dict (``_dict_once``) from its first answer:
    Streamlit encodes every chart's JSON anew on each rerun (1–3 ms a chart)."""

    def kept_to_json(fig, validate=True, pretty=False, remove_uids=True, engine=None):
        if not isinstance(fig, _FrozenFigureDict) or pretty or not remove_uids or engine is not None:
            return to_json(fig, validate=validate, pretty=pretty, remove_uids=remove_uids, engine=engine)
        try:
            return fig.json
        except AttributeError:
            fig.json = to_json(fig, validate=validate, remove_uids=True)
            return fig.json

    kept_to_json.kept = True  # type: ignore[attr-defined]
    return kept_to_json


if not getattr(plotly.io.to_json, "kept", False):  # once per process (the module may be reloaded)
    plotly.io.to_json = _json_once(plotly.io.to_json)


YEAR_COLUMNS = {"År", "Year", "year"}


def norwegian_styler(frame: pd.DataFrame, decimals: dict[str, int] | None = None, default_decimals: int = 1):
    """A Styler that shows numbers the Norwegian way («1 234», «12,5») while sorting stays numeric."""
    from nokkeltall import text  # noqa: PLC0415

    decimals = decimals or {}
    formats = {}
    for column in frame.columns:
        if column in YEAR_COLUMNS:
            continue
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            places = decimals.get(
                column, 0 if pd.api.types.is_integer_dtype(frame[column]) else default_decimals
            )
            formats[column] = lambda v, places=places: text.number(v, places)
    return frame.style.format(formats)


_DISPLAY_VALUES = "_nokkeltall_display_values"


def keep_display_values(styler, translated: dict) -> dict:
    """``translated`` (a frozen Styler's ``_translate()`` answer) with the Arrow bytes of its display
    values worked out once: Streamlit rebuilds them from it on every rerun (a string copy of the whole
    frame, then Arrow; about 5 ms for the overview's table). ``_display_values_once`` answers from them."""
    scratch = ArrowData()
    pandas_styler_utils._marshall_display_values(scratch, styler.data, translated)
    return {**translated, _DISPLAY_VALUES: scratch.styler.display_values}


def _display_values_once(marshall):
    def kept_marshall(proto, df, styles) -> None:
        kept = styles.get(_DISPLAY_VALUES) if isinstance(styles, dict) else None
        if kept is None:
            marshall(proto, df, styles)
        else:
            proto.styler.display_values = kept

    kept_marshall.kept = True  # type: ignore[attr-defined]
    return kept_marshall


def _install_display_values_once() -> None:
    current = getattr(pandas_styler_utils, "_marshall_display_values", None)
    if current is not None and not getattr(current, "kept", False):
        pandas_styler_utils._marshall_display_values = _display_values_once(current)


_install_display_values_once()


def chart_block(chart, key: str, *, on_select: bool = False):
    """``figure_block`` for a ``nokkeltall.charts.Chart`` (figure, table, source, note)."""
    return figure_block(
        chart.figure,
        chart.table,
        source=chart.source,
        filename=chart.filename,
        key=key,
        note=chart.note,
        on_select=on_select,
        display=chart.display,
        title=chart.title,
        subtitle=chart.subtitle,
    )
