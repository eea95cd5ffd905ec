"""A gathering-mode deck as files to take along: PowerPoint (.pptx) with native, editable charts, and one
self-contained HTML file (plotly.js embedded, no network requests) that runs the slides with the same keys.

Both take their numbers, series and colours from the same ``build_view`` figures the app draws, so a
municipality has the same colour in the app, on the slides and in PowerPoint. No browser is needed.
"""

from __future__ import annotations

import html
import io
import json
import math

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Emu, Inches, Pt

from nokkeltall.compare import figures as compare_figures
from nokkeltall.compare import projected, slides

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
DASHES = {
    "dash": MSO_LINE_DASH_STYLE.DASH,
    "dot": MSO_LINE_DASH_STYLE.ROUND_DOT,
    "dashdot": MSO_LINE_DASH_STYLE.DASH_DOT,
}
FOOTER_NAME = "Kilde"
SUBTITLE_NAME = "Undertittel"


def _views(con, deck: slides.Deck) -> list[compare_figures.View]:
    return [
        compare_figures.build_view(con, s.view, s.indicator_id, s.codes, s.base_year, False)
        for s in deck.slides
    ]


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _rgb(colour) -> RGBColor | None:
    text = str(colour or "").lstrip("#")
    return RGBColor.from_string(text.upper()) if len(text) == 6 else None


def _number_format(indicator_id: str, view: str) -> str:
    decimals = 1 if view == "indeks" else projected.lookup(indicator_id).decimals
    return "#,##0" + ("." + "0" * decimals if decimals else "")


# --- PowerPoint -----------------------------------------------------------------------------------


def _line_chart(shapes, figure: go.Figure, number_format: str, box):
    traces = [t for t in figure.data if t.type == "scatter"]
    years = sorted({int(x) for t in traces for x in t.x})
    data = CategoryChartData(number_format=number_format)
    data.categories = [str(y) for y in years]
    for trace in traces:
        by_year = {int(x): _number(y) for x, y in zip(trace.x, trace.y, strict=True)}
        data.add_series(trace.name, [by_year.get(y) for y in years])
    chart = shapes.add_chart(XL_CHART_TYPE.LINE_MARKERS, *box, data).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    for series, trace in zip(chart.plots[0].series, traces, strict=True):
        series.smooth = False
        line = series.format.line
        colour = _rgb(trace.line.color)
        if colour is not None:
            line.color.rgb = colour
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
        line.width = Pt(2.5)
        if trace.line.dash in DASHES:
            line.dash_style = DASHES[trace.line.dash]
    return chart


def _bar_chart(shapes, figure: go.Figure, number_format: str, box, series_name: str):
    trace = next(t for t in figure.data if t.type == "bar")
    horizontal = trace.orientation == "h"
    categories = list(trace.y if horizontal else trace.x)
    values = [_number(v) for v in (trace.x if horizontal else trace.y)]
    data = CategoryChartData(number_format=number_format)
    data.categories = [str(c) for c in categories]
    data.add_series(series_name, values)
    kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    chart = shapes.add_chart(kind, *box, data).chart
    chart.has_legend = False
    plot = chart.plots[0]
    plot.gap_width = 40 if horizontal else 80
    if not horizontal:
        plot.has_data_labels = True
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
    colours = trace.marker.color
    colours = list(colours) if isinstance(colours, (list, tuple)) else [colours] * len(values)
    for point, colour in zip(plot.series[0].points, colours, strict=False):
        rgb = _rgb(colour)
        if rgb is not None:
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = rgb
    if horizontal:
        chart.category_axis.tick_labels.font.size = Pt(9)
    return chart


def _text_box(slide, box, text: str, size: int, *, name: str, bold: bool = False, colour: str = "222222"):
    shape = slide.shapes.add_textbox(*box)
    shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = RGBColor.from_string(colour)
    return shape


def _pptx_slide(prs, slide_spec: slides.Slide, view: compare_figures.View) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # «Title Only»: the finding is the title
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.3), WIDTH - 2 * MARGIN, Inches(1.3)
    title.text = view.finding or view.title
    for paragraph in title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(26)
    _text_box(
        slide,
        (MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(0.4)),
        view.title,
        16,
        name=SUBTITLE_NAME,
        colour="555555",
    )
    footer = " · ".join([view.source, *view.notes])
    _text_box(
        slide,
        (MARGIN, HEIGHT - Inches(0.75), WIDTH - 2 * MARGIN, Inches(0.55)),
        footer,
        11,
        name=FOOTER_NAME,
        colour="444444",
    )
    box = (MARGIN, Inches(2.05), WIDTH - 2 * MARGIN, HEIGHT - Inches(2.05) - Inches(0.85))
    number_format = _number_format(slide_spec.indicator_id, slide_spec.view)
    if not view.figure.data:
        _text_box(slide, box, "Ingen tall å vise for dette utvalget.", 20, name="Mangler")
    elif slide_spec.view in ("linjer", "indeks"):
        _line_chart(slide.shapes, view.figure, number_format, box)
    else:
        _bar_chart(slide.shapes, view.figure, number_format, box, view.title)


def pptx_bytes(con, deck: slides.Deck, views: list[compare_figures.View] | None = None) -> bytes:
    """One 16:9 slide per figure: the finding as title, a native chart, the source line as footer.

    ``views``: the slides' ``build_view(…, presentation=False)`` results when the caller has them cached."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(WIDTH), Emu(HEIGHT)
    prs.core_properties.title = deck.name or "Nøkkeltall"
    for slide_spec, view in zip(deck.slides, views or _views(con, deck), strict=True):
        _pptx_slide(prs, slide_spec, view)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- one self-contained HTML file -----------------------------------------------------------------

HTML_CSS = """
:root { --u: min(calc(100vw / 1280), calc(100vh / 720)); }
html, body { margin: 0; height: 100%; overflow: hidden; color: #222;
  font-family: Helvetica, Arial, sans-serif; }
main { box-sizing: border-box; height: 100vh; display: flex; flex-direction: column;
  gap: calc(6 * var(--u)); padding: calc(10 * var(--u)) calc(24 * var(--u)) calc(8 * var(--u)); }
.slide-title { font-size: max(24px, calc(30 * var(--u))); font-weight: 700; line-height: 1.15; margin: 0; }
.slide-finding { font-size: max(22px, calc(26 * var(--u))); line-height: 1.25; font-weight: 500; margin: 0; }
.slide-chart { flex: 1 1 0; min-height: 120px; }
.slide-meta { font-size: max(15px, calc(16 * var(--u))); line-height: 1.25; color: #444; margin: 0; }
nav { display: flex; align-items: center; gap: calc(12 * var(--u)); }
nav button { font-size: max(16px, calc(20 * var(--u))); padding: calc(6 * var(--u)) calc(16 * var(--u)); }
#count { flex: 1; font-size: max(16px, calc(20 * var(--u))); }
"""

HTML_JS = """
const GO = {ArrowRight: 1, PageDown: 1, " ": 1, n: 1, N: 1, ArrowLeft: -1, PageUp: -1, p: -1, P: -1};
let current = 1;
function fromHash() {
  const match = /lysbilde=(\\d+)/.exec(location.hash);
  const number = match ? parseInt(match[1], 10) : 1;
  return number >= 1 && number <= SLIDES.length ? number : 1;
}
function scaled(layout) {
  const raw = Math.min(innerWidth / 1280, innerHeight / 720);
  const scale = Math.min(4, Math.max(0.75, Math.round(raw * 4) / 4));
  const size = Math.max(16, Math.round(18 * scale));  // as slides.font_size
  const out = JSON.parse(JSON.stringify(layout));
  delete out.height; out.autosize = true;
  out.font = Object.assign(out.font || {}, {size});
  out.legend = Object.assign(out.legend || {}, {font: {size}});
  for (const key of Object.keys(out)) {
    if (/^[xy]axis/.test(key)) {
      out[key].tickfont = Object.assign(out[key].tickfont || {}, {size});
      if (out[key].title) out[key].title.font = Object.assign(out[key].title.font || {}, {size});
    }
  }
  return out;
}
function show(number) {
  current = Math.min(Math.max(number, 1), SLIDES.length);
  const slide = SLIDES[current - 1];
  document.getElementById("title").textContent = slide.title;
  document.getElementById("finding").textContent = slide.finding;
  document.getElementById("meta").textContent = slide.meta;
  document.getElementById("count").textContent = "Lysbilde " + current + " av " + SLIDES.length + DECK_NAME;
  document.getElementById("previous").disabled = current <= 1;
  document.getElementById("next").disabled = current >= SLIDES.length;
  const target = "#lysbilde=" + current;
  if (location.hash !== target) history.replaceState(null, "", target);
  Plotly.react("chart", slide.figure.data, scaled(slide.figure.layout),
               {displayModeBar: false, responsive: true, displaylogo: false});
}
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  let target = null;
  if (event.key in GO) target = current + GO[event.key];
  if (event.key === "Home") target = 1;
  if (event.key === "End") target = SLIDES.length;
  if (target === null) return;
  event.preventDefault();
  show(target);
});
document.addEventListener("keyup", (event) => { if (event.key === " ") event.preventDefault(); });
document.getElementById("previous").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
let timer = null;
window.addEventListener("resize", () => {
  clearTimeout(timer);
  timer = setTimeout(() => show(current), 200);
});
window.addEventListener("hashchange", () => show(fromHash()));
show(fromHash());
"""


def _script_json(value) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def html_bytes(con, deck: slides.Deck) -> bytes:
    """The deck as one HTML file that works offline in any browser: same slides, same keys, #lysbilde=N."""
    items = []
    for slide_spec in deck.slides:
        view = compare_figures.build_view(
            con, slide_spec.view, slide_spec.indicator_id, slide_spec.codes, slide_spec.base_year, True
        )
        figure = json.loads(pio.to_json(slides.presented(view.figure), validate=False))
        items.append(
            {
                "title": view.title,
                "finding": view.finding or "Ingen tall å vise for dette utvalget.",
                "meta": " · ".join(m for m in [view.source, *view.notes, deck.note] if m),
                "figure": figure,
            }
        )
    name = html.escape(deck.name or "Nøkkeltall")
    page = f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title><style>{HTML_CSS}</style>
<script>{get_plotlyjs()}</script></head>
<body><main>
<p class="slide-title" id="title"></p><p class="slide-finding" id="finding"></p>
<div class="slide-chart" id="chart"></div><p class="slide-meta" id="meta"></p>
<nav><button id="previous" type="button">◀ Forrige</button><span id="count"></span>
<button id="next" type="button">Neste ▶</button></nav>
</main>
<script>const SLIDES = {_script_json(items)};
const DECK_NAME = {_script_json(" · " + deck.name if deck.name else "")};
{HTML_JS}</script></body></html>"""
    return page.encode("utf-8")
