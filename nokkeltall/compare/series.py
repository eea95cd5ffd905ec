"""The figures behind a comparison: an indicator for the chosen municipalities with the county and
country references, values in a year, indexes, wide tables and ranks among the small municipalities."""

from __future__ import annotations

import math

import pandas as pd

from nokkeltall import provenance, queries
from nokkeltall.compare.choices import COUNTRY_CODE, COUNTRY_NAME, PEER_COUNTIES, SMALL_LIMIT

# --- series for the chosen municipalities with county and country lines ----------------------------


def municipality_names(con, codes) -> dict[str, str]:
    frame = queries.municipalities(con)
    names = dict(zip(frame["municipality_code"], frame["name"], strict=False))
    return {code: names.get(code, code) for code in codes}


def comparison_series(con, indicator_id: str, codes: list[str], references: bool = True) -> pd.DataFrame:
    """region_code, region, kind (kommune | fylke | land), year, value, recalculated.

    The counties of the chosen municipalities and the country are added as reference lines
    when their aggregate exists (years where a county lacks a member's figure have no value).
    """
    columns = ["region_code", "region", "kind", "year", "value", "recalculated"]
    codes = list(codes)
    frames = []
    if codes:
        series = queries.indicator_series(con, indicator_id, codes)
        names = municipality_names(con, codes)
        series = series.assign(
            region_code=series["municipality_code"],
            kind="kommune",
            region=series["municipality_code"].map(names),
        )
        series["_order"] = series["municipality_code"].map({code: i for i, code in enumerate(codes)})
        series = series.sort_values(["_order", "year"])
        frames.append(series[columns])
    if references and codes:
        all_municipalities = queries.municipalities(con)
        county_of = dict(
            zip(all_municipalities["municipality_code"], all_municipalities["county_code"], strict=False)
        )
        county_names = dict(
            zip(all_municipalities["county_code"], all_municipalities["county_name"], strict=False)
        )
        for county in dict.fromkeys(county_of[c] for c in codes if c in county_of):
            frames.append(
                _aggregate_frame(con, indicator_id, county, county_names.get(county, county), "fylke")
            )
        frames.append(_aggregate_frame(con, indicator_id, None, COUNTRY_NAME, "land"))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    out["year"] = out["year"].astype(int)
    return out


def _aggregate_frame(con, indicator_id: str, county: str | None, name: str, kind: str) -> pd.DataFrame:
    frame = queries.aggregate_series(con, indicator_id, county)
    frame = frame[frame["value"].notna()]
    if frame.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "region_code": county or COUNTRY_CODE,
            "region": name,
            "kind": kind,
            "year": frame["year"].astype(int),
            "value": frame["value"].astype(float),
            "recalculated": False,
        }
    )


def years_with_data(series: pd.DataFrame) -> list[int]:
    municipal = series[(series["kind"] == "kommune") & series["value"].notna()]
    return sorted(int(y) for y in municipal["year"].unique())


def latest_year(series: pd.DataFrame) -> int | None:
    years = years_with_data(series)
    return years[-1] if years else None


def values_in_year(
    series: pd.DataFrame, year: int, codes: list[str], names: dict | None = None
) -> pd.DataFrame:
    """One row per chosen municipality (in order, missing ones with value NaN) and reference."""
    in_year = series[series["year"] == year]
    rows = []
    names = {
        **series.drop_duplicates("region_code").set_index("region_code")["region"].to_dict(),
        **(names or {}),
    }
    for code in codes:
        match = in_year[in_year["region_code"] == code]
        rows.append(
            {
                "region_code": code,
                "region": names.get(code, code),
                "kind": "kommune",
                "year": year,
                "value": float(match["value"].iloc[0]) if not match.empty else math.nan,
            }
        )
    references = in_year[in_year["kind"] != "kommune"]
    for row in references.to_dict("records"):
        rows.append({k: row[k] for k in ("region_code", "region", "kind", "year", "value")})
    return pd.DataFrame(rows, columns=["region_code", "region", "kind", "year", "value"])


def index_series(series: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Each region's values as an index with ``base_year`` = 100.

    Regions without a positive value in the base year are left out (an index of 0 or a negative
    base is meaningless); ``attrs['without_base']`` names them.
    """
    base = series[series["year"] == base_year].set_index("region_code")["value"]
    usable = base[(base > 0) & base.notna()]
    out = series[series["region_code"].isin(usable.index) & (series["year"] >= base_year)].copy()
    out["value"] = out["value"] / out["region_code"].map(usable) * 100
    without = series.loc[~series["region_code"].isin(usable.index), "region"].drop_duplicates().tolist()
    out.attrs["without_base"] = without
    out.attrs["base_year"] = base_year
    return out.reset_index(drop=True)


def wide_table(series: pd.DataFrame, value_label: str = "value") -> pd.DataFrame:
    """Years as rows, regions (municipalities first, then county and country) as columns."""
    if series.empty:
        return pd.DataFrame(columns=["År"])
    order = series.drop_duplicates("region_code")["region"].tolist()
    table = series.pivot_table(
        index="year", columns="region", values=value_label, aggfunc="first", dropna=False
    )
    table = table.reindex(columns=[c for c in order if c in table.columns])
    table.index.name = "År"
    table.columns.name = None
    return table.reset_index()


# --- ranks among the small municipalities ---------------------------------------------------------


def small_peer_codes(con) -> list[str]:
    """Municipalities of Nordland and Trøndelag with fewer than 2 500 inhabitants (latest count)."""
    frame = queries.municipalities(con, list(PEER_COUNTIES))
    frame = frame[frame["population"].notna() & (frame["population"] < SMALL_LIMIT)]
    return frame["municipality_code"].tolist()


def rank_table(values: pd.DataFrame, peers: list[str], codes: list[str]) -> pd.DataFrame:
    """Rank (1 = highest value) of each chosen municipality among ``peers``.

    ``values``: municipality_code, value for one year. A chosen municipality outside the peer
    group is ranked as if it were added to it (``in_group`` False, and ``of`` counts it). A
    missing value gives no rank (never a rank as if it were 0).
    """
    known = values.dropna(subset=["value"]).set_index("municipality_code")["value"]
    peer_values = known[known.index.isin(peers)]
    rows = []
    for code in codes:
        value = known.get(code, math.nan)
        in_group = code in peers
        if pd.isna(value):
            rows.append(
                {
                    "municipality_code": code,
                    "value": math.nan,
                    "rank": pd.NA,
                    "of": len(peer_values),
                    "in_group": in_group,
                }
            )
            continue
        others = peer_values.drop(code, errors="ignore")
        rows.append(
            {
                "municipality_code": code,
                "value": float(value),
                "rank": int((others > value).sum()) + 1,
                "of": len(others) + 1,
                "in_group": in_group,
            }
        )
    frame = pd.DataFrame(rows, columns=["municipality_code", "value", "rank", "of", "in_group"])
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def peer_values(con, indicator_id: str, codes: list[str], year: int | None = None) -> pd.DataFrame:
    """All small peers plus the chosen municipalities in one year: municipality_code, region, value,
    rank (1 = highest, among peers plus that municipality), chosen, in_group, year.

    The year is the latest year in which the peer group has the figure (unless given).
    """
    peers = small_peer_codes(con)
    everyone = sorted(set(peers) | set(codes))
    series = queries.indicator_series(con, indicator_id, everyone)
    series = series[series["value"].notna()]
    peer_series = series[series["municipality_code"].isin(peers)]
    if year is None and not peer_series.empty:
        year = int(peer_series["year"].max())
    in_year = (
        series[series["year"] == year][["municipality_code", "value"]]
        if year is not None
        else series.iloc[0:0]
    )
    in_year = in_year.assign(value=in_year["value"].astype(float))
    return ranked_peers(con, in_year, peers, codes, year)


def ranked_peers(con, in_year: pd.DataFrame, peers: list[str], codes: list[str], year) -> pd.DataFrame:
    """``peer_values`` from one year's values (municipality_code, value) of the peers and the chosen."""
    everyone = sorted(set(peers) | set(codes))
    table = rank_table(in_year, peers, everyone)
    table["region"] = table["municipality_code"].map(municipality_names(con, everyone))
    table["chosen"] = table["municipality_code"].isin(codes)
    table["year"] = year
    table = table[table["in_group"] | table["chosen"]]
    return table.sort_values(["value", "region"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def ranks(con, indicator_id: str, codes: list[str], year: int | None = None) -> pd.DataFrame:
    """municipality_code, value, rank, of, in_group, region, year — for the chosen, in their order."""
    values = peer_values(con, indicator_id, codes, year)
    chosen = values[values["chosen"]].set_index("municipality_code").reindex(codes).reset_index()
    return chosen[["municipality_code", "value", "rank", "of", "in_group", "region", "year"]]


# --- sources ----------------------------------------------------------------------------------------


def indicator_source_rows(con, indicator_id: str) -> pd.DataFrame:
    frame = queries.indicator_sources(con, indicator_id)
    cols = ["table_id", "title", "publisher", "licence", "updated"]
    return frame[cols].drop_duplicates(subset=["table_id", "title", "publisher"]).reset_index(drop=True)


def source_text(con, indicator_id: str) -> str:
    """The source line under a figure, as on the municipality page (table and date)."""
    return provenance.indicator_source(con, indicator_id)
