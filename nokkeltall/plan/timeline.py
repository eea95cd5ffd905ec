"""The planning timeline as a Plotly figure: legal calendar, own progress plan, network, population.

Pure code (no Streamlit). ``timeline_figure`` draws, on one shared time axis:

* the legal calendar (``plan.calendar.legal_calendar`` as a frame) in lanes — elections and
  constitution, planstrategi, kommuneplan, handlingsdel/økonomiplan — with the legal reference,
  the rule's explanation and whether the date is expected in the hover;
* the municipality's own progress plan (framdriftsplan): milestones as bars coloured by status;
* optionally the learning network's own calendar (application deadline, project period);
* adoptions known from the plan status (what the municipality has actually done);
* below, the population on 1 January (SSB 07459) over the same years.

What users typed (milestone titles, notes) is escaped before it reaches the hover, so it is shown
as text and never interpreted as markup.
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nokkeltall import text

LANE_ELECTION = "Valg og konstituering"
LANE_STRATEGY = "Planstrategi (pbl § 10-1)"
LANE_PLAN = "Kommuneplan (pbl kap. 11)"
LANE_BUDGET = "Handlingsdel/økonomiplan"
LANE_OWN_STRATEGY = "Egen framdrift: planstrategi"
LANE_OWN_PLAN = "Egen framdrift: samfunnsdel"
LANE_ADOPTED = "Vedtatte planer (registrert)"
LANE_NETWORK = "Læringsnettverket"

LANE_OF_KIND = {
    "election": LANE_ELECTION,
    "council_constituted": LANE_ELECTION,
    "planstrategi_proposal_public": LANE_STRATEGY,
    "planstrategi_deadline": LANE_STRATEGY,
    "samfunnsdel_target": LANE_PLAN,
    "planprogram_hearing": LANE_PLAN,
    "plan_proposal_hearing": LANE_PLAN,
    "okonomiplan_recommendation_public": LANE_BUDGET,
    "okonomiplan_deadline": LANE_BUDGET,
    "network_application_deadline": LANE_NETWORK,
    "network_period": LANE_NETWORK,
}
MILESTONE_LANES = {"planstrategi": LANE_OWN_STRATEGY, "samfunnsdel": LANE_OWN_PLAN}
# top to bottom
LANE_ORDER = [
    LANE_NETWORK,
    LANE_ELECTION,
    LANE_STRATEGY,
    LANE_OWN_STRATEGY,
    LANE_PLAN,
    LANE_OWN_PLAN,
    LANE_ADOPTED,
    LANE_BUDGET,
]

MILESTONE_STATUS_LABELS = {"planlagt": "Planlagt", "pågår": "Pågår", "ferdig": "Ferdig"}
MILESTONE_COLOURS = {"planlagt": "#7f8fa6", "pågår": "#e1812c", "ferdig": "#3a923a"}
LAW_COLOUR = "#1f3b73"
GUIDANCE_COLOUR = "#6a51a3"
NETWORK_COLOUR = "#00857c"
ADOPTED_COLOUR = "#3a923a"
POPULATION_COLOUR = "#1f77b4"

PLAN_TYPE_LABELS = {
    "samfunnsdel": "Samfunnsdel",
    "arealdel": "Arealdel",
    "planstrategi": "Planstrategi",
    "planprogram": "Planprogram",
}

TABLE_COLUMNS = ["Fra", "Til", "Spor", "Hendelse", "Hjemmel/kilde", "Type"]


def _day(value) -> date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return date.fromisoformat(str(value)[:10])


def _known_day(value) -> date:
    """The date of a row that always has one (events and adoptions without a date are left out)."""
    day = _day(value)
    if day is None:
        raise ValueError(f"mangler dato: {value!r}")
    return day


def _escape(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))


def date_span(start: date, end: date | None) -> str:
    """«11. september 2023» or «1. mars 2024 – 15. april 2024»."""
    if end is None or end == start:
        return text.long_date(start)
    return f"{text.long_date(start)} – {text.long_date(end)}"


def milestones_frame(milestones) -> pd.DataFrame:
    """Milestones (store rows or an editor frame) with real dates; rows without a start dropped."""
    frame = pd.DataFrame(milestones)
    for column in ("plan_type", "title", "start_date", "end_date", "status", "note"):
        if column not in frame.columns:
            frame[column] = None
    frame["start"] = [_day(v) for v in frame["start_date"]]
    frame["end"] = [_day(v) for v in frame["end_date"]]
    frame = frame[frame["start"].notna()].copy()
    frame["end"] = [e if e is not None else s for s, e in zip(frame["start"], frame["end"], strict=False)]
    return frame.reset_index(drop=True)


# --- figure parts -------------------------------------------------------------------------------


def _event_hover(row) -> str:
    lines = [
        f"<b>{_escape(row['label'])}</b>",
        _escape(date_span(_known_day(row["start"]), _day(row["end"]))),
    ]
    reference = row.get("legal_reference")
    if reference:
        kind = {"lov": "Lovkrav", "veiledning": "Veiledning (ikke lovkrav)"}.get(row.get("binding"), "Kilde")
        lines.append(f"{kind}: {_escape(reference)}")
    if row.get("expected"):
        lines.append("Forventet dato, ikke fastsatt ennå")
    if row.get("description"):
        lines.append(_wrap(_escape(row["description"])))
    return "<br>".join(lines)


def _wrap(value: str, width: int = 70) -> str:
    words, lines, line = value.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)


def _add_points(
    fig: go.Figure, rows: pd.DataFrame, *, name: str, colour: str, symbol: str, legendgroup: str
) -> None:
    if rows.empty:
        return
    fig.add_trace(
        go.Scatter(
            x=[pd.Timestamp(_day(v)) for v in rows["start"]],
            y=[LANE_OF_KIND.get(k, LANE_PLAN) for k in rows["kind"]],
            mode="markers",
            marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 1.5, "color": colour}},
            name=name,
            legendgroup=legendgroup,
            hovertext=[_event_hover(row) for _, row in rows.iterrows()],
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=list(rows["kind"]),
        ),
        row=1,
        col=1,
    )


def _add_intervals(
    fig: go.Figure,
    starts,
    ends,
    lanes,
    hovers,
    *,
    name: str,
    colour: str,
    legendgroup: str,
    width: int = 12,
    showlegend: bool = True,
) -> None:
    """Bars from start to end, drawn as thick line segments; hover on both ends and the middle."""
    if not len(starts):
        return
    xs, ys, texts = [], [], []
    for start, end, lane, hover in zip(starts, ends, lanes, hovers, strict=False):
        middle = start + (end - start) / 2
        for point in (start, middle, end):
            xs.append(pd.Timestamp(point))
            ys.append(lane)
            texts.append(hover)
        xs.append(None)
        ys.append(None)
        texts.append(None)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines+markers",
            line={"width": width, "color": colour},
            marker={"size": 6, "color": colour},
            name=name,
            legendgroup=legendgroup,
            showlegend=showlegend,
            hovertext=texts,
            hovertemplate="%{hovertext}<extra></extra>",
            connectgaps=False,
        ),
        row=1,
        col=1,
    )


def _add_calendar(
    fig: go.Figure, events: pd.DataFrame, *, colour_law: str, colour_guidance: str, legend_prefix: str = ""
) -> None:
    if events.empty:
        return
    events = events.copy()
    events["start"] = [_day(v) for v in events["start"]]
    events["end"] = [_day(v) for v in events["end"]]
    single = events[events["start"] == events["end"]]
    spans = events[events["start"] != events["end"]]
    binding = single["binding"].fillna("")
    law = single[binding == "lov"]
    fixed, expected = law[~law["expected"].astype(bool)], law[law["expected"].astype(bool)]
    _add_points(
        fig,
        fixed,
        name=f"{legend_prefix}Lovkrav / frist",
        colour=colour_law,
        symbol="diamond",
        legendgroup="law",
    )
    _add_points(
        fig,
        expected,
        name=f"{legend_prefix}Forventet dato",
        colour=colour_law,
        symbol="diamond-open",
        legendgroup="law",
    )
    _add_points(
        fig,
        single[binding == "veiledning"],
        name=f"{legend_prefix}Veiledning (ikke lovkrav)",
        colour=colour_guidance,
        symbol="star-diamond-open",
        legendgroup="guidance",
    )
    network = single[binding == "nettverk"]
    _add_points(
        fig,
        network,
        name="Læringsnettverket: frist",
        colour=NETWORK_COLOUR,
        symbol="triangle-down",
        legendgroup="network",
    )
    if not spans.empty:
        is_network = spans["binding"] == "nettverk"
        for subset, name, colour in (
            (spans[is_network], "Læringsnettverket: periode", NETWORK_COLOUR),
            (spans[~is_network], "Høring (minst seks uker)", colour_law),
        ):
            _add_intervals(
                fig,
                list(subset["start"]),
                list(subset["end"]),
                [LANE_OF_KIND.get(k, LANE_PLAN) for k in subset["kind"]],
                [_event_hover(row) for _, row in subset.iterrows()],
                name=name,
                colour=colour,
                legendgroup=name,
                width=8,
            )


def _milestone_hover(row) -> str:
    plan = PLAN_TYPE_LABELS.get(row["plan_type"], _escape(row["plan_type"]))
    status = MILESTONE_STATUS_LABELS.get(row["status"], _escape(row["status"]))
    lines = [
        f"<b>{_escape(row['title'])}</b>",
        date_span(row["start"], row["end"]),
        f"Egen framdriftsplan for {plan.lower()} · {status}",
    ]
    if isinstance(row.get("note"), str) and row["note"].strip():
        lines.append(_wrap(_escape(row["note"])))
    return "<br>".join(lines)


def _add_milestones(fig: go.Figure, milestones: pd.DataFrame) -> None:
    if milestones.empty:
        return
    for status, label in MILESTONE_STATUS_LABELS.items():
        rows = milestones[milestones["status"].fillna("planlagt") == status]
        if rows.empty:
            continue
        lanes = [MILESTONE_LANES.get(p, LANE_OWN_PLAN) for p in rows["plan_type"]]
        hovers = [_milestone_hover(row) for _, row in rows.iterrows()]
        name = f"Framdriftsplan: {label.lower()}"
        # a one-day milestone gets a short bar of a week so it stays visible at this scale
        ends = [
            e if e > s else s + timedelta(days=7) for s, e in zip(rows["start"], rows["end"], strict=False)
        ]
        _add_intervals(
            fig,
            list(rows["start"]),
            ends,
            lanes,
            hovers,
            name=name,
            colour=MILESTONE_COLOURS[status],
            legendgroup=f"milestone_{status}",
            width=14,
        )


def _add_adoptions(fig: go.Figure, adoptions: pd.DataFrame, first: date, last: date) -> None:
    """Adoptions known from the plan status (plan_type, adopted as date, label, source)."""
    if adoptions is None or adoptions.empty:
        return
    rows = adoptions[[first <= _known_day(d) <= last for d in adoptions["date"]]]
    if rows.empty:
        return
    hovers = [
        "<br>".join(
            filter(
                None,
                [
                    f"<b>{_escape(r['label'])}</b>",
                    _escape(r.get("date_text") or ""),
                    _wrap(_escape(f"Kilde: {r['source']}")) if r.get("source") else "",
                ],
            )
        )
        for _, r in rows.iterrows()
    ]
    fig.add_trace(
        go.Scatter(
            x=[pd.Timestamp(_day(d)) for d in rows["date"]],
            y=[LANE_ADOPTED] * len(rows),
            mode="markers+text",
            text=[_escape(r["short"]) for _, r in rows.iterrows()],
            textposition="top center",
            textfont={"size": 10},
            marker={"symbol": "circle", "size": 11, "color": ADOPTED_COLOUR},
            name="Vedtatt (planstatus)",
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        row=1,
        col=1,
    )


def _add_population(fig: go.Figure, population: pd.DataFrame, place: str) -> None:
    if population is None or population.empty:
        return
    rows = population.dropna(subset=["value"]).sort_values("year")
    if rows.empty:
        return
    recalculated = rows.get("recalculated", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
    hovers = [
        f"Folketall {text.population_date(int(y))}: {text.number(v)}"
        + (" (omregnet til dagens kommunegrenser)" if r else "")
        for y, v, r in zip(rows["year"], rows["value"], recalculated, strict=False)
    ]
    fig.add_trace(
        go.Scatter(
            x=[pd.Timestamp(date(int(y), 1, 1)) for y in rows["year"]],
            y=[float(v) for v in rows["value"]],
            mode="lines+markers",
            line={"color": POPULATION_COLOUR, "width": 2},
            marker={"size": 6, "symbol": ["circle-open" if r else "circle" for r in recalculated]},
            name=f"Folketall {place} (SSB 07459)",
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
        ),
        row=2,
        col=1,
    )


def _add_today(fig: go.Figure, today: date) -> None:
    for axis in ("x", "x2"):
        fig.add_shape(
            type="line",
            xref=axis,
            yref=f"{'y' if axis == 'x' else 'y2'} domain",
            x0=pd.Timestamp(today),
            x1=pd.Timestamp(today),
            y0=0,
            y1=1,
            line={"color": "#c0392b", "width": 1.5, "dash": "dot"},
        )
    fig.add_annotation(
        x=pd.Timestamp(today),
        y=1,
        xref="x",
        yref="y domain",
        yanchor="bottom",
        text=f"I dag ({text.long_date(today)})",
        showarrow=False,
        font={"color": "#c0392b", "size": 11},
    )


def timeline_figure(
    legal: pd.DataFrame,
    milestones=None,
    network: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    *,
    place: str = "",
    adoptions: pd.DataFrame | None = None,
    first_year: int = 2019,
    last_year: int = 2028,
    today: date | None = None,
) -> go.Figure:
    """The planning timeline with the population trend below it on the same time axis.

    ``legal`` and ``network`` are ``calendar.calendar_frame`` frames; ``milestones`` store rows
    (plan_type, title, start_date, end_date, status, note); ``population`` has year, value
    (and recalculated) as from ``queries.indicator_series(con, "population", [code])``;
    ``adoptions`` has date, label, short, date_text, source (see ``adoption_points``).
    """
    today = today or date.today()
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    has_population = population is not None and not population.dropna(subset=["value"]).empty
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.74, 0.26],
        vertical_spacing=0.06,
        subplot_titles=("Plankalender", f"Folketall 1. januar{' – ' + place if place else ''}"),
    )
    _add_calendar(fig, legal, colour_law=LAW_COLOUR, colour_guidance=GUIDANCE_COLOUR)
    if network is not None and not network.empty:
        _add_calendar(fig, network, colour_law=NETWORK_COLOUR, colour_guidance=NETWORK_COLOUR)
    frame = milestones_frame(milestones if milestones is not None else [])
    _add_milestones(fig, frame)
    _add_adoptions(fig, adoptions, first, last)
    _add_population(fig, population, place)
    lanes_used = {y for trace in fig.data if trace.yaxis in (None, "y") for y in (trace.y or ()) if y}
    lanes = [lane for lane in LANE_ORDER if lane in lanes_used]
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=list(reversed(lanes)),
        type="category",
        row=1,
        col=1,
        automargin=True,
    )
    fig.update_yaxes(title_text="Innbyggere", row=2, col=1, tickformat=",d", separatethousands=True)
    fig.update_xaxes(
        range=[pd.Timestamp(first) - pd.Timedelta(days=30), pd.Timestamp(last) + pd.Timedelta(days=30)],
        dtick="M12",
        tickformat="%Y",
        showgrid=True,
        gridcolor="#e5e5e5",
    )
    if not has_population:
        fig.add_annotation(
            text="Folketall mangler for kommunen",
            xref="x2 domain",
            yref="y2 domain",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"color": "#666"},
        )
    if first <= today <= last:
        _add_today(fig, today)
    fig.update_layout(
        height=620,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.06, "x": 0},
        separators=", ",
        plot_bgcolor="white",
        font={"family": "sans-serif"},
    )
    return fig


# --- tables ---------------------------------------------------------------------------------------


def adoption_points(plan_rows: list[dict]) -> pd.DataFrame:
    """Adoption markers from plan status rows (plan_type, status, adopted, source text)."""
    from nokkeltall.plan.status import parse_plan_date  # noqa: PLC0415

    records = []
    for row in plan_rows:
        if row.get("status") != "vedtatt" or not row.get("adopted"):
            continue
        try:
            plan_date = parse_plan_date(row["adopted"])
        except ValueError:
            continue
        if plan_date is None:
            continue
        label = PLAN_TYPE_LABELS.get(row["plan_type"], row["plan_type"])
        records.append(
            {
                "date": plan_date.earliest()
                if plan_date.precision == "day"
                else date(plan_date.year, plan_date.month or 7, 1 if plan_date.month else 1),
                "label": f"{label} vedtatt",
                "short": label,
                "date_text": plan_date.norwegian()
                + (
                    ""
                    if plan_date.precision == "day"
                    else " (presisjon: " + {"month": "måned", "year": "år"}[plan_date.precision] + ")"
                ),
                "source": row.get("source_text") or "",
            }
        )
    return pd.DataFrame(records, columns=["date", "label", "short", "date_text", "source"])


def timeline_table(legal: pd.DataFrame, milestones=None, network: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every event of the figure as rows (for «Vis tabell», the CSV download and the brief)."""
    rows = []
    for frame in (legal, network):
        if frame is None or frame.empty:
            continue
        for _, event in frame.iterrows():
            start, end = _day(event["start"]), _day(event["end"])
            kind = {"lov": "Lovkrav", "veiledning": "Veiledning", "nettverk": "Læringsnettverket"}.get(
                event["binding"], event["binding"]
            )
            rows.append(
                {
                    "Fra": start,
                    "Til": end if end != start else None,
                    "Spor": LANE_OF_KIND.get(event["kind"], LANE_PLAN),
                    "Hendelse": event["label"],
                    "Hjemmel/kilde": event["legal_reference"],
                    "Type": kind + (" (forventet dato)" if event["expected"] else ""),
                }
            )
    for _, milestone in milestones_frame(milestones if milestones is not None else []).iterrows():
        rows.append(
            {
                "Fra": milestone["start"],
                "Til": milestone["end"] if milestone["end"] != milestone["start"] else None,
                "Spor": MILESTONE_LANES.get(milestone["plan_type"], LANE_OWN_PLAN),
                "Hendelse": str(milestone["title"]),
                "Hjemmel/kilde": "Kommunens framdriftsplan",
                "Type": "Framdrift: "
                + MILESTONE_STATUS_LABELS.get(milestone["status"], str(milestone["status"])),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values("Fra", kind="stable").reset_index(drop=True)
