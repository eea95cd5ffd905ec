"""Employment by residence and workplace (11618) and commuting flows (03321), from SSB's
«pendling» app."""

from __future__ import annotations

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    About,
    header_is,
    read_csv,
    region_code,
    to_number,
    to_year,
    wide_to_observations,
    year_span,
)

EMPLOYMENT_COLUMNS = ["ar", "kommunenummer", "BefolkningBosted", "SysselBosted", "SysselArbsted"]


EMPLOYMENT_11618 = About(
    "11618",
    "Sysselsatte 15–74 år etter bosted og arbeidssted (4. kvartal), og befolkning 15–74 år",
    caveat="Omgjort fra SSBs app «pendling» (R-data) til CSV av tredjepart. Kommunenummer er "
    "inndelingen det enkelte år (2017: før 2018/2020-reformene).",
)


def parse_employment_11618(source: SourceFile) -> list[Dataset]:
    """11618 → observations (4th quarter each year):

    BefolkningBosted → ``population_15_74``, SysselBosted → ``employed_residents_15_74``,
    SysselArbsted → ``employed_workplace_15_74``. Codes are the numbering of each year.
    """
    frame = read_csv(source)
    years = to_year(frame["ar"], "ar")
    obs = wide_to_observations(
        frame,
        "kommunenummer",
        years,
        {
            "BefolkningBosted": "population_15_74",
            "SysselBosted": "employed_residents_15_74",
            "SysselArbsted": "employed_workplace_15_74",
        },
    )
    return [
        EMPLOYMENT_11618.dataset(source, f"employment_11618_{year_span(obs['year'])}", "observations", obs)
    ]


COMMUTING_COLUMNS = ["ar", "bostedskommune", "arbeidsstedskommune", "sysselsatte"]


COMMUTING_03321 = About(
    "03321",
    "Sysselsatte (15–74 år), etter arbeidsstedskommune, bostedskommune og år (4. kvartal)",
    caveat="Omgjort fra SSBs app «pendling» (R-data). Strømmer på null personer og til/fra ukjent "
    "kommune, utlandet og Svalbard er ikke med. Kommunenummer er inndelingen det enkelte år.",
)


def parse_commuting_03321(source: SourceFile) -> list[Dataset]:
    """03321 → commuting_flows. Flows to/from non-municipality codes are dropped (the source
    app had already removed unknown/abroad/Svalbard); zero flows were dropped by the converter."""
    frame = read_csv(source)
    flows = pd.DataFrame(
        {
            "year": to_year(frame["ar"], "ar"),
            "home_region_code": [region_code(code) for code in frame["bostedskommune"]],
            "work_region_code": [region_code(code) for code in frame["arbeidsstedskommune"]],
            "employed_persons": to_number(frame["sysselsatte"], "sysselsatte"),
        }
    )
    if flows["employed_persons"].isna().any():
        raise ValueError("03321: tomme verdier i sysselsatte")
    flows = flows.dropna(subset=["home_region_code", "work_region_code"])
    return [
        COMMUTING_03321.dataset(
            source, f"commuting_03321_{year_span(flows['year'])}", "commuting_flows", flows
        )
    ]


LAYOUTS: list[Layout] = [
    Layout(
        "11618 sysselsatte bosted/arbeidssted (CSV)",
        lambda s: header_is(s, EMPLOYMENT_COLUMNS),
        parse_employment_11618,
    ),
    Layout("03321 pendlingsstrømmer (CSV)", lambda s: header_is(s, COMMUTING_COLUMNS), parse_commuting_03321),
]
