"""Decks for the gathering mode: a deck is a named list of slides, each one figure
(indicator × municipalities × view) with its one-sentence finding.

Decks are built from the current comparison or are one of the ready decks (a municipality against its
most similar municipalities and its county; the network municipalities); they are saved in the user-data
file (``nokkeltall.store.decks``). ``slide_view`` is one slide's figure, sized for a screen of any size."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import plotly.graph_objects as go

from nokkeltall import indicators, queries
from nokkeltall.compare import choices, projected, similarity
from nokkeltall.compare import figures as compare_figures
from nokkeltall.compare import series as compare_series

READY_DECK_KEY = "befolkning"
READY_DECK_NAME = "Befolkning i nettverkskommunene"
MUNICIPALITY_DECK_KEY = "kommune"
READY_DECKS = {
    MUNICIPALITY_DECK_KEY: "Kommunen og de mest like (den sist valgte)",
    READY_DECK_KEY: READY_DECK_NAME,
}
SIMILAR_COUNT = 3
DEFAULT_COUNTY = "18"  # Nordland, when no municipality or county has been chosen yet
# (indicator, view) of the ready deck, in presentation order.
READY_DECK_SLIDES = (
    ("population", "indeks"),
    ("population_change_10y_pct", "stolper"),
    ("share_67_plus_pct", "stolper"),
    ("share_0_19_pct", "stolper"),
    ("median_age", "stolper"),
    ("population", "rangering"),
)
MUNICIPALITY_DECK_SLIDES = (  # the index first: the county's line is drawn beside the municipalities
    ("population", "indeks"),
    ("population", "linjer"),
    ("population_change_10y_pct", "stolper"),
    ("share_67_plus_pct", "stolper"),
    ("median_age", "stolper"),
    ("population", "rangering"),
)


@dataclass(frozen=True)
class Slide:
    indicator_id: str
    codes: tuple[str, ...]
    view: str = choices.DEFAULT_VIEW
    base_year: int | None = None


@dataclass
class Deck:
    name: str
    slides: list[Slide] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    note: str = ""  # said on every slide (e.g. which municipalities stand in for the network)

    def to_list(self) -> list[dict]:
        return [{**asdict(s), "codes": list(s.codes)} for s in self.slides]


def deck_from_comparison(
    codes,
    indicator_ids,
    view: str = choices.DEFAULT_VIEW,
    base_year: int | None = None,
    name: str = "Sammenligning",
) -> Deck:
    """One slide per chosen indicator, in the chosen view, for the chosen municipalities."""
    codes = tuple(codes)[: choices.MAX_MUNICIPALITIES]
    return Deck(name, [Slide(i, codes, view, base_year) for i in indicator_ids])


def network_codes(applications: list[dict]) -> list[str]:
    """Municipalities with an application marked «valgt», in number order."""
    return sorted({a["municipality_code"] for a in applications if a.get("status") == "valgt"})


def ready_deck(codes, name: str = READY_DECK_NAME, note: str = "") -> Deck:
    """«Befolkning i nettverkskommunene»; more than eight municipalities are split over several slides."""
    codes = list(codes)
    if not codes:
        return Deck(
            name,
            [],
            [
                "Ingen kommuner er valgt til nettverket ennå (ingen søknad har status "
                "«valgt»). Registrer dem under Søknader."
            ],
        )
    count = -(-len(codes) // choices.MAX_MUNICIPALITIES)
    size, extra = divmod(len(codes), count)  # balanced groups: 22 → 8, 7, 7
    bounds = [0]
    for number in range(count):
        bounds.append(bounds[-1] + size + (1 if number < extra else 0))
    groups = [tuple(codes[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    slides = [
        Slide(indicator_id, group, view) for indicator_id, view in READY_DECK_SLIDES for group in groups
    ]
    return Deck(name, slides, note=note)


def small_in_county(con, county: str) -> tuple[list[str], str]:
    """The county's municipalities under 2 500 inhabitants, smallest first, and the county's name."""
    frame = queries.municipalities(con)
    in_county = frame[frame["county_code"] == county]
    small = in_county[in_county["population"].notna() & (in_county["population"] < choices.SMALL_LIMIT)]
    name = in_county["county_name"].iloc[0] if not in_county.empty else county
    return small.sort_values(["population", "municipality_code"])["municipality_code"].tolist(), str(name)


def network_deck(con, network: list[str], county: str | None) -> Deck:
    """The network municipalities; until some are «valgt», the small municipalities of ``county``
    (said so on every slide)."""
    if network:
        return ready_deck(network)
    codes, county_name = small_in_county(con, county or DEFAULT_COUNTY)
    if not codes:
        codes, county_name = small_in_county(con, DEFAULT_COUNTY)
    note = (
        f"Ingen kommuner er valgt til nettverket ennå; settet viser de små kommunene i {county_name} "
        "(under 2 500 innbyggere)."
    )
    return ready_deck(codes, note=note)


def similar_codes(con, code: str, count: int = SIMILAR_COUNT) -> list[str]:
    """The ``count`` municipalities most like ``code`` (default weights, all municipalities)."""
    try:
        table, _ = similarity.similar_table(con, code, limit=count)
    except similarity.SimilarityError:
        return []
    return table["municipality_code"].tolist()[:count]


def municipality_deck(con, code: str) -> Deck:
    """``code`` against its three most similar municipalities and its county."""
    codes = (code, *similar_codes(con, code))
    name = compare_series.municipality_names(con, [code])[code]
    note = (
        f"{name} og de {len(codes) - 1} kommunene som ligner mest på den (se «Lignende kommuner» i "
        "Sammenlign), med fylket."
    )
    deck_slides = [Slide(indicator_id, codes, view) for indicator_id, view in MUNICIPALITY_DECK_SLIDES]
    return Deck(f"{name} og kommunene som ligner mest", deck_slides, note=note)


def deck_from_list(name: str, items: list[dict], known_codes) -> Deck:
    """Rebuild a saved deck, dropping (and naming) slides that no longer make sense."""
    known = set(known_codes)
    slides, problems = [], []
    for number, item in enumerate(items or [], start=1):
        indicator_id = item.get("indicator_id")
        view = item.get("view") or choices.DEFAULT_VIEW
        codes = tuple(c for c in item.get("codes") or [] if c in known)[: choices.MAX_MUNICIPALITIES]
        if not isinstance(indicator_id, str) or (
            indicator_id not in indicators.BY_ID and not projected.is_projected(indicator_id)
        ):
            problems.append(f"Lysbilde {number}: ukjent indikator «{indicator_id}» er utelatt.")
        elif view not in choices.VIEWS:
            problems.append(f"Lysbilde {number}: ukjent visning «{view}» er utelatt.")
        elif not codes:
            problems.append(f"Lysbilde {number}: ingen kjente kommuner; utelatt.")
        else:
            base_year = item.get("base_year")
            slides.append(Slide(indicator_id, codes, view, int(base_year) if base_year else None))
    return Deck(name, slides, problems)


def slide_position(raw, count: int) -> tuple[int, str | None]:
    """The 1-based slide number from ``?lysbilde=``; out of range or not a number → 1 and a message."""
    if raw is None or str(raw).strip() == "":
        return 1, None
    given = str(raw).strip()
    if (
        given.isascii() and given.isdigit() and len(given) <= 6 and 1 <= int(given) <= max(count, 1)
    ):  # not «²»
        return int(given), None
    shown = choices._shown(given)
    return 1, f"Lysbilde «{shown}» finnes ikke (settet har {count} lysbilder). Viser lysbilde 1."


# --- one slide on the screen ------------------------------------------------------------------------

BASE_FONT = 18  # px at 1280×720; the gathering page scales it with the screen
MIN_FONT = 16  # small screens (1024×768) keep the chart readable
MIN_HEIGHT = 160  # the chart stretches to the height left on the screen; this is only its floor


def screen_scale(raw) -> float:
    """The font scale the page measured (min(width/1280, height/720), in quarter steps), kept in 0.75–4."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return 1.0
    if value != value:  # NaN
        return 1.0
    return min(4.0, max(0.75, round(value * 4) / 4))


CHART_SHARE = 0.62  # the chart's share of the screen's height at 1280×720 (the rest: text and controls)


def _rank_rows(figure: go.Figure) -> int:
    """The number of rows of a rank slide (horizontal bars with only the chosen labelled), else 0."""
    if figure.layout.yaxis.tickmode != "array" or not figure.data or figure.data[0].orientation != "h":
        return 0
    return sum(len(trace.x) for trace in figure.data)


def font_size(scale: float) -> int:
    """The chart's text size in px for a screen of this scale."""
    return max(MIN_FONT, round(BASE_FONT * scale))


def presented(figure: go.Figure, scale: float = 1.0) -> go.Figure:
    """A copy of a presentation figure for one screen: fonts scaled, legend on top, no fixed height."""
    size = font_size(scale)
    fig = go.Figure(figure)
    fig.update_layout(
        height=MIN_HEIGHT,
        autosize=True,
        font=dict(size=size),
        margin=dict(l=round(10 * scale), r=round(20 * scale), t=round(10 * scale), b=round(10 * scale)),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, xanchor="left", font=dict(size=size)),
    )
    fig.update_xaxes(tickfont=dict(size=size), title_font=dict(size=size))
    fig.update_yaxes(tickfont=dict(size=size), title_font=dict(size=size))
    fig.update_traces(textfont=dict(size=size), selector=dict(type="bar"))
    rows = _rank_rows(fig)
    if rows:  # the rank slide's row labels: no taller than a row, so neighbours never overlap
        pitch = CHART_SHARE * 720 * scale / rows
        fig.update_yaxes(tickfont=dict(size=max(11, min(size, round(0.9 * pitch)))))
    if scale != 1.0:
        for trace in fig.data:
            if trace.type == "scatter":
                trace.line.width = (trace.line.width or 2) * scale
                if trace.marker.size:
                    trace.marker.size = trace.marker.size * scale
    return fig


def slide_view(
    con, view: str, indicator_id: str, codes: tuple[str, ...], base_year: int | None, scale: float = 1.0
) -> compare_figures.View:
    """Everything one slide shows: the view in presentation size, its figure fitted to the screen."""
    result = compare_figures.build_view(con, view, indicator_id, codes, base_year, True)
    result.figure = presented(result.figure, scale)
    return result
