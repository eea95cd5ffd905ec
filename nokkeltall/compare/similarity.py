"""Similar municipalities: standardised features (population, change, age, work, cost need,
centrality), weighted distances with the reasons shown, and the weights in the URL."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nokkeltall import indicators, queries, text
from nokkeltall.compare.choices import SMALL_LIMIT, _shown, _split

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


def similar_municipalities(
    features: pd.DataFrame,
    target: str,
    weights: dict[str, float] | None = None,
    candidates: list[str] | None = None,
    limit: int = 10,
    standardise_over: list[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
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
        notes.append(
            "Uten spredning i dataene, derfor utelatt: "
            + ", ".join(_feature_label(c) for c in unusable)
            + "."
        )
    target_z = z.loc[target]
    lacking = [c for c in z.columns if pd.isna(target_z[c])]
    if lacking:
        notes.append(
            "Kommunen mangler tall for "
            + ", ".join(_feature_label(c) for c in lacking)
            + "; disse er utelatt fra sammenligningen."
        )
    used = [c for c in z.columns if c not in lacking and float(weights[c]) > 0]
    if not used:
        raise SimilarityError("Minst én av egenskapene må ha vekt over 0 (og tall for kommunen).")
    w = pd.Series({c: float(weights[c]) for c in used})
    pool = z.index if candidates is None else z.index.intersection(list(candidates))
    pool = pool.drop(target, errors="ignore")
    diffs = z.loc[pool, used] - target_z[used]
    present = diffs.notna()
    weight_present = present.mul(w, axis=1).sum(axis=1)
    squared = (diffs**2).mul(w, axis=1).sum(axis=1, min_count=1)
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
        rows.append(
            {
                "municipality_code": code,
                "distance": float(dist),
                "features_used": int(present.loc[code].sum()),
                "close": [c for c in used if pd.notna(diff[c]) and abs(diff[c]) <= CLOSE_SD],
                "differs_most": weighted.idxmax() if not weighted.empty else None,
                "missing": [c for c in used if pd.isna(diff[c])],
                **{f"z_{c}": (float(diff[c]) if pd.notna(diff[c]) else math.nan) for c in used},
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "municipality_code",
            "distance",
            "features_used",
            "close",
            "differs_most",
            "missing",
            *[f"z_{c}" for c in used],
        ],
    )
    return table, notes


def _feature_label(feature_id: str) -> str:
    feature = FEATURES_BY_ID.get(feature_id)
    return feature.label if feature else feature_id


def feature_value_text(feature_id: str, value) -> str:
    """A raw feature value formatted as its indicator is (population as persons, not log)."""
    feature = FEATURES_BY_ID[feature_id]
    indicator = indicators.get(feature.indicator_id)
    return text.formatted(value, indicator.unit, indicator.decimals)


def similar_table(
    con, target: str, weights: dict[str, float] | None = None, small_only: bool = False, limit: int = 10
) -> tuple[pd.DataFrame, list[str]]:
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
    names = dict(zip(everyone["municipality_code"], everyone["name"], strict=False))

    def described(code: str, ids: list[str]) -> str:
        return (
            "; ".join(
                f"{_feature_label(f)} {feature_value_text(f, raw.at[code, f])} "
                f"(mot {feature_value_text(f, raw.at[target, f])})"
                for f in ids
            )
            or "–"
        )

    shown = pd.DataFrame(
        {
            "Kommune": [f"{names.get(c, c)} ({c})" for c in table["municipality_code"]],
            "Avstand": [text.number(d, 2) for d in table["distance"]],  # Norwegian decimal comma
            "Nær på": [
                described(c, ids) for c, ids in zip(table["municipality_code"], table["close"], strict=False)
            ],
            "Skiller seg mest på": [
                described(c, [f]) if f else "–"
                for c, f in zip(table["municipality_code"], table["differs_most"], strict=False)
            ],
            "Mangler": [", ".join(_feature_label(f) for f in ids) or "–" for ids in table["missing"]],
            "municipality_code": table["municipality_code"],
        }
    )
    return shown, notes


def target_profile(con, target: str) -> pd.DataFrame:
    """The chosen municipality's figures that the similarity uses, with their year."""
    _, raw = similarity_features(con)
    rows = []
    for feature in SIMILARITY_FEATURES:
        year = raw.at[target, f"{feature.id}__year"] if target in raw.index else None
        rows.append(
            {
                "Egenskap": feature.label,
                "Verdi": feature_value_text(feature.id, raw.at[target, feature.id])
                if target in raw.index
                else text.MISSING,
                "År": "–" if year is None or pd.isna(year) else str(int(year)),
            }
        )
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
    return ",".join(
        f"{f.id}:{float(weights[f.id]):g}"
        for f in SIMILARITY_FEATURES
        if f.id in weights and float(weights[f.id]) != 1.0
    )
