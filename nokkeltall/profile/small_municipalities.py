"""The overview of the small municipalities (Oversikt): one row per municipality with its key
indicators, a summary sentence, its sources, and CSV/Excel exports."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from nokkeltall import indicators, queries, spreadsheet, tables, text
from nokkeltall.charts.population import POPULATION_FROM
from nokkeltall.provenance import source_text

OVERVIEW_IDS = [
    "population",
    "population_change_10y_pct",
    "share_67_plus_pct",
    "old_age_ratio",
    "employment_rate_15_74_pct",
]


def county_label(names: list[str]) -> str:
    names = list(names)
    if not names:
        return "alle fylker"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " og " + names[-1]


# --- overview ----------------------------------------------------------------------------------


def overview_table(con, county_codes: tuple[str, ...] | None, limit: int) -> pd.DataFrame:
    """The small municipalities (population < limit) of the counties, with their key figures.

    Columns: municipality_code, name, official_name, county_name, population, population_year,
    one column per ``OVERVIEW_IDS`` indicator (and ``<id>__year``), robek, trend (population
    values, oldest first).
    """
    places = queries.municipalities(con, list(county_codes) if county_codes else None, int(limit) - 1)
    codes = places["municipality_code"].tolist()
    if not codes:
        return places.assign(robek=pd.Series(dtype=str), trend=pd.Series(dtype=object))
    latest = queries.latest_values(con, OVERVIEW_IDS[1:], codes)
    frame = places.merge(latest, on="municipality_code", how="left")
    robek = queries.attribute_values(con, "robek").set_index("municipality_code")["value"]
    frame["robek"] = frame["municipality_code"].map(lambda c: "ja" if c in robek.index else "nei")
    history = queries.indicator_series(con, "population", codes).dropna(subset=["value"]).sort_values("year")
    history = history[history["year"] >= POPULATION_FROM]
    trends = history.groupby("municipality_code")["value"].apply(lambda s: [float(v) for v in s])
    frame["trend"] = frame["municipality_code"].map(trends)
    frame["trend"] = frame["trend"].apply(lambda v: v if isinstance(v, list) else [])
    return frame.sort_values("population").reset_index(drop=True)


def overview_summary(con, county_codes: tuple[str, ...] | None, limit: int) -> dict:
    """How many municipalities are under the limit, of how many, as of which date (a sentence)."""
    counties = queries.counties(con)
    chosen = counties[counties["county_code"].isin(county_codes)] if county_codes else counties.iloc[0:0]
    everyone = queries.municipalities(con, list(county_codes) if county_codes else None)
    small = everyone[everyone["population"] < limit]
    year = (
        int(everyone["population_year"].max()) if not everyone.empty else queries.latest_population_year(con)
    )
    where = county_label(chosen["county_name"].tolist()) if county_codes else "hele landet"
    total = len(everyone)
    sentence = (
        f"{text.number(len(small))} av {text.number(total)} kommuner i {where} hadde under "
        f"{text.number(limit)} innbyggere per {text.population_date(year) if year else text.MISSING}."
    )
    return {"small": len(small), "total": total, "year": year, "sentence": sentence, "where": where}


def overview_source(con) -> str:
    """The source line under the overview table: SSB tables of the indicators and the ROBEK register."""
    frames = [queries.indicator_sources(con, i) for i in OVERVIEW_IDS]
    datasets = queries.datasets(con)
    robek = datasets[datasets["table_id"] == "KDD-ROBEK"]
    line = source_text(pd.concat(frames, ignore_index=True))
    if not robek.empty:
        line += "; " + source_text(robek).removeprefix("Kilde: ")
    return line


def overview_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Norwegian column headings for the overview table (the employment year in its heading)."""
    employment = indicators.get("employment_rate_15_74_pct")
    years = sorted(
        frame.get("employment_rate_15_74_pct__year", pd.Series(dtype=float)).dropna().astype(int).unique()
    )
    year_text = f", {years[0]}" if len(years) == 1 else (f", {years[0]}–{years[-1]}" if years else "")
    return {
        "municipality_code": "Nr.",
        "name": "Kommune",
        "county_name": "Fylke",
        "population": "Folketall",
        "population_change_10y_pct": "Endring 10 år (%)",
        "share_67_plus_pct": "Andel 67+ (%)",
        "old_age_ratio": "Eldrebyrde",
        "employment_rate_15_74_pct": f"{employment.label} (%{year_text})",
        "robek": "ROBEK",
        "trend": "Folketall over tid",
    }


def overview_export(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as it is downloaded: Norwegian headings, numbers rounded, no trend lists."""
    columns = overview_columns(frame)
    export = frame[[c for c in columns if c != "trend"]].rename(columns=columns)
    return tables.rounded(export, default=1)  # counts as whole numbers, shares to one decimal


@dataclass(frozen=True, eq=False)  # eq=False: compared and hashed by identity (one object per choice)
class Overview:
    """Everything the overview page shows for one choice of counties and population limit, worked
    out once (share it, e.g. with ``nokkeltall.ui.data.shared_call``; never mutate its frames)."""

    county_codes: tuple[str, ...] | None
    limit: int
    summary: dict  # overview_summary
    table: pd.DataFrame  # overview_table
    shown: pd.DataFrame  # the table on screen: Norwegian headings (overview_columns), trend included
    labels: dict[str, str]  # municipality number → «1835 Træna», smallest population first
    source: str  # overview_source


def overview(con, county_codes: tuple[str, ...] | None, limit: int) -> Overview:
    """The overview of the small municipalities (population < limit) of the counties (None = all)."""
    county_codes = tuple(sorted(county_codes)) if county_codes else None
    table = overview_table(con, county_codes, int(limit))
    columns = overview_columns(table)
    shown = table.reindex(columns=list(columns)).rename(columns=columns)  # reindex: no columns when empty
    labels = dict(
        zip(table["municipality_code"], table["municipality_code"] + " " + table["name"], strict=False)
    )
    return Overview(
        county_codes,
        int(limit),
        overview_summary(con, county_codes, int(limit)),
        table,
        shown,
        labels,
        overview_source(con),
    )


def to_csv(frame: pd.DataFrame) -> bytes:
    """Semicolon-separated with decimal comma (opens directly in Norwegian Excel)."""
    return spreadsheet.csv_bytes(frame)


def to_excel(frame: pd.DataFrame, sheet: str = "Kommuner", source: str | None = None) -> bytes:
    """An .xlsx file: numbers as numbers with a number format, the source line under the table."""
    buffer = io.BytesIO()
    with spreadsheet.excel_writer(buffer) as writer:
        tables.write_sheet(writer, sheet, frame, freeze=False, width=(6, 45))  # cells neutralised there
        if source:
            writer.sheets[sheet].write_string(len(frame) + 2, 0, spreadsheet.neutralise(source))
    return buffer.getvalue()
