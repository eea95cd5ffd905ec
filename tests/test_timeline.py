"""The planning timeline figure: every legal event with its reference, own milestones as escaped
text in their lanes, the optional network layer, the population below, and the table behind it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from nokkeltall import text
from nokkeltall.plan import calendar, network, timeline

LEGAL = calendar.calendar_frame(calendar.legal_calendar(2019, 2028))
NETWORK = calendar.calendar_frame(network.network_calendar())
MILESTONES = [
    {
        "id": 1,
        "plan_type": "planstrategi",
        "title": "Oppstart <i>planstrategi</i>",
        "start_date": "2027-11-01",
        "end_date": "2028-01-15",
        "status": "pågår",
        "note": "Med <script>",
    },
    {
        "id": 2,
        "plan_type": "samfunnsdel",
        "title": "Vedtak samfunnsdel",
        "start_date": "2028-06-20",
        "end_date": None,
        "status": "planlagt",
        "note": None,
    },
]
POPULATION = pd.DataFrame(
    {"year": [2019, 2020, 2026], "value": [480.0, 470.0, 440.0], "recalculated": [True, False, False]}
)


def traces(fig, name_prefix: str):
    return [t for t in fig.data if t.name.startswith(name_prefix)]


def points(fig) -> list[tuple[pd.Timestamp, str, str]]:
    """(x, lane, hover) of every point on the calendar (first subplot)."""
    out = []
    for trace in fig.data:
        if trace.yaxis not in (None, "y"):
            continue
        for x, y, h in zip(trace.x, trace.y, trace.hovertext or [None] * len(trace.x), strict=True):
            if x is not None:
                out.append((pd.Timestamp(x), y, h))
    return out


def test_every_legal_event_is_drawn_in_its_lane_with_its_reference():
    fig = timeline.timeline_figure(LEGAL, today=date(2026, 11, 26))
    drawn = points(fig)
    assert len(drawn) == len(LEGAL)  # all are single days: one point each
    for _, event in LEGAL.iterrows():
        matches = [
            h
            for x, lane, h in drawn
            if x == pd.Timestamp(event["start"]) and h.startswith(f"<b>{event['label']}")
        ]
        assert matches, event["label"]
        assert event["legal_reference"] in matches[0]
        assert [lane for x, lane, h in drawn if h == matches[0]][0] == timeline.LANE_OF_KIND[event["kind"]]
    hovers = "\n".join(h for _, _, h in drawn)
    # the planstrategi deadline after the 2023 election, with § 10-1, in autumn 2024
    assert (
        "<b>Frist for vedtak av kommunal planstrategi</b><br>31. oktober 2024<br>Lovkrav: pbl § 10-1"
        in hovers
    )
    assert "<b>Kommunestyrevalg 2027 (forventet dato)</b><br>13. september 2027" in hovers
    assert "Veiledning (ikke lovkrav): Nordland fylkeskommunes veileder" in hovers
    assert [t.marker.symbol for t in traces(fig, "Forventet dato")] == ["diamond-open"]


def test_milestones_are_bars_in_their_lane_coloured_by_status_and_escaped():
    fig = timeline.timeline_figure(LEGAL, MILESTONES, today=date(2026, 11, 26))
    [ongoing] = traces(fig, "Framdriftsplan: pågår")
    [planned] = traces(fig, "Framdriftsplan: planlagt")
    assert ongoing.line.color == timeline.MILESTONE_COLOURS["pågår"]
    xs = [pd.Timestamp(x) for x in ongoing.x if x is not None]
    assert min(xs) == pd.Timestamp("2027-11-01") and max(xs) == pd.Timestamp("2028-01-15")
    assert set(y for y in ongoing.y if y) == {timeline.LANE_OWN_STRATEGY}
    assert set(y for y in planned.y if y) == {timeline.LANE_OWN_PLAN}
    hover = ongoing.hovertext[0]
    assert "Oppstart &lt;i&gt;planstrategi&lt;/i&gt;" in hover and "<i>" not in hover
    assert "Med &lt;script&gt;" in hover and "1. november 2027 – 15. januar 2028" in hover
    # a one-day milestone gets a visible bar of a week; its hover keeps the one date
    planned_xs = [pd.Timestamp(x) for x in planned.x if x is not None]
    assert max(planned_xs) - min(planned_xs) == pd.Timedelta(days=7)
    assert "<br>20. juni 2028<br>" in planned.hovertext[0]


def test_network_layer_only_when_given():
    without = timeline.timeline_figure(LEGAL, today=date(2026, 1, 1))
    with_network = timeline.timeline_figure(LEGAL, network=NETWORK, today=date(2026, 1, 1))
    assert not traces(without, "Læringsnettverket")
    [deadline] = traces(with_network, "Læringsnettverket: frist")
    assert pd.Timestamp(deadline.x[0]) == pd.Timestamp("2019-12-15")
    [period] = traces(with_network, "Læringsnettverket: periode")
    xs = [pd.Timestamp(x) for x in period.x if x is not None]
    assert (min(xs), max(xs)) == (pd.Timestamp("2020-01-01"), pd.Timestamp("2023-12-31"))
    assert timeline.LANE_NETWORK in with_network.layout.yaxis.categoryarray
    assert timeline.LANE_NETWORK not in without.layout.yaxis.categoryarray


def test_population_below_on_the_same_time_axis():
    fig = timeline.timeline_figure(LEGAL, population=POPULATION, place="Træna", today=date(2026, 11, 26))
    [population] = traces(fig, "Folketall Træna")
    assert population.yaxis == "y2" and population.xaxis == "x2"
    assert list(population.y) == [480.0, 470.0, 440.0]
    assert [pd.Timestamp(x) for x in population.x] == [pd.Timestamp(f"{y}-01-01") for y in (2019, 2020, 2026)]
    assert population.hovertext[0] == "Folketall 1. januar 2019: 480 (omregnet til dagens kommunegrenser)"
    assert population.hovertext[2] == "Folketall 1. januar 2026: 440"
    assert fig.layout.xaxis2.matches == "x" or fig.layout.xaxis.matches == "x2"


def test_missing_population_is_said_not_drawn_as_zero():
    fig = timeline.timeline_figure(
        LEGAL, population=POPULATION.assign(value=float("nan")), today=date(2026, 1, 1)
    )
    assert not traces(fig, "Folketall")
    assert any(a.text == "Folketall mangler for kommunen" for a in fig.layout.annotations)


@pytest.mark.parametrize("today, shown", [(date(2026, 11, 26), True), (date(2030, 1, 1), False)])
def test_today_line_inside_the_range_only(today, shown):
    fig = timeline.timeline_figure(LEGAL, today=today)
    labels = [a.text for a in fig.layout.annotations if a.text.startswith("I dag")]
    assert labels == ([f"I dag ({text.long_date(today)})"] if shown else [])


def test_adoptions_keep_the_precision_of_the_source():
    adoptions = timeline.adoption_points(
        [
            {"plan_type": "samfunnsdel", "status": "vedtatt", "adopted": "2022-12", "source_text": "Sak 1"},
            {
                "plan_type": "planstrategi",
                "status": "vedtatt",
                "adopted": "2024-10-24",
                "source_text": "Sak 2",
            },
            {"plan_type": "arealdel", "status": "på_høring", "adopted": None, "source_text": "x"},
        ]
    )
    assert list(adoptions["label"]) == ["Samfunnsdel vedtatt", "Planstrategi vedtatt"]
    assert list(adoptions["date_text"]) == ["desember 2022 (presisjon: måned)", "24. oktober 2024"]
    fig = timeline.timeline_figure(LEGAL, adoptions=adoptions, today=date(2026, 1, 1))
    [trace] = traces(fig, "Vedtatt")
    assert "Kilde: Sak 2" in trace.hovertext[1]


def test_table_lists_every_event_and_milestone_in_date_order():
    table = timeline.timeline_table(LEGAL, MILESTONES, NETWORK)
    assert len(table) == len(LEGAL) + len(NETWORK) + len(MILESTONES)
    assert list(table["Fra"]) == sorted(table["Fra"])
    row = table[table["Hendelse"] == "Oppstart <i>planstrategi</i>"].iloc[0]
    assert (row["Til"], row["Type"], row["Hjemmel/kilde"]) == (
        date(2028, 1, 15),
        "Framdrift: Pågår",
        "Kommunens framdriftsplan",
    )
    assert (
        table[table["Hendelse"] == "Kommunestyrevalg 2027 (forventet dato)"].iloc[0]["Type"]
        == "Lovkrav (forventet dato)"
    )
