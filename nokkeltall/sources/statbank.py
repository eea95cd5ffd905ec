"""SSB JSON-stat series: 01222 quarterly population changes, 07182 households by income,
11694 holiday property transfers and 06096 cohabitation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from nokkeltall import jsonstat
from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile, UnknownLayoutError
from nokkeltall.sources.readers import About, observations, parsed_json, to_year

QUARTERLY_01222 = {
    "Folketallet1": "population_start_of_quarter",
    "Fodte2": "births",
    "Dode3": "deaths",
    "Fodselsoverskudd4": "natural_increase",
    "Innvandring5": "immigration",
    "Utvandring6": "emigration",
    "Tilflytting7": "domestic_in_migration",
    "Fraflytting8": "domestic_out_migration",
    "Nettoinnflytting9": "net_migration",
    "Folketilvekst10": "population_growth",
    "Folketallet11": "population_end_of_quarter",
}
HOUSEHOLDS_07182 = {
    "Hushold": "households_total",
    "Inntekt1": "households_income_after_tax_below_150k_pct",
    "Inntekt2": "households_income_after_tax_150k_249k_pct",
    "Inntekt3": "households_income_after_tax_250k_349k_pct",
    "Inntekt4": "households_income_after_tax_350k_449k_pct",
    "Inntekt5": "households_income_after_tax_450k_549k_pct",
    "Inntekt6": "households_income_after_tax_550k_749k_pct",
    "Inntekt7": "households_income_after_tax_750k_plus_pct",
}
HOLIDAY_PROPERTY_11694 = {
    "Omsetninger": "holiday_property_transfers",
    "Kjopesum": "holiday_property_purchase_price_1000nok",
    "OmsetningerHjemmel": "holiday_property_title_transfers",
    "KjopesumHjemmel": "holiday_property_title_purchase_price_1000nok",
    "OmsetningFest": "holiday_property_lease_transfers",
    "KjopesumFest": "holiday_property_lease_purchase_price_1000nok",
}
COHABITATION_06096 = {
    "01": "married_share_18plus_pct",
    "02": "cohabiting_share_18plus_pct",
    "03": "not_in_couple_share_18plus_pct",
}


def _measure_by_code(mapping: dict[str, str], column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def measure(frame: pd.DataFrame) -> pd.Series:
        unknown = sorted(set(frame[column]) - set(mapping))
        if unknown:
            raise ValueError(f"ukjente koder i {column}: {unknown}")
        return frame[column].map(mapping)

    return measure


def _quarterly_measure(frame: pd.DataFrame) -> pd.Series:
    base = _measure_by_code(QUARTERLY_01222, "ContentsCode")(frame)
    return base + "_q" + frame["Tid"].str[-1]


JSONSTAT_TABLES: dict[str, dict[str, Any]] = {
    "01222": {
        "name": "population_changes_quarterly_01222",
        "title": "Befolkning og befolkningsendringer i løpet av kvartalet, etter region og kvartal",
        "measure": _quarterly_measure,
        "present_if_nonzero": ["Folketallet1", "Folketallet11"],
        "caveat": "Kvartalstall, lagret som egne mål per kvartal (f.eks. births_q1 … births_q4 med "
        "årstallet i year; folketall ved kvartalets start/slutt). Kvartalssummer kan avvike "
        "litt fra årsstatistikken (06913). Koder som ikke var i bruk i et kvartal er utelatt.",
    },
    "07182": {
        "name": "households_income_07182",
        "title": "Husholdninger, etter region og år, og andel etter inntekt etter skatt",
        "measure": _measure_by_code(HOUSEHOLDS_07182, "ContentsCode"),
        "present_if_nonzero": ["Hushold"],
        "caveat": "Inntektsgruppene er prosent av husholdningene (households_total er antall). "
        "Røyrvik står som 1739 til 2017 og 5043 fra 2018.",
    },
    "11694": {
        "name": "holiday_property_transfers_11694",
        "title": "Omsetninger og kjøpesum for fritidseiendommer med bygning, etter region og år",
        "measure": _measure_by_code(HOLIDAY_PROPERTY_11694, "ContentsCode"),
        "present_if_nonzero": None,  # genuine zero transfers exist; rely on the label's validity years
        "caveat": "Kjøpesum i 1000 kr. Skjermede tall (:) er tomme.",
    },
    "06096": {
        "name": "cohabitation_06096",
        "title": "Personer 18 år og over i privathusholdninger (prosent), etter samlivsform",
        "measure": _measure_by_code(COHABITATION_06096, "Samlivsform"),
        "present_if_nonzero": ["01", "02", "03"],
        "caveat": None,
    },
}


def _validity_years(label: str) -> tuple[int | None, int | None]:
    """SSB region labels carry validity: "Halden (2020-2023)", "Narvik (-2019)"."""
    match = re.search(r"\((\d{4})?-(\d{4})\)\s*$", label)
    if not match:
        return None, None
    start = int(match.group(1)) if match.group(1) else None
    return start, int(match.group(2))


def _jsonstat_table(source: SourceFile) -> str | None:
    doc = parsed_json(source)
    if not isinstance(doc, dict) or ("dataset" not in doc and doc.get("class") != "dataset"):
        return None
    try:
        return jsonstat.table_id(jsonstat.as_v2(doc))
    except jsonstat.JsonStatError:
        return None


def parse_jsonstat_table(source: SourceFile) -> list[Dataset]:
    """SSB JSON-stat (2.0, or SSB's older 1.x response) → observations.

    * region codes normalised (see ``region_code``); non-municipalities dropped;
    * a region/period where the code was not in use is dropped: outside the years in its label
      ("Halden (2020-2023)"), or — per table — all key values 0/empty (SSB fills unused codes
      with 0 or '.'): 01222 population at start and end of quarter, 07182 number of households,
      06096 all three shares. 11694 has genuine zero transfers, so only the label rule applies;
    * status symbols '.', '..', ':' are <NA>.
    Measure names: see the ``*_01222/07182/11694/06096`` dictionaries above.
    """
    doc = jsonstat.as_v2(parsed_json(source))
    table = jsonstat.table_id(doc)
    spec = JSONSTAT_TABLES.get(table or "")
    if table is None or spec is None:
        raise UnknownLayoutError(f"{source.name}: JSON-stat-tabell {table!r} støttes ikke")
    frame = jsonstat.to_frame(doc)
    region_dim = _role(doc, "geo", "Region")
    time_dim = _role(doc, "time", "Tid")
    frame = _drop_unused_codes(frame, doc, region_dim, time_dim, spec["present_if_nonzero"])
    times = frame[time_dim].astype(str)
    obs = observations(
        pd.DataFrame(
            {
                "region_code": frame[region_dim].to_numpy(),
                "year": to_year(times.str[:4], time_dim).to_numpy(),
                "measure": spec["measure"](frame).to_numpy(),
                "value": frame["value"].to_numpy(),
            }
        )
    )
    periods = sorted(set(times))
    first, last = periods[0].lower().replace("k", "q"), periods[-1].lower().replace("k", "q")
    return [
        About(table, spec["title"], caveat=spec["caveat"]).dataset(
            source,
            f"{spec['name']}_{first}_{last}",
            "observations",
            obs,
            updated=jsonstat.updated(doc),
            extra={"periods": periods},
        )
    ]


def _role(doc: dict, role: str, default: str) -> str:
    names = (doc.get("role") or {}).get(role) or [default]
    if names[0] not in doc["id"]:
        raise ValueError(f"JSON-stat: finner ikke dimensjonen for {role}")
    return names[0]


def _drop_unused_codes(
    frame: pd.DataFrame, doc: dict, region_dim: str, time_dim: str, key_codes: list[str] | None
) -> pd.DataFrame:
    labels = jsonstat.dimension_labels(doc, region_dim)
    validity = {code: _validity_years(label) for code, label in labels.items()}
    in_use = []
    for code, period in zip(frame[region_dim], frame[time_dim], strict=True):
        start, end = validity[code]
        year = int(str(period)[:4])
        in_use.append((start is None or year >= start) and (end is None or year <= end))
    frame = frame[in_use]
    if key_codes:
        measure_dims = [d for d in doc["id"] if d not in (region_dim, time_dim)]
        is_key = frame[measure_dims].isin(key_codes).any(axis=1)
        key_values = frame[is_key].assign(nonzero=frame["value"].fillna(0) != 0)
        present = key_values.groupby([region_dim, time_dim])["nonzero"].any()
        present = present[present].index
        slice_index = pd.MultiIndex.from_frame(frame[[region_dim, time_dim]])
        frame = frame[slice_index.isin(present)]
    return frame


def _jsonstat_layout(table: str) -> Layout:
    return Layout(
        name=f"SSB JSON-stat {table}",
        sniff=lambda source: _jsonstat_table(source) == table,
        parse=parse_jsonstat_table,
    )


LAYOUTS: list[Layout] = [_jsonstat_layout(table) for table in JSONSTAT_TABLES]
