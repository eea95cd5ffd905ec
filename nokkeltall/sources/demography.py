"""Population components (06913, annual extract) and county population projections (14288)."""

from __future__ import annotations

import csv
import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    About,
    first_line,
    header_is,
    matched,
    observations,
    read_csv,
    to_number,
    to_year,
    year_span,
)

COMPONENTS_COLUMNS = ["kode", "variabel", "aar", "verdi"]
COMPONENT_MEASURES = {
    "Fodselsoverskudd": "natural_increase",  # births − deaths during the year
    "Nettoinnflytting": "net_migration",  # net migration during the year (incl. international)
    "Folkemengde": "population_06913",  # population 1 January of the year
}


COMPONENTS_06913 = About(
    "06913",
    "Befolkning 1. januar og befolkningsendringer i løpet av året (utdrag)",
    caveat="Utdrag (kommuner i Nordland og Trøndelag, også historiske numre) av en fil lastet ned av "
    "tredjepart (oystess/valg_analyser); nedlastingsdato og tabellversjon er ikke oppgitt. "
    "Fødselsoverskudd og nettoinnflytting gjelder året, folkemengden 1. januar. Tall på "
    "datidens kommunegrenser.",
)


def parse_components_06913(source: SourceFile) -> list[Dataset]:
    """06913 extract → observations: Fodselsoverskudd → ``natural_increase`` and Nettoinnflytting
    → ``net_migration`` (during year t), Folkemengde → ``population_06913`` (1 January of t)."""
    frame = read_csv(source)
    unknown = sorted(set(frame["variabel"]) - set(COMPONENT_MEASURES))
    if unknown:
        raise ValueError(f"06913: ukjente variabler {unknown}")
    obs = observations(
        pd.DataFrame(
            {
                "region_code": frame["kode"],
                "year": to_year(frame["aar"], "aar"),
                "measure": frame["variabel"].map(COMPONENT_MEASURES),
                "value": to_number(frame["verdi"], "verdi"),
            }
        )
    )
    return [
        COMPONENTS_06913.dataset(
            source, f"population_changes_06913_{year_span(obs['year'])}", "observations", obs
        )
    ]


COUNTY_CODES_2024 = {
    "Østfold": "31",
    "Akershus": "32",
    "Buskerud": "33",
    "Oslo": "03",
    "Innlandet": "34",
    "Vestfold": "39",
    "Telemark": "40",
    "Agder": "42",
    "Rogaland": "11",
    "Vestland": "46",
    "Møre og Romsdal": "15",
    "Trøndelag": "50",
    "Nordland": "18",
    "Troms": "55",
    "Finnmark": "56",
}
PROJECTION_COLUMN = re.compile(r"^(?P<county>.+?)_(?P<label>[^_]+) \((?P<alternative>[A-Z]{4})\)$")


def _is_projection(source: SourceFile) -> bool:
    row = next(csv.reader([first_line(source)]), [])
    return len(row) > 1 and row[0] == "Tid" and all(PROJECTION_COLUMN.match(column) for column in row[1:])


PROJECTIONS_14288 = About(
    "14288",
    "Framskrevet folkemengde 1. januar, etter fylke (2024-framskrivingene)",
    caveat="Kun fylkesnivå. Summert over kjønn og aldersgrupper av tredjepart (JohanWidding); "
    "alternativene MMMM (hoved), HHMH (høy nasjonal vekst) og LLML (lav nasjonal vekst).",
)


def parse_projections_14288(source: SourceFile) -> list[Dataset]:
    """14288 county projections (wide) → county_observations ``projected_population_<alt>``
    (alt = mmmm main, hhmh high, llml low), population 1 January of each year. County names
    ("Nordland - Nordlánnda") map to 2024 county numbers."""
    frame = read_csv(source)
    years = to_year(frame["Tid"], "Tid")
    parts = []
    for column in frame.columns[1:]:
        match = matched(PROJECTION_COLUMN, column)
        county_name = match.group("county").split(" - ")[0].strip()
        if county_name not in COUNTY_CODES_2024:
            raise ValueError(f"14288: ukjent fylke {county_name!r}")
        parts.append(
            pd.DataFrame(
                {
                    "county_code": COUNTY_CODES_2024[county_name],
                    "year": years,
                    "measure": f"projected_population_{match.group('alternative').lower()}",
                    "value": to_number(frame[column], column),
                }
            )
        )
    result = pd.concat(parts, ignore_index=True).sort_values(
        ["measure", "county_code", "year"], kind="stable"
    )
    return [
        PROJECTIONS_14288.dataset(
            source,
            f"population_projections_14288_counties_{year_span(result['year'])}",
            "county_observations",
            result,
        )
    ]


LAYOUTS: list[Layout] = [
    Layout(
        "06913 befolkningsendringer, langt utdrag (CSV)",
        lambda s: header_is(s, COMPONENTS_COLUMNS),
        parse_components_06913,
    ),
    Layout("14288 framskrevet folkemengde, fylker (bred CSV)", _is_projection, parse_projections_14288),
]
