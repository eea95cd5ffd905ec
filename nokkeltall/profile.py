"""The numbers of the overview table and the municipality profile, assembled from the query layer.

Plain functions of a DuckDB connection/cursor (cache them with ``nokkeltall.ui.data.cached_call``).
No Streamlit here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from nokkeltall import indicators, queries, spreadsheet, text
from nokkeltall.charts import POPULATION_FROM, display_name, source_text

OVERVIEW_IDS = ["population", "population_change_10y_pct", "share_67_plus_pct", "old_age_ratio",
                "employment_rate_15_74_pct"]
ECONOMY_IDS = [i.id for i in indicators.CATALOGUE if i.category == "Økonomi"]
KOSTRA_MEASURES = ["net_result_1000nok", "net_debt_per_capita_nok", "revenues_per_capita_nok",
                   "investments_per_capita_nok"]


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
    year = int(everyone["population_year"].max()) if not everyone.empty else queries.latest_population_year(con)
    where = county_label(chosen["county_name"].tolist()) if county_codes else "hele landet"
    total = len(everyone)
    sentence = (f"{text.number(len(small))} av {text.number(total)} kommuner i {where} hadde under "
                f"{text.number(limit)} innbyggere per {text.population_date(year)}.")
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
    years = sorted(frame.get("employment_rate_15_74_pct__year", pd.Series(dtype=float)).dropna().astype(int).unique())
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
    export = frame[[c for c in columns if c != "trend"]].rename(columns=columns).copy()
    for column in export.columns:
        if pd.api.types.is_float_dtype(export[column]):
            export[column] = export[column].round(1)
    return export


@dataclass(frozen=True, eq=False)  # eq=False: compared and hashed by identity (one object per choice)
class Overview:
    """Everything the overview page shows for one choice of counties and population limit, worked
    out once (share it, e.g. with ``nokkeltall.ui.data.shared_call``; never mutate its frames)."""

    county_codes: tuple[str, ...] | None
    limit: int
    summary: dict            # overview_summary
    table: pd.DataFrame      # overview_table
    shown: pd.DataFrame      # the table on screen: Norwegian headings (overview_columns), trend included
    labels: dict[str, str]   # municipality number → «1835 Træna», smallest population first
    source: str              # overview_source


def overview(con, county_codes: tuple[str, ...] | None, limit: int) -> Overview:
    """The overview of the small municipalities (population < limit) of the counties (None = all)."""
    county_codes = tuple(sorted(county_codes)) if county_codes else None
    table = overview_table(con, county_codes, int(limit))
    columns = overview_columns(table)
    shown = table.reindex(columns=list(columns)).rename(columns=columns)  # reindex: no columns when empty
    labels = dict(zip(table["municipality_code"], table["municipality_code"] + " " + table["name"]))
    return Overview(county_codes, int(limit), overview_summary(con, county_codes, int(limit)), table, shown,
                    labels, overview_source(con))


def to_csv(frame: pd.DataFrame) -> bytes:
    """Semicolon-separated with decimal comma (opens directly in Norwegian Excel)."""
    return spreadsheet.csv_bytes(frame)


def to_excel(frame: pd.DataFrame, sheet: str = "Kommuner", source: str | None = None) -> bytes:
    buffer = io.BytesIO()
    frame = spreadsheet.safe_cells(frame)
    with spreadsheet.excel_writer(buffer) as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        sheet_obj = writer.sheets[sheet]
        for position, column in enumerate(frame.columns):
            width = max(len(str(column)), *(len(str(v)) for v in frame[column].head(200))) if len(frame) else len(column)
            sheet_obj.set_column(position, position, min(width + 2, 45))
        if source:
            sheet_obj.write_string(len(frame) + 2, 0, spreadsheet.neutralise(source))
    return buffer.getvalue()


# --- municipality header -----------------------------------------------------------------------

def header(con, code: str) -> dict | None:
    """Name, county, latest population and its ten-year change, ROBEK, date of the data."""
    place = queries.municipality(con, code)
    if place is None:
        return None
    series = queries.indicator_series(con, "population", [code]).dropna(subset=["value"])
    attributes = queries.attributes(con, code)
    result = {
        "code": code,
        "name": place["name"],
        "display_name": display_name(place["official_name"]),
        "county_code": place["county_code"],
        "county_name": place["county_name"],
        "population": None,
        "year": None,
        "start_year": None,
        "start_population": None,
        "change": None,
        "change_pct": None,
        "robek": attributes.get("robek"),
        "robek_grounds": attributes.get("robek_grounds"),
        "kostra_group": attributes.get("kostra_group_name"),
        "centrality": attributes.get("centrality_class_name"),
        "has_data": not series.empty,
        "robek_date": robek_date(con),
    }
    if series.empty:
        return result
    year = int(series["year"].max())
    population = queries.value_in_year(series, year)
    start_year = year - 10 if (series["year"] == year - 10).any() else int(series["year"].min())
    start = queries.value_in_year(series, start_year)
    result.update(population=population, year=year, start_year=start_year, start_population=start)
    if start:
        result["change"] = population - start
        result["change_pct"] = (population / start - 1) * 100
    return result


def robek_date(con) -> str | None:
    """«20. april 2026»: when the ROBEK register in the database was published."""
    datasets = queries.datasets(con)
    robek = datasets[datasets["table_id"] == "KDD-ROBEK"]["updated"].dropna()
    return _adopted_text(robek.max()) if not robek.empty else None


def dataset_caveat(con, name: str) -> str | None:
    datasets = queries.datasets(con)
    caveat = datasets.loc[datasets["name"] == name, "caveat"].dropna()
    return str(caveat.iloc[0]) if not caveat.empty else None


# --- economy -----------------------------------------------------------------------------------

def economy_table(con, code: str) -> pd.DataFrame:
    """Every economy figure of the catalogue for the municipality: latest value, year, county, country."""
    place = queries.municipality(con, code)
    rows = []
    for indicator_id in ECONOMY_IDS:
        indicator = indicators.get(indicator_id)
        series = queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"])
        if series.empty:
            rows.append({"id": indicator_id, "Nøkkeltall": indicator.label, "Verdi": text.MISSING, "År": text.MISSING,
                         place["county_name"]: text.MISSING, "Hele landet": text.MISSING, "value": None,
                         "Kilde": source_text(queries.indicator_sources(con, indicator_id))})
            continue
        year = int(series["year"].max())
        value = queries.value_in_year(series, year)
        county = queries.aggregate_series(con, indicator_id, place["county_code"])
        country = queries.aggregate_series(con, indicator_id, None)
        unit, decimals = indicator.unit, indicator.decimals
        rows.append({
            "id": indicator_id,
            "Nøkkeltall": indicator.label,
            "Verdi": text.formatted(value, unit, decimals),
            "År": str(year),
            place["county_name"]: text.formatted(queries.value_in_year(county, year) if not county.empty else None,
                                                 unit, decimals),
            "Hele landet": text.formatted(queries.value_in_year(country, year) if not country.empty else None,
                                          unit, decimals),
            "value": value,
            "Kilde": source_text(queries.indicator_sources(con, indicator_id)),
        })
    return pd.DataFrame(rows)


def kostra_coverage(con, code: str) -> dict:
    """Which years and municipalities the KOSTRA figures cover, and the datasets' caveats."""
    rows = con.execute(
        """SELECT m.dataset, count(DISTINCT m.municipality_code) AS municipalities, min(m.year), max(m.year),
                  list(DISTINCT m.year ORDER BY m.year) FILTER (WHERE m.municipality_code = $code)
           FROM measure m WHERE list_contains($measures, m.measure) GROUP BY m.dataset ORDER BY m.dataset""",
        {"code": code, "measures": KOSTRA_MEASURES},
    ).fetchall()
    years = sorted({y for row in rows for y in (row[4] or [])})
    caveats = queries.datasets(con)
    caveats = caveats[caveats["name"].isin([r[0] for r in rows])]
    municipalities = con.execute(
        "SELECT count(DISTINCT municipality_code) FROM measure WHERE list_contains($m, measure)",
        {"m": KOSTRA_MEASURES},
    ).fetchall()[0][0]
    all_years = [r[2] for r in rows] + [r[3] for r in rows]
    return {
        "municipalities": municipalities,
        "year_min": min(all_years) if all_years else None,
        "year_max": max(all_years) if all_years else None,
        "years": years,
        "caveats": list(dict.fromkeys(c for c in caveats["caveat"].dropna())),
        "source": source_text(caveats) if not caveats.empty else None,
    }


def year_list(years: list[int]) -> str:
    if not years:
        return "ingen år"
    from nokkeltall.charts import _year_span  # noqa: PLC0415

    return _year_span(sorted(int(y) for y in years))


# --- plan --------------------------------------------------------------------------------------

PLAN_TYPES = {"planstrategi": "Planstrategi", "planprogram": "Planprogram", "samfunnsdel": "Samfunnsdel",
              "arealdel": "Arealdel"}
PLAN_STATUS = {"vedtatt": "vedtatt", "under_arbeid": "under arbeid", "på_høring": "på høring", "ukjent": "ukjent"}


def plan_sources(con, code: str) -> pd.DataFrame:
    """The collected plan status rows for the municipality (newest first), with Norwegian labels."""
    frame = con.execute(
        """SELECT plan_type, period, adopted, status, source_url, source_title, note
           FROM plan_status_source WHERE municipality_code = ? ORDER BY adopted DESC NULLS LAST, period DESC""",
        [code],
    ).df()
    if frame.empty:
        return frame
    frame["Plan"] = frame["plan_type"].map(lambda t: PLAN_TYPES.get(t, str(t).capitalize()))
    frame["Status"] = frame["status"].map(lambda s: PLAN_STATUS.get(s, str(s).replace("_", " ")))
    frame["Periode"] = frame["period"].fillna(text.MISSING)
    frame["Vedtatt"] = frame["adopted"].map(_adopted_text)
    return frame


def _adopted_text(value) -> str:
    if value is None or pd.isna(value):
        return text.MISSING
    from datetime import date  # noqa: PLC0415

    try:
        return text.long_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)
