"""Decks as files and the colours they share with the app: the PowerPoint read back with python-pptx
(slides, titles, footers, native charts whose values are the query layer's), the self-contained HTML deck,
one colour per municipality in every view, ready decks and the slide screen's helpers."""

from __future__ import annotations

import io
import re

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from nokkeltall import queries
from nokkeltall.charts import population as population_charts
from nokkeltall.charts import style as chart_style
from nokkeltall.compare import figures as compare_figures
from nokkeltall.compare import series as compare_series
from nokkeltall.compare import slide_files, slides

CODES = ("5043", "1835", "1875")
VIEWS = ("linjer", "stolper", "indeks", "rangering")


def _colours_by_name(figure) -> dict[str, str]:
    """Municipality name → colour as drawn (lines: the trace; bars and ranks: the bar)."""
    out = {}
    for trace in figure.data:
        if trace.type == "scatter":
            out[trace.name] = trace.line.color
        else:
            labels = trace.y if trace.orientation == "h" else trace.x
            for label, colour in zip(labels, trace.marker.color, strict=True):
                name = re.sub(r"^\d+\. ", "", str(label)).removesuffix(" *")
                out[name] = colour
    return out


def test_one_colour_per_municipality_in_every_view(con):
    names = compare_series.municipality_names(con, CODES)
    expected = {names[c]: colour for c, colour in chart_style.municipality_colours(CODES).items()}
    assert expected["Røyrvik"] == chart_style.PALETTE[0]  # the first chosen gets the first colour
    for view in VIEWS:
        for presentation in (False, True):
            result = compare_figures.build_view(con, view, "population", CODES, 2016, presentation)
            if presentation and view == "rangering":  # one trace per chosen municipality, named in the legend
                drawn = {
                    re.sub(r"^\d+\. ", "", t.name).removesuffix(" *"): t.marker.color
                    for t in result.figure.data[1:]
                }
            else:
                drawn = _colours_by_name(result.figure)
            for name, colour in expected.items():
                assert drawn.get(name) == colour, (view, presentation, name)


def test_reference_lines_are_the_same_grey_styles_everywhere(con):
    result = compare_figures.build_view(con, "indeks", "population", ["1835", "5043"], 2016)
    styles = {t.name: (t.line.color, t.line.dash) for t in result.figure.data if t.line.dash}
    assert styles["Nordland"] == (chart_style.COUNTY_COLOUR, "dash")
    assert styles["Landet"] == (chart_style.COUNTRY_COLOUR, "dot")
    chart = population_charts.population_chart(con, "1835")
    by_name = {t.name: (t.line.color, t.line.dash) for t in chart.figure.data}
    assert by_name["Træna"][0] == chart_style.PALETTE[0]
    assert by_name["Nordland"] == (chart_style.COUNTY_COLOUR, "dash")
    assert by_name["Hele landet"] == (chart_style.COUNTRY_COLOUR, "dot")


def test_municipality_colours_ignore_repeats_and_wrap():
    colours = chart_style.municipality_colours(["1835", "1835", *[str(5000 + i) for i in range(9)]])
    assert list(colours)[0] == "1835" and len(colours) == 10
    assert colours["1835"] == chart_style.PALETTE[0] == colours["5007"]


def _deck() -> slides.Deck:
    return slides.Deck(
        "Samling i mars",
        [
            slides.Slide("population", ("1835", "5043"), view)
            for view in ("linjer", "stolper", "indeks", "rangering")
        ],
    )


def test_pptx_has_native_charts_with_the_query_layers_numbers(con):
    deck = _deck()
    prs = Presentation(io.BytesIO(slide_files.pptx_bytes(con, deck)))
    assert len(prs.slides) == 4
    views = [
        compare_figures.build_view(con, s.view, s.indicator_id, s.codes, s.base_year) for s in deck.slides
    ]
    for slide, view in zip(prs.slides, views, strict=True):
        assert slide.shapes.title.text == view.finding
        footer = next(s for s in slide.shapes if s.name == slide_files.FOOTER_NAME)
        assert footer.text_frame.text.startswith("Kilde: ") and view.source in footer.text_frame.text
        charts = [s.chart for s in slide.shapes if s.has_chart]
        assert len(charts) == 1  # a native, editable chart, not a picture
    lines = next(s.chart for s in prs.slides[0].shapes if s.has_chart)
    assert lines.chart_type == XL_CHART_TYPE.LINE_MARKERS
    years = [int(c) for c in lines.plots[0].categories]
    for series, code in zip(lines.plots[0].series, ("1835", "5043"), strict=True):
        expected = queries.indicator_series(con, "population", [code]).set_index("year")["value"]
        values = dict(zip(years, series.values, strict=True))
        assert {y: v for y, v in values.items() if v is not None} == {
            int(y): float(v) for y, v in expected.items()
        }
        assert str(series.format.line.color.rgb) == chart_style.municipality_colours(("1835", "5043"))[
            code
        ].lstrip("#")
    bars = next(s.chart for s in prs.slides[1].shapes if s.has_chart)
    assert bars.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    latest = queries.indicator_series(con, "population", ["1835", "5043"])
    latest = latest[latest["year"] == latest["year"].max()].set_index("municipality_code")["value"]
    shown = dict(zip(bars.plots[0].categories, bars.plots[0].series[0].values, strict=True))
    assert shown["Træna"] == latest["1835"] and shown["Røyrvik"] == latest["5043"]
    first_point = bars.plots[0].series[0].points[0].format.fill.fore_color.rgb
    assert str(first_point) == chart_style.PALETTE[0].lstrip("#")
    ranks = next(s.chart for s in prs.slides[3].shapes if s.has_chart)
    assert ranks.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    peers = compare_series.peer_values(con, "population", ["1835", "5043"])
    assert sorted(ranks.plots[0].series[0].values) == sorted(peers["value"].dropna().astype(float))


def test_html_deck_is_one_file_without_network_addresses(con):
    page = slide_files.html_bytes(con, _deck()).decode("utf-8")
    assert page.count("<script") == 2 and "src=" not in page.split("<script>const SLIDES")[1]
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)  # everything is inline
    assert "Samling i mars" in page and "PageDown" in page and "lysbilde=" in page


def test_ready_decks(con):
    deck = slides.network_deck(con, [], "50")
    assert "de små kommunene i Trøndelag" in deck.note and deck.slides
    assert all(set(s.codes) <= {"5043"} for s in deck.slides)
    network = slides.network_deck(con, ["1835", "5043"], "50")
    assert network.note == "" and network.slides[0].codes == ("1835", "5043")
    many = slides.ready_deck([str(1000 + i) for i in range(22)])
    assert [len(s.codes) for s in many.slides[:3]] == [8, 7, 7]  # balanced groups of at most eight


@pytest.mark.parametrize(
    ("raw", "scale"),
    [(None, 1.0), ("abc", 1.0), ("nan", 1.0), (0.1, 0.75), (1.6, 1.5), (3.0, 3.0), (99, 4.0)],
)
def test_screen_scale(raw, scale):
    assert slides.screen_scale(raw) == scale


def test_presented_figure_scales_its_text_and_stretches(con):
    figure = compare_figures.build_view(con, "linjer", "population", ["1835", "5043"], None, True).figure
    big = slides.presented(figure, 3.0)
    assert big.layout.font.size == 3 * slides.BASE_FONT and big.layout.height == slides.MIN_HEIGHT
    assert big.layout.legend.y > 1  # on top, clear of the x axis
    assert big.data[0].line.width == figure.data[0].line.width * 3
    assert figure.layout.height != slides.MIN_HEIGHT  # the shared figure is left alone


def test_keys_move_within_the_deck():
    from nokkeltall.ui.slideshow import moved  # noqa: PLC0415

    assert [moved(2, 5, go) for go in ("next", "previous", "first", "last", None)] == [3, 1, 1, 5, 2]
    assert moved(5, 5, "next") == 5 and moved(1, 5, "previous") == 1
