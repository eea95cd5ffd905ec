"""Choropleth maps from the shipped outlines in the ``geometry`` table (no tiles, no internet).

``municipality_map`` colours the small municipalities of the chosen counties by an indicator
and draws the others in light grey, so the small ones stand out. The shapes are plain filled
Plotly scatter traces on hidden axes: Plotly's geo maps (``go.Choropleth``) fetch a world outline
from cdn.plot.ly whenever a trace has a ``locationmode`` — even with ``geojson=`` and
``visible=False`` — and fail offline (in the browser and in Kaleido). No Streamlit here."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import indicators, queries, text
from nokkeltall.charts.style import FONT, Chart
from nokkeltall.provenance import indicator_source, source_text
from nokkeltall.text import display_name

OTHER_COLOUR = "#e3e3e3"


def simplify(coordinates, step: float = 0.004):
    """Round positions to ``step`` degrees and drop repeated points (about 300 m; far below a pixel
    on a county map), so the figure sent to the browser on every rerun stays small."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(round(coordinates[0] / step) * step, 4), round(round(coordinates[1] / step) * step, 4)]
    if coordinates and coordinates[0] and isinstance(coordinates[0][0], (int, float)):  # a ring
        ring: list[list[float]] = []
        for point in coordinates:
            position = simplify(point, step)
            if not ring or position != ring[-1]:
                ring.append(position)
        if len(ring) < 4:
            return None
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return ring
    parts = [simplify(part, step) for part in coordinates]
    parts = [part for part in parts if part]
    # a polygon whose outer ring vanished is dropped as a whole
    if (
        parts
        and isinstance(parts[0], list)
        and parts[0]
        and isinstance(parts[0][0], list)
        and parts[0][0]
        and isinstance(parts[0][0][0], (int, float))
        and len(parts) != len(coordinates)
        and simplify(coordinates[0], step) is None
    ):
        return None
    return parts


def geometries(
    con, county_codes: list[str] | None, level: str = "municipality", step: float | None = 0.004
) -> dict:
    """A GeoJSON FeatureCollection of the municipalities (or counties) in the given counties.

    With ``step`` the outlines are simplified (see ``simplify``); ``None`` keeps them as shipped.
    """
    rows = con.execute(
        """SELECT region_code, geojson FROM geometry
           WHERE level = $level AND ($counties IS NULL
                 OR list_contains($counties,
                                  CASE WHEN $level = 'county' THEN region_code ELSE left(region_code, 2) END))
           ORDER BY region_code""",
        {"level": level, "counties": list(county_codes) if county_codes else None},
    ).fetchall()
    features = []
    for code, geojson in rows:
        feature = json.loads(geojson)
        feature["id"] = code
        if step:
            simplified = simplify(feature["geometry"]["coordinates"], step)
            if simplified:
                feature["geometry"]["coordinates"] = simplified
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def map_frame(con, county_codes: list[str] | None, indicator_id: str, limit: int) -> pd.DataFrame:
    """One row per municipality of the counties: latest value of the indicator, its year, small or not."""
    places = queries.municipalities(con, county_codes)
    latest = queries.latest_values(con, [indicator_id], places["municipality_code"].tolist())
    latest = latest.rename(columns={indicator_id: "value", f"{indicator_id}__year": "year"})
    frame = places.merge(latest, on="municipality_code", how="left")
    frame["small"] = frame["population"] < limit
    return frame


BLUES = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
REDS = ["#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"]
CLASSES = 5


def _rings(geometry: dict) -> list[list]:
    """The outer rings of a Polygon/MultiPolygon (holes are not drawn)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"] if polygon]
    return []


def _path(features: list[dict]) -> tuple[list, list]:
    """x/y lists of all outer rings, separated by None (one Plotly trace for many polygons)."""
    xs, ys = [], []
    for feature in features:
        for ring in _rings(feature["geometry"]):
            xs.extend([p[0] for p in ring] + [None])
            ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def _label_point(feature: dict) -> tuple[float, float]:
    """A point inside the municipality's largest polygon (mean of its outer ring's vertices)."""
    rings = _rings(feature["geometry"])
    if not rings:
        return float("nan"), float("nan")
    ring = max(rings, key=len)
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def classes(values: pd.Series, count: int = CLASSES) -> list[tuple[float, float]]:
    """Up to ``count`` classes with about as many municipalities in each (quantiles), low to high."""
    values = values.dropna().astype(float)
    if values.empty:
        return []
    edges = sorted(set(values.quantile([i / count for i in range(count + 1)]).round(6)))
    if len(edges) == 1:
        return [(edges[0], edges[0])]
    return list(zip(edges[:-1], edges[1:], strict=False))


def _class_colours(bins: list[tuple[float, float]], higher_is_better) -> list[str]:
    diverging = bins and bins[0][0] < 0 < bins[-1][1]
    if diverging:
        negatives = [b for b in bins if (b[0] + b[1]) / 2 < 0]
        positives = [b for b in bins if (b[0] + b[1]) / 2 >= 0]
        negative_ramp, positive_ramp = (REDS, BLUES) if higher_is_better is not False else (BLUES, REDS)
        return [negative_ramp[min(len(negatives) - i, 4)] for i in range(len(negatives))] + [
            positive_ramp[min(i + 1, 4)] for i in range(len(positives))
        ]
    ramp = REDS if higher_is_better is False else BLUES
    step = max(1, CLASSES // max(len(bins), 1))
    return [ramp[min(i * step, 4)] for i in range(len(bins))]


def municipality_map(con, county_codes: list[str] | None, indicator_id: str, limit: int = 2500) -> Chart:
    """A map of the counties' municipalities drawn as plain SVG shapes (no geo base map, so nothing is
    fetched from the internet — Plotly's geo maps load a world outline from a CDN). The small
    municipalities are coloured in classes of the indicator; the others are grey. Each municipality
    has a marker to hover and click (its ``customdata[0]`` is the municipality number)."""
    indicator = indicators.get(indicator_id)
    frame = map_frame(con, county_codes, indicator_id, limit)
    collection = geometries(con, county_codes)
    features = {f["id"]: f for f in collection["features"]}
    unit, decimals = indicator.unit, indicator.decimals
    frame["display"] = [display_name(n) for n in frame["official_name"]]
    frame["value_text"] = [text.formatted(v, unit, decimals) for v in frame["value"]]
    frame["year_text"] = [("" if pd.isna(y) else f" ({int(y)})") for y in frame["year"]]
    frame["population_text"] = [text.number(v) for v in frame["population"]]
    frame = frame[frame["municipality_code"].isin(features)].reset_index(drop=True)
    small = frame[frame["small"] & frame["value"].notna()]
    bins = classes(small["value"])
    colours = _class_colours(bins, indicator.higher_is_better)

    def class_of(value):
        for index, (_low, high) in enumerate(bins):
            if value <= high + 1e-9:
                return index
        return len(bins) - 1

    frame["class"] = [
        class_of(float(v)) if s and not pd.isna(v) else None
        for v, s in zip(frame["value"], frame["small"], strict=False)
    ]
    figure = go.Figure()
    groups = [
        (f"{text.number(limit)} innb. eller flere", OTHER_COLOUR, frame[~frame["small"]]),
        ("Mangler tall", "#ffffff", frame[frame["small"] & frame["value"].isna()]),
    ]
    for index, (low, high) in enumerate(bins):
        label = (
            text.formatted(low, unit, decimals)
            if low == high
            else f"{text.formatted(low, unit, decimals)} til {text.formatted(high, unit, decimals)}"
        )
        groups.append((label, colours[index], frame[frame["class"] == index]))
    for label, colour, part in groups:
        if part.empty:
            continue
        xs, ys = _path([features[c] for c in part["municipality_code"]])
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=colour,
                mode="lines",
                name=label,
                line=dict(color="#ffffff" if colour == OTHER_COLOUR else "#444", width=0.6),
                hoverinfo="skip",
                showlegend=True,
            )
        )
    county_outlines = geometries(con, county_codes, level="county", step=0.01)
    xs, ys = _path(county_outlines["features"])
    if xs:
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line=dict(color="#222", width=1.4),
                hoverinfo="skip",
                showlegend=False,
                name="Fylkesgrense",
            )
        )
    points = [_label_point(features[c]) for c in frame["municipality_code"]]
    figure.add_trace(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            name="Kommune",
            showlegend=False,
            marker=dict(
                size=[9 if s else 5 for s in frame["small"]],
                color=["#111" if s else "#999" for s in frame["small"]],
                line=dict(color="white", width=1),
            ),
            customdata=frame[
                ["municipality_code", "display", "value_text", "year_text", "population_text"]
            ].values.tolist(),
            hovertemplate=(
                "<b>%{customdata[1]}</b><br>" + indicator.label + ": %{customdata[2]}%{customdata[3]}"
                "<br>Folketall: %{customdata[4]}<extra></extra>"
            ),
        )
    )
    values = small["value"].astype(float)
    if values.empty:
        title = (
            f"Ingen av kommunene under {text.number(limit)} innbyggere har tall for "
            f"{indicator.label.lower()}."
        )
    else:
        low, high = small.loc[values.idxmin()], small.loc[values.idxmax()]
        title = (
            f"{indicator.label}: fra {low['value_text']} i {low['name']} til {high['value_text']} i "
            f"{high['name']} blant kommunene under {text.number(limit)} innbyggere."
        )
    latitudes = [y for y in ys if y is not None] or [65.0]
    mean_latitude = sum(latitudes) / len(latitudes)
    figure.update_layout(
        meta={
            "finding": title,
            "subtitle": f"Grå: kommuner med {text.number(limit)} innbyggere eller flere. "
            "Pek på en prikk for tallene, klikk på den for å åpne kommunens side.",
        },
        separators=", ",
        font=dict(family=FONT, size=13),
        height=680,
        template="plotly_white",
        margin=dict(l=0, r=0, t=10, b=0),
        legend=dict(
            title=dict(
                text=f"{indicator.label}{' (' + unit + ')' if unit not in ('personer', 'indeks') else ''}"
            ),
            x=0.99,
            xanchor="right",
            y=0.99,
            yanchor="top",
            bgcolor="rgba(255,255,255,0.85)",
        ),
        hovermode="closest",
        dragmode=False,
        clickmode="event+select",
        xaxis=dict(visible=False, fixedrange=True),
        yaxis=dict(
            visible=False,
            fixedrange=True,
            scaleanchor="x",
            scaleratio=1 / math.cos(math.radians(mean_latitude)),
        ),
        plot_bgcolor="white",
    )
    table = pd.DataFrame(
        {
            "Kommunenr.": frame["municipality_code"],
            "Kommune": frame["name"],
            "Folketall": frame["population"].astype("Int64"),
            f"{indicator.label} ({unit})": frame["value"].astype(float).round(max(decimals, 1)),
            "År": frame["year"].astype("Int64"),
            f"Under {text.number(limit)} innb.": frame["small"].map({True: "ja", False: "nei"}),
        }
    )
    source = (
        source_text(queries.indicator_sources(con, indicator_id))
        + ". Kart: © Kartverket (forenklede kommunegrenser 2024)"
    )
    return Chart(
        figure,
        table,
        title,
        source,
        f"kart_{indicator_id}",
        None,
        values={
            "small_count": int(len(small)),
            "codes": frame["municipality_code"].tolist(),
            "classes": bins,
        },
    )


def compact_outlines(chart: Chart) -> Chart:
    """The chart with its outline traces' x/y as float32 arrays (None → NaN, still a break between
    rings). Plotly sends numpy arrays as base64 typed arrays: the browser draws the same shapes, and
    turning the figure into JSON on each rerun takes about a sixth of the time of thousands of numbers."""
    import numpy as np  # noqa: PLC0415

    for trace in chart.figure.data:
        if trace.mode == "lines" and isinstance(trace.x, (list, tuple)):
            trace.x = np.array([np.nan if v is None else v for v in trace.x], dtype="float32")
            trace.y = np.array([np.nan if v is None else v for v in trace.y], dtype="float32")
    return chart


def browser_map(con, county_codes: list[str] | None, indicator_id: str, limit: int = 2500) -> Chart:
    """``municipality_map`` made for the page: outlines as typed arrays (see ``compact_outlines``)."""
    return compact_outlines(municipality_map(con, county_codes, indicator_id, limit))


__all__ = ["browser_map", "geometries", "map_frame", "municipality_map", "indicator_source"]
