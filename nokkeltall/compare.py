"""Comparison data: several municipalities × indicators, reference lines, index, ranks, and
«similar municipalities».

Plain functions of a DuckDB connection (or of DataFrames) — no Streamlit. The pages call them
through ``nokkeltall.ui.data.cached_call``.

Similar municipalities
----------------------
Each municipality is described by eight figures (``SIMILARITY_FEATURES``): population (log₁₀,
so 400 → 800 counts as much as 4 000 → 8 000), 10-year population change, share 67+ and 0–19,
employment rate, out-commuting, the cost-need index and the centrality index — each its latest
year. Every figure is turned into a z-score (value minus mean, divided by standard deviation)
**over all 357 municipalities**. We standardise nationally, not over the small municipalities
only, because the candidates may be any municipality in Norway (as with KOSTRA groups and
Kolada's «liknande kommuner»), because a national standard deviation does not change when the
candidate pool or the county selection changes (so a link always gives the same answer), and
because the 35 small municipalities of Nordland and Trøndelag are too few for stable spreads.

The distance between the chosen municipality and a candidate is the weighted root mean square of
the z-score differences, over the figures both have:

    d = sqrt( Σ wᵢ (zᵢ − zᵢ*)² / Σ wᵢ )

so it reads as «a typical difference of d standard deviations». Missing figures are never
treated as 0: a figure the chosen municipality lacks is left out for everyone (and said so); a
candidate missing a figure is compared on the rest, is listed with what it lacks, and is left out
when it lacks more than half of the weight. The municipality itself is never its own neighbour.
A figure is «close» when the difference is at most ``CLOSE_SD`` standard deviations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nokkeltall import charts, indicators, queries, text

MIN_MUNICIPALITIES = 2
MAX_MUNICIPALITIES = 8
SMALL_LIMIT = queries.SMALL_MUNICIPALITY_LIMIT  # «small» means fewer than 2 500 inhabitants
PEER_COUNTIES = queries.NETWORK_COUNTIES
PEER_GROUP_LABEL = "små kommuner (under 2 500 innbyggere) i Nordland og Trøndelag"
COUNTRY_CODE = "0"
COUNTRY_NAME = "Landet"

VIEWS = {
    "linjer": "Linjer over tid",
    "stolper": "Stolper for siste år",
    "indeks": "Indeks (basisår = 100)",
    "rangering": "Rangering blant små kommuner",
}
DEFAULT_VIEW = "linjer"
DEFAULT_INDICATORS = ("population",)


# --- parsing choices (URL values) -----------------------------------------------------------------

@dataclass
class Choices:
    """Validated choices plus the Norwegian messages about what was dropped."""

    codes: list[str] = field(default_factory=list)
    indicator_ids: list[str] = field(default_factory=list)
    view: str = DEFAULT_VIEW
    base_year: int | None = None
    problems: list[str] = field(default_factory=list)


def _split(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        raw = ",".join(str(r) for r in raw)
    return [part.strip() for part in re.split(r"[,;\s]+", str(raw)) if part.strip()]


def _shown(value: str, limit: int = 30) -> str:
    """A user-given value made safe to show inside «…» in Markdown."""
    value = value if len(value) <= limit else value[:limit] + "…"
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$])", r"\\\1", value)


def parse_codes(raw, known_codes) -> tuple[list[str], list[str]]:
    """Municipality numbers from ``?kommuner=1835,5043``: (valid codes in order, problems)."""
    known = set(known_codes)
    codes, unknown, problems = [], [], []
    for part in _split(raw):
        code = part.zfill(4) if part.isdigit() and len(part) in (3, 4) else part
        if code in known:
            if code not in codes:
                codes.append(code)
        else:
            unknown.append(part)
    if unknown:
        shown = ", ".join(f"«{_shown(u)}»" for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        problems.append(f"Fant ingen kommune med nummer {shown}. Disse er utelatt.")
    if len(codes) > MAX_MUNICIPALITIES:
        problems.append(
            f"Du kan sammenligne høyst {MAX_MUNICIPALITIES} kommuner. Bare de {MAX_MUNICIPALITIES} første er med "
            f"({len(codes) - MAX_MUNICIPALITIES} er utelatt)."
        )
        codes = codes[:MAX_MUNICIPALITIES]
    return codes, problems


def parse_indicators(raw) -> tuple[list[str], list[str]]:
    ids, unknown = [], []
    for part in _split(raw):
        if part in indicators.BY_ID:
            if part not in ids:
                ids.append(part)
        else:
            unknown.append(part)
    problems = []
    for part in unknown[:5]:
        near = indicators.near_matches(part, list(indicators.BY_ID))
        hint = f" Mente du {', '.join(near[:3])}?" if near else ""
        problems.append(f"Ukjent indikator «{_shown(part)}» er utelatt.{hint}")
    return ids, problems


def parse_view(raw) -> tuple[str, list[str]]:
    if raw is None or str(raw).strip() == "":
        return DEFAULT_VIEW, []
    value = str(raw).strip().lower()
    if value in VIEWS:
        return value, []
    return DEFAULT_VIEW, [f"Ukjent visning «{_shown(str(raw))}»; viser {VIEWS[DEFAULT_VIEW].lower()}. "
                          f"Mulige visninger: {', '.join(VIEWS)}."]


def parse_base_year(raw, years) -> tuple[int | None, list[str]]:
    """The index base year; outside the data → None and a message naming the valid range."""
    years = sorted(int(y) for y in years)
    if raw is None or str(raw).strip() == "":
        return None, []
    given = str(raw).strip()
    if not years:
        return None, ["Det finnes ingen år med tall å lage indeks av."]
    if not (given.isascii() and given.isdigit() and len(given) <= 4) or int(given) not in years:  # «²» too
        return None, [f"Basisåret «{_shown(given)}» finnes ikke i dataene. Velg et år fra {years[0]} til "
                      f"{years[-1]}; {default_base_year(years)} er brukt."]
    return int(given), []


def default_base_year(years) -> int | None:
    """Ten years before the last year when the data reach back so far, else the first year."""
    years = sorted(int(y) for y in years)
    if not years:
        return None
    wanted = years[-1] - 10
    return wanted if wanted in years else years[0]


# --- what the compare page offers (worked out once per database build) ---------------------------

@dataclass(frozen=True, eq=False)
class PageOptions:
    """The compare page's option lists: share it (``nokkeltall.ui.data.shared_call``), never mutate it."""

    municipalities: pd.DataFrame      # queries.municipalities: code, name, county, population
    codes: list[str]                  # every municipality number, in order
    known: frozenset[str]
    labels: dict[str, str]            # «Træna (1835)»
    names: dict[str, str]             # «Træna»
    county_names: dict[str, str]      # county number → name, in number order
    county_of: dict[str, str]         # municipality number → county number
    population_years: list[int]
    indicator_ids: list[str]
    indicator_labels: dict[str, str]


def page_options(con) -> PageOptions:
    frame = queries.municipalities(con)
    codes = frame["municipality_code"].tolist()
    counties = frame[["county_code", "county_name"]].drop_duplicates().sort_values("county_code")
    return PageOptions(
        municipalities=frame, codes=codes, known=frozenset(codes),
        labels=dict(zip(codes, frame["name"] + " (" + frame["municipality_code"] + ")")),
        names=dict(zip(codes, frame["name"])),
        county_names=dict(zip(counties["county_code"], counties["county_name"])),
        county_of=dict(zip(codes, frame["county_code"])),
        population_years=indicator_years(con, "population"),
        indicator_ids=[i.id for i in indicators.CATALOGUE],
        indicator_labels={i.id: i.label for i in indicators.CATALOGUE},
    )


# --- series for the chosen municipalities with county and country lines ----------------------------

def municipality_names(con, codes) -> dict[str, str]:
    frame = queries.municipalities(con)
    names = dict(zip(frame["municipality_code"], frame["name"]))
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
        series = series.assign(region_code=series["municipality_code"], kind="kommune",
                               region=series["municipality_code"].map(names))
        series["_order"] = series["municipality_code"].map({code: i for i, code in enumerate(codes)})
        series = series.sort_values(["_order", "year"])
        frames.append(series[columns])
    if references and codes:
        all_municipalities = queries.municipalities(con)
        county_of = dict(zip(all_municipalities["municipality_code"], all_municipalities["county_code"]))
        county_names = dict(zip(all_municipalities["county_code"], all_municipalities["county_name"]))
        for county in dict.fromkeys(county_of[c] for c in codes if c in county_of):
            frames.append(_aggregate_frame(con, indicator_id, county, county_names.get(county, county), "fylke"))
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
    return pd.DataFrame({"region_code": county or COUNTRY_CODE, "region": name, "kind": kind,
                         "year": frame["year"].astype(int), "value": frame["value"].astype(float),
                         "recalculated": False})


def missing_references(series: pd.DataFrame) -> bool:
    return not (series["kind"] != "kommune").any() if not series.empty else True


def indicator_years(con, indicator_id: str) -> list[int]:
    """The years in which any municipality has the indicator."""
    series = queries.indicator_series(con, indicator_id)
    return sorted(int(y) for y in series.loc[series["value"].notna(), "year"].unique())


def years_with_data(series: pd.DataFrame) -> list[int]:
    municipal = series[(series["kind"] == "kommune") & series["value"].notna()]
    return sorted(int(y) for y in municipal["year"].unique())


def latest_year(series: pd.DataFrame) -> int | None:
    years = years_with_data(series)
    return years[-1] if years else None


def values_in_year(series: pd.DataFrame, year: int, codes: list[str], names: dict | None = None) -> pd.DataFrame:
    """One row per chosen municipality (in order, missing ones with value NaN) and reference."""
    in_year = series[series["year"] == year]
    rows = []
    names = {**series.drop_duplicates("region_code").set_index("region_code")["region"].to_dict(), **(names or {})}
    for code in codes:
        match = in_year[in_year["region_code"] == code]
        rows.append({"region_code": code, "region": names.get(code, code), "kind": "kommune", "year": year,
                     "value": float(match["value"].iloc[0]) if not match.empty else math.nan})
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
    table = series.pivot_table(index="year", columns="region", values=value_label, aggfunc="first", dropna=False)
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
            rows.append({"municipality_code": code, "value": math.nan, "rank": pd.NA, "of": len(peer_values),
                         "in_group": in_group})
            continue
        others = peer_values.drop(code, errors="ignore")
        rows.append({"municipality_code": code, "value": float(value), "rank": int((others > value).sum()) + 1,
                     "of": len(others) + 1, "in_group": in_group})
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
    in_year = series[series["year"] == year][["municipality_code", "value"]] if year is not None else series.iloc[0:0]
    in_year = in_year.assign(value=in_year["value"].astype(float))
    table = rank_table(in_year, peers, everyone)
    table["region"] = table["municipality_code"].map(municipality_names(con, everyone))
    table["chosen"] = table["municipality_code"].isin(codes)
    table["year"] = year
    table = table[table["in_group"] | table["chosen"]]
    return table.sort_values(["value", "region"], ascending=[False, True], na_position="last").reset_index(drop=True)


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
    return charts.indicator_source(con, indicator_id)


# --- similar municipalities -----------------------------------------------------------------------

@dataclass(frozen=True)
class Feature:
    id: str
    label: str
    indicator_id: str
    log: bool = False


SIMILARITY_FEATURES: tuple[Feature, ...] = (
    Feature("population_log", "Folketall", "population", log=True),
    Feature("population_change_10y_pct", "Befolkningsendring 10 år", "population_change_10y_pct"),
    Feature("share_67_plus_pct", "Andel 67+", "share_67_plus_pct"),
    Feature("share_0_19_pct", "Andel 0–19", "share_0_19_pct"),
    Feature("employment_rate_15_74_pct", "Sysselsetting", "employment_rate_15_74_pct"),
    Feature("out_commuting_pct", "Utpendling", "out_commuting_pct"),
    Feature("cost_need_index", "Kostnadsindeks", "cost_need_index"),
    Feature("centrality_index", "Sentralitet", "centrality_index"),
)
FEATURES_BY_ID = {f.id: f for f in SIMILARITY_FEATURES}
DEFAULT_WEIGHTS = {f.id: 1.0 for f in SIMILARITY_FEATURES}
CLOSE_SD = 0.25
MIN_WEIGHT_SHARE = 0.5


class SimilarityError(ValueError):
    """The similarity cannot be computed; the message is Norwegian."""


def similarity_features(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features, raw): both indexed by municipality_code for all municipalities.

    ``features`` holds the numbers that are standardised (population as log₁₀); ``raw`` holds the
    values as shown to users plus ``<feature>__year``. Missing stays NaN.
    """
    ids = list(dict.fromkeys(f.indicator_id for f in SIMILARITY_FEATURES))
    latest = queries.latest_values(con, ids)
    everyone = queries.municipalities(con)[["municipality_code"]]
    latest = everyone.merge(latest, on="municipality_code", how="left").set_index("municipality_code")
    features, raw = pd.DataFrame(index=latest.index), pd.DataFrame(index=latest.index)
    for feature in SIMILARITY_FEATURES:
        values = pd.to_numeric(latest[feature.indicator_id], errors="coerce").astype(float)
        raw[feature.id] = values
        raw[f"{feature.id}__year"] = latest[f"{feature.indicator_id}__year"]
        features[feature.id] = np.log10(values.where(values > 0)) if feature.log else values
    return features, raw


def standardise(features: pd.DataFrame, over: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """z-scores using the mean and (population) standard deviation of the rows ``over`` (None = all).

    Returns (z, unusable feature ids — no spread or no values in the reference group).
    """
    reference = features if over is None else features.loc[features.index.intersection(over)]
    mean, std = reference.mean(skipna=True), reference.std(ddof=0, skipna=True)
    unusable = [c for c in features.columns if not (std[c] > 0)]
    z = (features - mean) / std.where(std > 0)
    return z.drop(columns=unusable), unusable


def similar_municipalities(features: pd.DataFrame, target: str, weights: dict[str, float] | None = None,
                           candidates: list[str] | None = None, limit: int = 10,
                           standardise_over: list[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The municipalities nearest to ``target``; returns (table, Norwegian notes).

    ``features``: one row per municipality (index = code), one column per feature, NaN = missing.
    ``weights``: feature id → weight ≥ 0 (missing ids get 0 when a dict is given; None = all 1).
    ``candidates``: codes to choose among (None = all); the target is always excluded.
    Table columns: municipality_code, distance, features_used, close (ids within ``CLOSE_SD``),
    differs_most (id), missing (ids the candidate lacks), and ``z_<id>`` differences.
    """
    if target not in features.index:
        raise SimilarityError("Kommunen finnes ikke i sammenligningsgrunnlaget.")
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    columns = [c for c in features.columns if c in weights]
    if any(float(weights[c]) < 0 for c in columns):
        raise SimilarityError("Vektene kan ikke være negative.")
    z, unusable = standardise(features[columns], standardise_over)
    notes = []
    if unusable:
        notes.append("Uten spredning i dataene, derfor utelatt: " + ", ".join(_feature_label(c) for c in unusable) + ".")
    target_z = z.loc[target]
    lacking = [c for c in z.columns if pd.isna(target_z[c])]
    if lacking:
        notes.append("Kommunen mangler tall for " + ", ".join(_feature_label(c) for c in lacking)
                     + "; disse er utelatt fra sammenligningen.")
    used = [c for c in z.columns if c not in lacking and float(weights[c]) > 0]
    if not used:
        raise SimilarityError("Minst én av egenskapene må ha vekt over 0 (og tall for kommunen).")
    w = pd.Series({c: float(weights[c]) for c in used})
    pool = z.index if candidates is None else z.index.intersection(list(candidates))
    pool = pool.drop(target, errors="ignore")
    diffs = z.loc[pool, used] - target_z[used]
    present = diffs.notna()
    weight_present = present.mul(w, axis=1).sum(axis=1)
    squared = (diffs ** 2).mul(w, axis=1).sum(axis=1, min_count=1)
    distance = np.sqrt(squared / weight_present.where(weight_present > 0))
    enough = weight_present >= MIN_WEIGHT_SHARE * w.sum()
    dropped = int((~enough).sum())
    if dropped:
        notes.append(f"{dropped} kommune(r) mangler tall for mer enn halvparten av vektene og er ikke med.")
    keep = distance[enough].dropna().sort_values(kind="stable")
    keep = keep.iloc[:limit]
    rows = []
    for code, dist in keep.items():
        diff = diffs.loc[code]
        weighted = (diff.abs() * np.sqrt(w)).dropna()
        rows.append({
            "municipality_code": code,
            "distance": float(dist),
            "features_used": int(present.loc[code].sum()),
            "close": [c for c in used if pd.notna(diff[c]) and abs(diff[c]) <= CLOSE_SD],
            "differs_most": weighted.idxmax() if not weighted.empty else None,
            "missing": [c for c in used if pd.isna(diff[c])],
            **{f"z_{c}": (float(diff[c]) if pd.notna(diff[c]) else math.nan) for c in used},
        })
    table = pd.DataFrame(rows, columns=["municipality_code", "distance", "features_used", "close", "differs_most",
                                        "missing", *[f"z_{c}" for c in used]])
    return table, notes


def _feature_label(feature_id: str) -> str:
    feature = FEATURES_BY_ID.get(feature_id)
    return feature.label if feature else feature_id


def feature_value_text(feature_id: str, value) -> str:
    """A raw feature value formatted as its indicator is (population as persons, not log)."""
    feature = FEATURES_BY_ID[feature_id]
    indicator = indicators.get(feature.indicator_id)
    return text.formatted(value, indicator.unit, indicator.decimals)


def similar_table(con, target: str, weights: dict[str, float] | None = None, small_only: bool = False,
                  limit: int = 10) -> tuple[pd.DataFrame, list[str]]:
    """Similar municipalities with names and reasons in Norwegian, ready to show.

    Columns: Kommune, Avstand, Nær på, Skiller seg mest på, Mangler, municipality_code.
    """
    features, raw = similarity_features(con)
    everyone = queries.municipalities(con)
    candidates = None
    if small_only:
        small = everyone[everyone["population"].notna() & (everyone["population"] < SMALL_LIMIT)]
        candidates = small["municipality_code"].tolist()
    table, notes = similar_municipalities(features, target, weights, candidates, limit)
    names = dict(zip(everyone["municipality_code"], everyone["name"]))

    def described(code: str, ids: list[str]) -> str:
        return "; ".join(
            f"{_feature_label(f)} {feature_value_text(f, raw.at[code, f])} (mot {feature_value_text(f, raw.at[target, f])})"
            for f in ids
        ) or "–"

    shown = pd.DataFrame({
        "Kommune": [f"{names.get(c, c)} ({c})" for c in table["municipality_code"]],
        "Avstand": [text.number(d, 2) for d in table["distance"]],  # Norwegian decimal comma
        "Nær på": [described(c, ids) for c, ids in zip(table["municipality_code"], table["close"])],
        "Skiller seg mest på": [described(c, [f]) if f else "–" for c, f in zip(table["municipality_code"],
                                                                              table["differs_most"])],
        "Mangler": [", ".join(_feature_label(f) for f in ids) or "–" for ids in table["missing"]],
        "municipality_code": table["municipality_code"],
    })
    return shown, notes


def target_profile(con, target: str) -> pd.DataFrame:
    """The chosen municipality's figures that the similarity uses, with their year."""
    _, raw = similarity_features(con)
    rows = []
    for feature in SIMILARITY_FEATURES:
        year = raw.at[target, f"{feature.id}__year"] if target in raw.index else None
        rows.append({"Egenskap": feature.label,
                     "Verdi": feature_value_text(feature.id, raw.at[target, feature.id]) if target in raw.index
                     else text.MISSING,
                     "År": "–" if year is None or pd.isna(year) else str(int(year))})
    return pd.DataFrame(rows)


def parse_weights(raw) -> tuple[dict[str, float], list[str]]:
    """``vekter=population_log:2,centrality_index:0`` → weights (others 1) and problems."""
    weights = dict(DEFAULT_WEIGHTS)
    problems, unknown = [], []
    for part in _split(raw):
        key, _, value = part.partition(":")
        if key not in weights:
            unknown.append(key)
            continue
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not (0 <= number <= 5):
            problems.append(f"Vekten for {_feature_label(key)} må være et tall fra 0 til 5; 1 er brukt.")
            continue
        weights[key] = number
    if unknown:  # one message, however many (500 unknown weights are one warning, not 500)
        more = f" og {len(unknown) - 5} til" if len(unknown) > 5 else ""
        shown = ", ".join(f"«{_shown(key)}»" for key in unknown[:5]) + more
        problems.insert(0, f"Ukjent{'e vekter' if len(unknown) > 1 else ' vekt'} {shown} er utelatt.")
    return weights, list(dict.fromkeys(problems))  # a repeated faulty weight is named once


def weights_to_text(weights: dict[str, float]) -> str:
    """Only the weights that differ from 1, in a stable order (empty when all are default)."""
    return ",".join(f"{f.id}:{float(weights[f.id]):g}" for f in SIMILARITY_FEATURES if f.id in weights and float(weights[f.id]) != 1.0)
