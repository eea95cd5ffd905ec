"""What the user chose on the compare page, read from and written back to the URL: municipalities,
indicators, view and base year, each cleaned with a Norwegian message for what could not be used; and the
option lists offered once per database build."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from nokkeltall import indicators, queries
from nokkeltall.compare import projected

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
            f"Du kan sammenligne høyst {MAX_MUNICIPALITIES} kommuner. "
            f"Bare de {MAX_MUNICIPALITIES} første er med "
            f"({len(codes) - MAX_MUNICIPALITIES} er utelatt)."
        )
        codes = codes[:MAX_MUNICIPALITIES]
    return codes, problems


def parse_indicators(raw) -> tuple[list[str], list[str]]:
    ids, unknown = [], []
    for part in _split(raw):
        if part in indicators.BY_ID or projected.is_projected(part):
            if part not in ids:
                ids.append(part)
        else:
            unknown.append(part)
    problems = []
    for part in unknown[:5]:
        near = indicators.near_matches(part, [*indicators.BY_ID, projected.PROJECTED.id])
        hint = f" Mente du {', '.join(near[:3])}?" if near else ""
        problems.append(f"Ukjent indikator «{_shown(part)}» er utelatt.{hint}")
    return ids, problems


def parse_view(raw) -> tuple[str, list[str]]:
    if raw is None or str(raw).strip() == "":
        return DEFAULT_VIEW, []
    value = str(raw).strip().lower()
    if value in VIEWS:
        return value, []
    return DEFAULT_VIEW, [
        f"Ukjent visning «{_shown(str(raw))}»; viser {VIEWS[DEFAULT_VIEW].lower()}. "
        f"Mulige visninger: {', '.join(VIEWS)}."
    ]


def parse_base_year(raw, years) -> tuple[int | None, list[str]]:
    """The index base year; outside the data → None and a message naming the valid range."""
    years = sorted(int(y) for y in years)
    if raw is None or str(raw).strip() == "":
        return None, []
    given = str(raw).strip()
    if not years:
        return None, ["Det finnes ingen år med tall å lage indeks av."]
    if not (given.isascii() and given.isdigit() and len(given) <= 4) or int(given) not in years:  # «²» too
        return None, [
            f"Basisåret «{_shown(given)}» finnes ikke i dataene. Velg et år fra {years[0]} til "
            f"{years[-1]}; {default_base_year(years)} er brukt."
        ]
    return int(given), []


def default_base_year(years) -> int | None:
    """Ten years before the last year when the data reach back so far, else the first year."""
    years = sorted(int(y) for y in years)
    if not years:
        return None
    wanted = years[-1] - 10
    return wanted if wanted in years else years[0]


def indicator_years(con, indicator_id: str) -> list[int]:
    """The years in which any municipality has the indicator."""
    series = queries.indicator_series(con, indicator_id)
    return sorted(int(y) for y in series.loc[series["value"].notna(), "year"].unique())


# --- what the compare page offers (worked out once per database build) ---------------------------


@dataclass(frozen=True, eq=False)
class PageOptions:
    """The compare page's option lists: share it (``nokkeltall.ui.data.shared_call``), never mutate it."""

    municipalities: pd.DataFrame  # queries.municipalities: code, name, county, population
    codes: list[str]  # every municipality number, in order
    known: frozenset[str]
    labels: dict[str, str]  # «Træna (1835)»
    names: dict[str, str]  # «Træna»
    county_names: dict[str, str]  # county number → name, in number order
    county_of: dict[str, str]  # municipality number → county number
    population_years: list[int]
    indicator_ids: list[str]
    indicator_labels: dict[str, str]


def page_options(con) -> PageOptions:
    frame = queries.municipalities(con)
    codes = frame["municipality_code"].tolist()
    counties = frame[["county_code", "county_name"]].drop_duplicates().sort_values("county_code")
    return PageOptions(
        municipalities=frame,
        codes=codes,
        known=frozenset(codes),
        labels=dict(zip(codes, frame["name"] + " (" + frame["municipality_code"] + ")", strict=False)),
        names=dict(zip(codes, frame["name"], strict=False)),
        county_names=dict(zip(counties["county_code"], counties["county_name"], strict=False)),
        county_of=dict(zip(codes, frame["county_code"], strict=False)),
        population_years=indicator_years(con, "population"),
        indicator_ids=[i.id for i in (*indicators.CATALOGUE, projected.PROJECTED)],
        indicator_labels={i.id: i.label for i in (*indicators.CATALOGUE, projected.PROJECTED)},
    )
