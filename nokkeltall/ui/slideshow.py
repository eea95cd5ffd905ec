"""The sections of Samlingsmodus (pages/samlingsmodus.py): the slide screen, the keys, the deck in use,
and the deck menu (ready and saved decks, downloads, saving).

One slide fills the screen at any size: the page is a 100vh flex column in which the chart takes the
height left after the title, finding, source line and controls (``st.plotly_chart(height="stretch")``);
type is sized in CSS from the viewport. A small component (JavaScript, no network) listens for the keys
of a keyboard or presenter clicker on the whole document (no click into the page needed) and tells
Python the screen's font scale, so the chart's text grows with the screen too.
"""

from __future__ import annotations

import html

import streamlit as st

from nokkeltall.compare import choices, slides
from nokkeltall.compare import export as compare_export
from nokkeltall.compare import figures as compare_figures
from nokkeltall.store.database import NotFoundError
from nokkeltall.ui import data as ui_data
from nokkeltall.ui import gathering
from nokkeltall.ui import store as ui_store
from nokkeltall.ui.data import DataUnavailable, cached_call, query, shared_call
from nokkeltall.ui.widgets import safe_text

K_SCALE = "_slide_scale"
NO_FIGURES = "Ingen tall å vise for dette utvalget."
LAST_MUNICIPALITY = "_kommune"  # set by the municipality picker (nokkeltall.ui.widgets)
COMPARE_COUNTY = "cmp_fylke"  # «Fylket mitt» on the compare page

# 1u = 1 px at 1280×720, scaled with the screen (the smaller of width and height decides).
CSS = """
:root { --u: min(calc(100vw / 1280), calc(100vh / 720)); }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stSidebarNav"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"] { display: none !important; }
html, body, [data-testid="stAppViewContainer"], [data-testid="stMain"] { overflow: hidden !important; }
[data-testid="stMainBlockContainer"] { height: 100vh; max-width: 100% !important; box-sizing: border-box;
  padding: calc(10 * var(--u)) calc(24 * var(--u)) calc(8 * var(--u)) !important; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { height: 100%; flex-wrap: nowrap;
  gap: calc(6 * var(--u)); }
.st-key-slide_keys { display: none !important; }
.slide-title { font-size: max(24px, calc(30 * var(--u))); font-weight: 700; line-height: 1.15; margin: 0; }
.slide-finding { font-size: max(22px, calc(26 * var(--u))); line-height: 1.25; font-weight: 500; margin: 0; }
.slide-meta { font-size: max(15px, calc(16 * var(--u))); line-height: 1.25; color: #444; margin: 0; }
.st-key-slide_problems [data-testid="stAlertContainer"] { padding: calc(4 * var(--u)) calc(12 * var(--u)); }
.st-key-slide_problems p { font-size: max(15px, calc(16 * var(--u))); margin: 0; }
.slide-count { font-size: max(16px, calc(20 * var(--u))); white-space: nowrap; }
.st-key-slide_top { align-items: flex-start; flex-wrap: nowrap; }
.st-key-slide_top [data-testid="stPageLink"] a p { font-size: max(14px, calc(15 * var(--u))); color: #555; }
.st-key-slide_controls { align-items: center; flex-wrap: nowrap; }
.st-key-slide_controls button p { font-size: max(16px, calc(20 * var(--u))); }
.st-key-slide_controls button { min-height: calc(40 * var(--u)); padding: 0 calc(16 * var(--u)); }
"""

# Keys of a keyboard and of presenter clickers (which send PageDown/PageUp), on the whole document.
KEYS_JS = """
const GO = {ArrowRight: "next", PageDown: "next", " ": "next", n: "next", N: "next",
            ArrowLeft: "previous", PageUp: "previous", p: "previous", P: "previous",
            Home: "first", End: "last"};

function typing(target) {
  const tag = target && target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
}

function measuredScale() {
  const raw = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
  return Math.min(4, Math.max(0.75, Math.round(raw * 4) / 4));
}

export default function (component) {
  const { setTriggerValue, setStateValue, data } = component;
  const state = window.__nokkeltallSlides || (window.__nokkeltallSlides = {});
  if (state.keydown) document.removeEventListener("keydown", state.keydown, true);
  if (state.keyup) document.removeEventListener("keyup", state.keyup, true);
  if (state.resize) window.removeEventListener("resize", state.resize);
  state.keydown = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const go = GO[event.key];
    if (!go) return;
    event.preventDefault();
    event.stopPropagation();
    if (!event.repeat) setTriggerValue("go", go);
  };
  // Space on a focused button would click it as well: only the slide changes.
  state.keyup = (event) => { if (event.key === " " && !typing(event.target)) event.preventDefault(); };
  state.known = data && data.scale;  // what Python drew with (this function runs again when it changes)
  let timer = null;
  const report = () => {
    const scale = measuredScale();
    if (scale !== state.known) {
      state.known = scale;
      setStateValue("scale", scale);
    }
  };
  state.resize = () => { clearTimeout(timer); timer = setTimeout(report, 200); };
  document.addEventListener("keydown", state.keydown, true);
  document.addEventListener("keyup", state.keyup, true);
  window.addEventListener("resize", state.resize);
  report();
}
"""

_keys_component = st.components.v2.component("nokkeltall_slide_keys", js=KEYS_JS, html="<span></span>")


def _ignore() -> None:
    """Callback for the component's values (they are read from its result)."""


def page_style() -> None:
    st.html(f"<style>{CSS}</style>")


def keys() -> tuple[str | None, float]:
    """(the key pressed since the last run: next/previous/first/last or None, the screen's font scale)."""
    scale = slides.screen_scale(st.session_state.get(K_SCALE, 1.0))
    result = _keys_component(
        key="slide_keys",
        data={"scale": scale},
        default={"scale": scale},
        on_go_change=_ignore,
        on_scale_change=_ignore,
    )
    scale = slides.screen_scale(getattr(result, "scale", scale))
    st.session_state[K_SCALE] = scale
    return getattr(result, "go", None), scale


def moved(position: int, count: int, go: str | None) -> int:
    """The slide after a key: next/previous stop at the ends, first/last jump."""
    target = {"next": position + 1, "previous": position - 1, "first": 1, "last": count}.get(
        go or "", position
    )
    return min(max(target, 1), max(count, 1))


def position_param() -> str | None:
    return st.query_params.get("lysbilde")


def follow(position: int, count: int, go: str | None) -> int:
    """Apply a key to the slide number and write it to ``?lysbilde=`` when it changed."""
    target = moved(position, count, go)
    if go and (target != position or position_param() != str(target)):
        st.query_params["lysbilde"] = str(target)
    return target


# --- the deck in use ------------------------------------------------------------------------------


def _last_municipality(known: set[str]) -> str:
    """The municipality last looked at in this session (or ?kommune=), else the smallest one."""
    for code in (st.query_params.get("kommune"), st.session_state.get(LAST_MUNICIPALITY)):
        if code and str(code) in known:
            return str(code)
    frame = query("municipalities")
    small = frame[frame["population"].notna()].sort_values("population")
    return str(small["municipality_code"].iloc[0])


def _county(code: str) -> str:
    chosen = st.session_state.get(COMPARE_COUNTY)
    if chosen:
        return str(chosen)
    frame = query("municipalities")
    match = frame.loc[frame["municipality_code"] == code, "county_code"]
    return str(match.iloc[0]) if not match.empty else slides.DEFAULT_COUNTY


def ready_deck(key: str, known: set[str]) -> slides.Deck:
    """A ready deck: the municipality against its most similar ones, or the network municipalities."""
    code = _last_municipality(known)
    if key == slides.READY_DECK_KEY:
        network = [c for c in slides.network_codes(ui_store.user_store().list_applications()) if c in known]
        return cached_call(slides.network_deck, network, _county(code))
    return cached_call(slides.municipality_deck, code)


def _comparison_deck(params, all_codes: list[str]) -> tuple[slides.Deck | None, list[str]]:
    problems: list[str] = []
    codes, found = choices.parse_codes(params.get("kommuner"), all_codes)
    problems += found
    ids, found = choices.parse_indicators(params.get("indikatorer"))
    problems += found
    view, found = choices.parse_view(params.get("visning"))
    problems += found
    base_year, found = choices.parse_base_year(
        params.get("basisaar"), cached_call(choices.indicator_years, "population")
    )
    problems += found
    if len(codes) < choices.MIN_MUNICIPALITIES or not ids:
        problems.append(
            "Sammenligningen i adressen har for få kommuner (minst to) eller ingen indikator; "
            "viser et ferdig lysbildesett i stedet."
        )
        return None, problems
    return slides.deck_from_comparison(codes, ids, view, base_year), problems


def _saved_deck(chosen: str, all_codes: list[str]) -> tuple[slides.Deck | None, dict | None]:
    """(the saved deck, its row with ``version``), or (None, None) when there is none by that id."""
    try:
        saved = ui_store.deck_store().get(int(chosen))
    except (ValueError, OverflowError, NotFoundError):
        return None, None
    return slides.deck_from_list(saved["name"], saved["slides"], all_codes), saved


def current_deck() -> tuple[slides.Deck, str, list[str], dict | None]:
    """(the deck the address names, its key for ``?sett=``, Norwegian problems, the saved deck's row when
    one is open). Never empty: an unknown or empty deck says so and the ready deck for the last
    municipality is shown instead."""
    try:
        all_codes = query("municipalities")["municipality_code"].tolist()
    except DataUnavailable as error:
        st.error(str(error))
        st.stop()
    known = set(all_codes)
    params = st.query_params
    chosen = params.get("sett")
    deck, problems, opened = None, [], None
    given = params.get("kommune")
    if given is not None and str(given) not in known:
        problems.append(
            f"Fant ingen kommune med nummer «{choices._shown(str(given))}»; viser den sist valgte."
        )
    if chosen in (slides.READY_DECK_KEY, slides.MUNICIPALITY_DECK_KEY):
        deck = ready_deck(chosen, known)
    elif chosen:
        deck, opened = _saved_deck(chosen, all_codes)
        if deck is None:
            problems.append(
                f"Fant ikke lysbildesettet «{safe_text(chosen, 30)}»; viser et ferdig sett i stedet."
            )
    elif params.get("kommuner") or params.get("indikatorer"):
        deck, problems = _comparison_deck(params, all_codes)
    if deck is not None:
        problems += deck.problems
        if not deck.slides:
            problems.append(
                f"Lysbildesettet «{safe_text(deck.name, 60)}» er tomt; viser et ferdig sett i stedet."
            )
            deck, opened = None, None
    if deck is None:
        chosen = slides.MUNICIPALITY_DECK_KEY
        deck = ready_deck(chosen, known)
    return deck, chosen or "", problems, opened


# --- one slide ------------------------------------------------------------------------------------


def _back_link(slide: slides.Slide) -> None:
    st.page_link(
        "pages/sammenlign.py",
        label="⬅ Tilbake til appen",
        query_params={
            "kommuner": ",".join(slide.codes[: choices.MAX_MUNICIPALITIES]),
            "indikatorer": slide.indicator_id,
            "visning": slide.view,
            **({"basisaar": str(slide.base_year)} if slide.base_year else {}),
        },
    )


def show_slide(deck: slides.Deck, position: int, scale: float, problems: list[str]) -> None:
    """Title, finding, chart, source line and any problems, filling the screen."""
    slide = deck.slides[position - 1]
    result = shared_call(
        slides.slide_view, slide.view, slide.indicator_id, tuple(slide.codes), slide.base_year, scale
    )
    top = st.container(horizontal=True, key="slide_top", gap="medium")
    top.html(f'<p class="slide-title">{html.escape(result.title)}</p>', width="stretch")
    with top:
        _back_link(slide)
    st.html(f'<p class="slide-finding">{html.escape(result.finding or NO_FIGURES)}</p>')
    if problems:  # compact warnings (Markdown: the messages are already made safe for it)
        with st.container(key="slide_problems", gap=None):
            for message in problems:
                st.warning(message, icon="⚠️")
    st.plotly_chart(
        result.figure,
        height="stretch",
        theme=None,
        key="slide_chart",
        config={"displaylogo": False, "displayModeBar": False, "responsive": True},
    )
    meta = [result.source, *result.notes, *([deck.note] if deck.note else [])]
    st.html(f'<p class="slide-meta">{html.escape(" · ".join(m for m in meta if m))}</p>')


def _go_to(number: int) -> None:
    st.query_params["lysbilde"] = str(number)


def controls(deck: slides.Deck, position: int, chosen: str, opened: dict | None) -> None:
    """◀ Forrige, «Lysbilde n av N · name», Neste ▶ and the deck menu, in one row at the bottom."""
    count = len(deck.slides)
    row = st.container(horizontal=True, key="slide_controls", gap="small")
    row.button("◀ Forrige", on_click=_go_to, args=(position - 1,), disabled=position <= 1, key="previous")
    row.html(
        f'<span class="slide-count">Lysbilde {position} av {count}'
        f"{' · ' + html.escape(deck.name) if deck.name else ''}</span>",
        width="stretch",
    )
    row.button("Neste ▶", on_click=_go_to, args=(position + 1,), disabled=position >= count, key="next")
    with row.popover("☰ Sett og nedlasting"):
        deck_menu(deck, chosen, opened)


# --- the deck menu --------------------------------------------------------------------------------


def _pptx(deck: slides.Deck) -> bytes:
    """Made on click, from the figures the compare page and earlier downloads have cached."""
    views = [
        shared_call(compare_figures.build_view, s.view, s.indicator_id, tuple(s.codes), s.base_year)
        for s in deck.slides
    ]
    from nokkeltall.compare import slide_files  # here: python-pptx, lxml and xlsxwriter on click only

    with ui_data.cursor() as cursor:
        return slide_files.pptx_bytes(cursor, deck, views)


def _html(deck: slides.Deck) -> bytes:
    from nokkeltall.compare import slide_files

    with ui_data.cursor() as cursor:
        return slide_files.html_bytes(cursor, deck)


def deck_menu(deck: slides.Deck, chosen: str, opened: dict | None) -> None:
    """«Last ned som PowerPoint/HTML», then the ready and saved decks and saving this one."""
    stem = compare_export.file_name([deck.name or "lysbilder"], "samlingsmodus", "x").removesuffix(".x")
    st.download_button(
        "Last ned som PowerPoint",
        data=lambda: _pptx(deck),
        file_name=f"{stem}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="download_pptx",
        on_click="ignore",
    )
    st.download_button(
        "Last ned som HTML",
        data=lambda: _html(deck),
        file_name=f"{stem}.html",
        mime="text/html",
        key="download_html",
        on_click="ignore",
    )
    gathering.deck_section(deck, opened, deck.name if chosen else "")
