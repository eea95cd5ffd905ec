"""One municipality's profile: its header (name, county, KOSTRA group, population, ROBEK), the economy
table with KOSTRA coverage, and the collected plan sources."""

from __future__ import annotations

import re

import pandas as pd

from nokkeltall import indicators, provenance, queries, text
from nokkeltall.plan import status as plan_status
from nokkeltall.provenance import source_text
from nokkeltall.text import display_name

ECONOMY_IDS = [i.id for i in indicators.CATALOGUE if i.category == "Økonomi"]
KOSTRA_MEASURES = [
    "net_result_1000nok",
    "net_debt_per_capita_nok",
    "revenues_per_capita_nok",
    "investments_per_capita_nok",
]


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
    if start and population is not None:
        result["change"] = population - start
        result["change_pct"] = (population / start - 1) * 100
    return result


def header_facts(head: dict) -> list[str]:
    """The caption under the municipality's name: county, number, data date, KOSTRA group, centrality
    (ranges written with an en dash: «Sentralitetsklasse 5–6»)."""
    facts = [
        head["county_name"],
        f"kommunenr. {head['code']}",
        f"befolkningstall per {text.population_date(head['year'])}",
    ]
    if head["kostra_group"]:
        facts.append(head["kostra_group"]["value"])
    if head["centrality"]:
        centrality = head["centrality"]["value"].replace(" - ", " – ")
        facts.append(re.sub(r"(\d)-(\d)", r"\1–\2", centrality))
    return facts


def change_arrow(change_pct: float | None) -> tuple[str, str]:
    """The metric's arrow and colour for a change: none when it rounds to 0,0 %, red down, green up."""
    if change_pct is None or round(change_pct, 1) == 0:
        return "off", "off"
    return ("down", "red") if change_pct < 0 else ("up", "green")


def robek_sentence(head: dict) -> str | None:
    """«Træna står i ROBEK-registeret per 20. april 2026: <grunnlag>», or None when it is not listed."""
    robek = head["robek"]
    if not robek:
        return None
    if not head["robek_grounds"]:
        return f"{head['name']} står i ROBEK-registeret."
    grounds = head["robek_grounds"]["value"].replace(".;", ";")
    return f"{head['name']} står i ROBEK-registeret per {head['robek_date'] or robek['as_of']}: {grounds}"


def robek_date(con) -> str | None:
    """«20. april 2026»: when the ROBEK register in the database was published."""
    datasets = queries.datasets(con)
    robek = datasets[datasets["table_id"] == "KDD-ROBEK"]["updated"].dropna()
    return _adopted_text(robek.max()) if not robek.empty else None


def dataset_caveat(con, name: str) -> str | None:
    datasets = queries.datasets(con)
    caveat = datasets.loc[datasets["name"] == name, "caveat"].dropna()
    return provenance.plain_caveat(caveat.iloc[0]) if not caveat.empty else None


# --- economy -----------------------------------------------------------------------------------


def economy_table(con, code: str) -> pd.DataFrame:
    """Every economy figure of the catalogue for the municipality: latest value, year, county, country."""
    place = queries.municipality(con, code)
    if place is None:
        raise ValueError(f"ukjent kommunenummer {code!r}")
    rows: list[dict[str, object]] = []
    for indicator_id in ECONOMY_IDS:
        indicator = indicators.get(indicator_id)
        series = queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"])
        if series.empty:
            rows.append(
                {
                    "id": indicator_id,
                    "Nøkkeltall": indicator.label,
                    "Verdi": text.MISSING,
                    "År": text.MISSING,
                    place["county_name"]: text.MISSING,
                    "Hele landet": text.MISSING,
                    "value": None,
                    "Kilde": source_text(queries.indicator_sources(con, indicator_id)),
                }
            )
            continue
        year = int(series["year"].max())
        value = queries.value_in_year(series, year)
        county = queries.aggregate_series(con, indicator_id, place["county_code"])
        country = queries.aggregate_series(con, indicator_id, None)
        unit, decimals = indicator.unit, indicator.decimals
        rows.append(
            {
                "id": indicator_id,
                "Nøkkeltall": indicator.label,
                "Verdi": text.formatted(value, unit, decimals),
                "År": str(year),
                place["county_name"]: text.formatted(
                    queries.value_in_year(county, year) if not county.empty else None, unit, decimals
                ),
                "Hele landet": text.formatted(
                    queries.value_in_year(country, year) if not country.empty else None, unit, decimals
                ),
                "value": value,
                "Kilde": source_text(queries.indicator_sources(con, indicator_id)),
            }
        )
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
        "caveats": list(dict.fromkeys(provenance.plain_caveat(c) for c in caveats["caveat"].dropna())),
        "source": source_text(caveats) if not caveats.empty else None,
    }


def year_list(years: list[int]) -> str:
    if not years:
        return "ingen år"

    return text.year_span(sorted(int(y) for y in years))


# --- plan --------------------------------------------------------------------------------------

PLAN_TYPES = {
    "planstrategi": "Planstrategi",
    "planprogram": "Planprogram",
    "samfunnsdel": "Samfunnsdel",
    "arealdel": "Arealdel",
}
PLAN_STATUS = {
    "vedtatt": "vedtatt",
    "under_arbeid": "under arbeid",
    "på_høring": "på høring",
    "ukjent": "ukjent",
}


def plan_sources(con, code: str) -> pd.DataFrame:
    """The collected plan status rows for the municipality (newest first), with Norwegian labels."""
    frame = plan_status.collected_rows(con, code).drop(columns=["municipality_code"])
    frame = frame.sort_values(["adopted", "period"], ascending=False, na_position="last").reset_index(
        drop=True
    )
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
