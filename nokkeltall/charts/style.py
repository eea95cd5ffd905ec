"""The common look of every figure: colours, font, the ``Chart`` bundle (figure, finding, table,
source, note), layout and title helpers, and table formatting."""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from nokkeltall import text

# Municipalities (Okabe–Ito: distinguishable for colour-blind readers and on a washed-out projector). The
# chosen municipality always gets the first colour; ``municipality_colours`` is the one place colours are
# handed out, so a municipality keeps its colour in every chart, slide and PowerPoint of one selection.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31")
MUNICIPALITY_COLOUR = PALETTE[0]
# County and country are always the same grey styles (lines: dashed and dotted; bars: grey).
COUNTY_COLOUR = "#666666"
COUNTRY_COLOUR = "#222222"
REFERENCE_STYLE = {
    "fylke": dict(color=COUNTY_COLOUR, dash="dash"),
    "land": dict(color=COUNTRY_COLOUR, dash="dot"),
}
REFERENCE_BAR_COLOUR = "#9a9a9a"
PEER_COLOUR = "#BBBBBB"  # the other small municipalities in the rank view
EARLIER_COLOUR = "#9ecae1"
SECOND_COLOUR = PALETTE[1]  # a second series of one municipality (e.g. in-commuters next to out-commuters)
SERIES_COLOURS = ["#1f4e79", "#2ca02c", "#d9822b", "#b03a2e"]  # several indicators of one municipality
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
COUNTRY = "hele landet"


def municipality_colours(codes) -> dict[str, str]:
    """Colour per municipality number, in the order chosen: the first (chosen) municipality gets
    ``PALETTE[0]``. Lines, bars, index and rank views, slides and PowerPoint all ask here."""
    ordered = list(dict.fromkeys(str(code) for code in codes))
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(ordered)}


# Kinds of charts (2-D, with their own colours) that are sent with a cut-down template (``lean_template``).
_LEAN_TRACE_TYPES = frozenset({"scatter", "bar"})


@dataclass
class Chart:
    """A figure with everything shown around it."""

    figure: go.Figure
    table: pd.DataFrame  # Norwegian column names; the numbers the figure draws
    title: str  # the finding, as a sentence
    source: str  # «Kilde: …»
    filename: str  # for the CSV download (no extension)
    note: str | None = None  # recalculated values, caveats
    values: dict = field(default_factory=dict)  # key numbers (for tests and reports)
    display: pd.DataFrame | None = None  # ``table`` with Norwegian number text (built once)

    def __post_init__(self):
        if self.display is None:
            self.display = format_table(self.table)
        if {trace.type for trace in self.figure.data} <= _LEAN_TRACE_TYPES:
            lean_template(self.figure)

    @property
    def subtitle(self) -> str | None:
        meta = self.figure.layout.meta
        return meta.get("subtitle") if isinstance(meta, dict) else None


YEAR_COLUMNS = {"År", "Kommunenr.", "Nr."}


def format_table(frame: pd.DataFrame, decimals: dict[str, int] | None = None) -> pd.DataFrame:
    """A copy for display: numbers as Norwegian text («1 234», «12,5», «–» for missing), years untouched."""
    decimals = decimals or {}
    shown = frame.copy()
    for column in shown.columns:
        series = shown[column]
        if (
            column in YEAR_COLUMNS
            or not pd.api.types.is_numeric_dtype(series)
            or pd.api.types.is_bool_dtype(series)
        ):
            continue
        places = decimals.get(column)
        if places is None:
            places = (
                0
                if pd.api.types.is_integer_dtype(series)
                else (3 if "indeks)" in str(column).lower() and series.abs().max() < 10 else 1)
            )
        shown[column] = [text.number(v, places) for v in series]
    return shown


def wrap_title(sentence: str, width: int = 80) -> str:
    return "<br>".join(textwrap.wrap(sentence, width=width)) or sentence


def _flag(value) -> str:
    return "omregnet" if bool(value) and not pd.isna(value) else ""


# --- layout ------------------------------------------------------------------------------------


def style(
    figure: go.Figure,
    title: str,
    *,
    subtitle: str | None = None,
    height: int = 360,
    y_title: str | None = None,
    legend: bool = True,
) -> go.Figure:
    """Common look: Norwegian separators, legend on top, no title inside the figure.

    The finding (``title``) and ``subtitle`` are kept in ``layout.meta``: the app shows them as text
    above the chart (it wraps on any screen); ``titled`` puts them into the figure for exports.
    """
    figure.update_layout(
        meta={"finding": title, "subtitle": subtitle},
        separators=", ",
        font=dict(family=FONT, size=13, color="#222"),
        template="plotly_white",
        height=height,
        margin=dict(l=10, r=10, t=40 if legend else 10, b=10),
        hovermode="x unified",
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"),
        hoverlabel=dict(font=dict(family=FONT)),
    )
    figure.update_yaxes(title_text=y_title, tickformat=",~r", separatethousands=True)
    return figure


# Parts of the «plotly_white» template that only other kinds of charts read: polar, ternary, 3-D and map
# subplots, and the colour scales of heatmaps and colour bars.
_TEMPLATE_ELSEWHERE = ("polar", "ternary", "scene", "geo", "coloraxis", "colorscale")


@functools.cache
def _lean_template(trace_types: frozenset[str]) -> go.layout.Template:
    full = pio.templates["plotly_white"].to_plotly_json()
    layout = {k: v for k, v in full["layout"].items() if k not in _TEMPLATE_ELSEWHERE}
    data = {kind: traces for kind, traces in full["data"].items() if kind in trace_types}
    return go.layout.Template(layout=layout, data=data)


def lean_template(figure: go.Figure) -> go.Figure:
    """The figure with «plotly_white» cut down to what its own trace types and 2-D axes read: it draws the
    same, and the browser is sent about 1 kB of template instead of 7 kB (a figure sent on every rerun is
    serialised, hashed and sent in full each time)."""
    figure.update_layout(template=_lean_template(frozenset(trace.type for trace in figure.data)))
    return figure


def titled(figure: go.Figure, width: int = 80) -> go.Figure:
    """A copy of the figure with its finding and subtitle as the Plotly title (for images and reports)."""
    meta = figure.layout.meta or {}
    copy = go.Figure(figure)
    finding = wrap_title(meta.get("finding") or "", width)
    subtitle = wrap_title(meta["subtitle"], int(width * 1.3)) if meta.get("subtitle") else None
    lines = finding.count("<br>") + 1 + (subtitle.count("<br>") + 1 if subtitle else 0)
    copy.update_layout(
        title=dict(
            text=finding,
            x=0,
            xanchor="left",
            font=dict(size=15),
            subtitle=dict(text=subtitle, font=dict(size=12, color="#555")) if subtitle else None,
        ),
        margin=dict(t=(copy.layout.margin.t or 10) + 24 * lines),
        legend=dict(y=-0.12, yanchor="top"),
    )
    return copy


def _line(x, y, name, colour, *, width=3, dash=None, hover=None, customdata=None) -> go.Scatter:
    return go.Scatter(
        x=list(x),
        y=list(y),
        name=name,
        mode="lines+markers",
        line=dict(color=colour, width=width, dash=dash),
        marker=dict(size=5 if width >= 3 else 4),
        hovertemplate=hover,
        customdata=customdata,
    )


def _year_axis(figure: go.Figure) -> None:
    figure.update_xaxes(tickformat="d", dtick=None, showgrid=False)
