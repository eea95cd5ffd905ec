"""Samlingsmodus: one figure per screen with a one-sentence finding, large type for a projector,
previous/next, the slide number in the URL (?lysbilde=3). Works offline: all data is local.

Decks: ?sett=befolkning (ready deck for the network municipalities), ?sett=<id> (a saved deck),
or the current comparison (?kommuner=…&indikatorer=…&visning=…&basisaar=…)."""

import html

import streamlit as st

from nokkeltall import indicators
from nokkeltall.compare import choices, slides
from nokkeltall.compare import figures as compare_figures
from nokkeltall.store.database import NotFoundError
from nokkeltall.ui import data as ui_data
from nokkeltall.ui import gathering
from nokkeltall.ui import store as ui_store
from nokkeltall.ui.data import DataUnavailable, cached_call, query
from nokkeltall.ui.frame import ensure_app_navigation
from nokkeltall.ui.widgets import safe_text

ensure_app_navigation()

# The sidebar is hidden with CSS (set_page_config belongs to app.py); type is large for the back row.
st.markdown(
    """<style>
    [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
    [data-testid="stSidebarNav"] { display: none !important; }
    .block-container { padding-top: 1.2rem; max-width: 100%; }
    .slide-title { font-size: 2.6rem; font-weight: 700; line-height: 1.15; margin: 0 0 .4rem 0; }
    .slide-finding { font-size: 2.0rem; line-height: 1.3; font-weight: 500; margin: 0 0 .6rem 0; }
    .slide-meta { font-size: 1.3rem; color: #444; }
    [data-testid="stBaseButton-secondary"] p { font-size: 1.5rem; }
    </style>""",
    unsafe_allow_html=True,
)

try:
    all_codes = query("municipalities")["municipality_code"].tolist()
except DataUnavailable as error:
    st.error(str(error))
    st.stop()

params = st.query_params
problems: list[str] = []
deck_store = ui_store.deck_store()
chosen_set = params.get("sett")
opened = None  # the saved deck on screen (for its version when it is saved again)

if chosen_set == slides.READY_DECK_KEY:
    network = [c for c in slides.network_codes(ui_store.user_store().list_applications()) if c in set(all_codes)]
    deck = slides.ready_deck(network)
elif chosen_set:
    try:
        opened = deck_store.get(int(chosen_set))
        deck = slides.deck_from_list(opened["name"], opened["slides"], all_codes)
    except (ValueError, OverflowError, NotFoundError):
        deck = slides.Deck("", [], [f"Fant ikke lysbildesettet «{safe_text(chosen_set, 30)}»."])
else:
    codes, found = choices.parse_codes(params.get("kommuner"), all_codes)
    problems += found
    ids, found = choices.parse_indicators(params.get("indikatorer"))
    problems += found
    view, found = choices.parse_view(params.get("visning"))
    problems += found
    base_year, found = choices.parse_base_year(params.get("basisaar"), cached_call(choices.indicator_years, "population"))
    problems += found
    if len(codes) < choices.MIN_MUNICIPALITIES or not ids:
        deck = slides.Deck("", [], ["Velg et lysbildesett under, eller åpne samlingsmodus fra «Sammenlign» med "
                                   "minst to kommuner og én indikator."] if not problems else [])
    else:
        deck = slides.deck_from_comparison(codes, ids, view, base_year)
problems += deck.problems

position, problem = slides.slide_position(params.get("lysbilde"), len(deck.slides))
if problem and deck.slides:
    problems.append(problem)
for message in problems:
    st.warning(message, icon="⚠️")


def go_to(number: int) -> None:
    st.query_params["lysbilde"] = str(number)


if deck.slides:
    slide = deck.slides[position - 1]
    indicator = indicators.get(slide.indicator_id)
    result = getattr(ui_data, "shared_call", cached_call)(compare_figures.build_view, slide.view, slide.indicator_id, tuple(slide.codes),
                         slide.base_year, True)
    st.markdown(f'<div class="slide-title">{html.escape(result.title)}</div>', unsafe_allow_html=True)
    st.markdown(f'<div class="slide-finding">{html.escape(result.finding or "Ingen tall å vise for dette utvalget.")}</div>',
                unsafe_allow_html=True)
    st.plotly_chart(result.figure, width="stretch", theme=None, config={"displaylogo": False, "displayModeBar": False},
                    key=f"slide_{position}")
    st.markdown(f'<div class="slide-meta">{html.escape(result.source)}'
                + (f" · {html.escape(' '.join(result.notes))}" if result.notes else "") + "</div>",
                unsafe_allow_html=True)
    controls = st.columns([1, 2, 1])
    controls[0].button("◀ Forrige", on_click=go_to, args=(position - 1,), disabled=position <= 1,
                       width="stretch", key="previous")
    controls[1].markdown(f'<div class="slide-meta" style="text-align:center">Lysbilde {position} av '
                         f'{len(deck.slides)}{" · " + html.escape(deck.name) if deck.name else ""}</div>',
                         unsafe_allow_html=True)
    controls[2].button("Neste ▶", on_click=go_to, args=(position + 1,), disabled=position >= len(deck.slides),
                       width="stretch", key="next")

# --- choose, save and reopen decks ----------------------------------------------------------------
gathering.deck_section(deck, opened, deck.name if chosen_set else "")
