"""Commuting figures: where the municipality's employed residents work (or its workers live)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from nokkeltall import queries, text
from nokkeltall.charts.population import _place
from nokkeltall.charts.style import MUNICIPALITY_COLOUR, SECOND_COLOUR, Chart, style
from nokkeltall.provenance import source_text

# --- commuting ---------------------------------------------------------------------------------


def commuting_chart(con, code: str, direction: str = "out", limit: int = 8) -> Chart | None:
    """The largest commuting flows out of (``out``) or into (``in``) the municipality, own excluded."""
    place = _place(con, code)
    if place is None:
        return None
    flows = queries.commuting_flows(con, code, None, limit + 1)
    year = flows["year"]
    if year is None:
        return None
    frame = flows[direction]
    own = frame.loc[frame["municipality_code"] == code, "employed_persons"]
    own_value = float(own.iloc[0]) if not own.empty else None
    frame = frame[frame["municipality_code"] != code].head(limit)
    name = place["name"]
    if frame.empty:
        title = (
            f"Ingen fra {name} pendlet til andre kommuner i {year}."
            if direction == "out"
            else f"Ingen pendlet inn til {name} fra andre kommuner i {year}."
        )
    else:
        top = frame.iloc[0]
        if direction == "out":
            title = (
                f"Flest av dem som bor i {name} og arbeider i en annen kommune, arbeidet i {top['name']} "
                f"({text.number(top['employed_persons'])} personer i {year})."
            )
        else:
            title = (
                f"Flest av dem som arbeider i {name} og bor i en annen kommune, bodde i {top['name']} "
                f"({text.number(top['employed_persons'])} personer i {year})."
            )
    own_text = (
        f"{text.number(own_value)} personer bodde og arbeidet i {name}." if own_value is not None else ""
    )
    subtitle = (
        f"Sysselsatte 4. kvartal {year} etter "
        f"{'arbeidskommune' if direction == 'out' else 'bostedskommune'}. " + own_text
    )
    ordered = frame.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            y=ordered["name"],
            x=ordered["employed_persons"].astype(float),
            orientation="h",
            marker_color=MUNICIPALITY_COLOUR if direction == "out" else SECOND_COLOUR,
            text=[text.number(v) for v in ordered["employed_persons"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,.0f} personer<extra></extra>",
        )
    )
    style(figure, title, subtitle=subtitle, height=max(260, 90 + 32 * len(frame)), legend=False)
    figure.update_layout(hovermode="closest")
    figure.update_xaxes(title_text="Personer", tickformat=",d")
    figure.update_yaxes(tickformat=None)
    column = "Arbeidskommune" if direction == "out" else "Bostedskommune"
    table = pd.DataFrame(
        {
            column: frame["name"].tolist(),
            "Kommunenr.": frame["municipality_code"].tolist(),
            "Personer": frame["employed_persons"].astype(float).round().astype("Int64").tolist(),
            "År": year,
        }
    )
    sources = queries.sources_for_measures(con, ["out_commuters"])
    return Chart(
        figure,
        table,
        title,
        source_text(sources),
        f"pendling_{direction}_{code}",
        "Pendlertall er ført til dagens kommunenumre der kommunen er slått sammen eller delt."
        if bool(frame.get("recalculated", pd.Series(dtype=bool)).any())
        else None,
        values={
            "year": year,
            "own": own_value,
            "top": None
            if frame.empty
            else (frame.iloc[0]["municipality_code"], float(frame.iloc[0]["employed_persons"])),
        },
    )
