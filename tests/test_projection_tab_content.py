"""The «Framskriving» tab's content made in one go (``figures.tab_content``) and the lean Plotly template
its figures carry: the same figures, tables and texts as the separate builders, and a template that keeps
everything a 2-D scatter or bar chart reads."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from nokkeltall.charts.style import lean_template
from nokkeltall.projection import figures

# what a 2-D scatter or bar chart reads from the template's layout
TWO_D_LAYOUT = ("font", "colorway", "paper_bgcolor", "plot_bgcolor", "xaxis", "yaxis", "hoverlabel", "title")


def test_lean_template_keeps_what_a_2d_chart_reads():
    figure = go.Figure([go.Scatter(x=[2020, 2021], y=[500, 490]), go.Bar(x=[1, 2], y=[3, 4])])
    full = pio.templates["plotly_white"].to_plotly_json()
    lean_template(figure)
    kept = figure.layout.template.to_plotly_json()
    assert set(kept["data"]) == {"scatter", "bar"}
    assert kept["data"]["scatter"] == full["data"]["scatter"]
    assert kept["data"]["bar"] == full["data"]["bar"]
    for key in TWO_D_LAYOUT:
        assert kept["layout"][key] == full["layout"][key], key
    assert not {"polar", "ternary", "scene", "geo", "colorscale", "coloraxis"} & set(kept["layout"])
    assert len(json.dumps(kept)) < len(json.dumps(full)) / 4


def _traces(chart) -> list[dict]:
    return chart.figure.to_dict()["data"]


def _layout_without_template(chart) -> dict:
    return {k: v for k, v in chart.figure.to_dict()["layout"].items() if k != "template"}


def test_tab_content_equals_the_separate_builders(shipped_con):
    content = figures.tab_content(shipped_con, "1835")
    assert content.problem is None
    builders = {
        "fan": figures.fan_chart,
        "age_profile": figures.age_profile_chart,
        "old_age_ratio": figures.old_age_ratio_chart,
    }
    for part, builder in builders.items():
        alone, together = builder(shipped_con, "1835"), getattr(content, part)
        assert _traces(together) == _traces(alone), part
        assert _layout_without_template(together) == _layout_without_template(alone), part
        assert together.title == alone.title
        assert together.table.equals(alone.table)
        assert set(together.figure.layout.template.to_plotly_json()["data"]) <= {"scatter", "bar"}
    assert content.age_groups == figures.age_group_markdown(shipped_con, "1835")
    assert content.county["sentence"] == figures.county_comparison(shipped_con, "1835")["sentence"]
    assert content.municipal["sentence"] == figures.municipal_comparison(shipped_con, "1835")["sentence"]
    assert content.method == figures.method_note(shipped_con, "1835")


def test_tab_content_of_an_impossible_scenario_is_only_the_reason(shipped_con):
    content = figures.tab_content(shipped_con, "1835", "netto=-1000:20-39")
    assert content.problem == figures.problem(shipped_con, "1835", "netto=-1000:20-39")
    assert content.problem
    assert content.fan is None and content.age_groups is None and content.county is None
