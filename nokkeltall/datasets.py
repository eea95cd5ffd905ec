"""The tidy shapes a source becomes, before it is written to the snapshot.

Every parser (``nokkeltall.sources``) and the SSB API normaliser return ``Dataset`` objects of
one of the ``KINDS`` below. Values are kept *as published* (on the municipality numbers of
their own year); harmonisation to today's municipalities happens when the database is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nokkeltall.cleaning import NEEDS_CLEANING, clean_text

# kind -> ordered columns and their pandas dtypes
KINDS: dict[str, dict[str, str]] = {
    # one numeric value per region code, year and measure (most sources)
    "observations": {
        "region_code": "string",  # 4-digit municipality number as published that year ("1835", "1739")
        "year": "int64",
        "measure": "string",  # e.g. "employed_residents", "net_result_1000nok"
        "value": "Float64",  # missing stays <NA>, never 0
    },
    # 07459 population by single-year age (105 = 105 or older) and sex ("total", "female", "male")
    "population_age_sex": {
        "region_code": "string",
        "year": "int64",
        "sex": "string",
        "age": "int64",
        "persons": "int64",
    },
    # 03321 commuting: employed persons 15–74 by home and work municipality (4th quarter)
    "commuting_flows": {
        "year": "int64",
        "home_region_code": "string",
        "work_region_code": "string",
        "employed_persons": "int64",
    },
    # categorical facts per municipality (ROBEK grounds, KOSTRA group, centrality class ...)
    "attributes": {
        "region_code": "string",
        "attribute": "string",
        "value": "string",
        "as_of": "string",  # ISO date or year the fact refers to
    },
    # figures per county (two-digit code), e.g. the 14288 projections
    "county_observations": {
        "county_code": "string",
        "year": "int64",
        "measure": "string",
        "value": "Float64",
    },
    # the municipality list of today (KLASS 131)
    "municipalities": {
        "municipality_code": "string",
        "name": "string",  # Norwegian name, e.g. "Snåsa"
        "official_name": "string",  # as in KLASS, e.g. "Snåase - Snåsa"
        "county_code": "string",
        "county_name": "string",
    },
    # old number in a given year -> today's (2024) number, with the share of the old unit
    "code_mapping": {
        "region_code": "string",
        "year": "int64",
        "municipality_code": "string",
        "weight": "float64",
    },
    # map outlines: one GeoJSON feature (as text) per region
    "geometries": {
        "region_code": "string",
        "level": "string",  # "municipality" or "county"
        "name": "string",
        "geojson": "string",
    },
    # a KLASS code list of one year (historical municipality lists)
    "code_list": {
        "classification": "string",  # e.g. "131"
        "version_year": "int64",
        "code": "string",
        "name": "string",
    },
    # KLASS change lists: old number/name -> new number/name at a reform
    "code_changes": {
        "change_year": "int64",  # the year the new number took effect
        "old_code": "string",
        "old_name": "string",
        "new_code": "string",
        "new_name": "string",
        "split": "boolean",  # the old unit was divided among several new ones
    },
    # what each KOSTRA group means (one row per group; municipalities' groups are `attributes`)
    "kostra_group_descriptions": {
        "group_code": "string",  # "EKG16", as in the attribute kostra_group
        "group_name": "string",  # "KOSTRA-gruppe 16"
        "population_band": "string",  # "0 - 599" (text as published)
        "bound_costs": "string",  # bundne kostnader per innbygger: "Lave" / "Middels" / "Høye"
        "free_disposable_income": "string",  # frie disponible inntekter per innbygger
        "municipality_count": "Int64",
    },
    # plan status rows collected from public sources (seed; users confirm or correct in the app)
    "plan_status_sources": {
        "municipality_code": "string",
        "plan_type": "string",  # samfunnsdel / planstrategi / arealdel / planprogram
        "period": "string",
        "adopted": "string",  # YYYY-MM-DD or YYYY as the source states it; <NA> if not adopted
        "status": "string",  # vedtatt / under_arbeid / på_høring / ukjent (as of the source page)
        "source_url": "string",
        "source_title": "string",
        "note": "string",
    },
}


@dataclass
class Dataset:
    """One tidy dataset and where it came from (becomes one snapshot file + a manifest entry)."""

    name: str  # snapshot file stem, e.g. "population_age_sex_07459_2005_2009"
    kind: str  # a key of KINDS
    frame: pd.DataFrame
    table_id: str  # SSB table id ("07459"), or e.g. "KLASS-131", "KDD-ROBEK"
    title: str  # Norwegian title of the source table
    source: str  # file name, or API URL + query
    publisher: str = "Statistisk sentralbyrå"
    licence: str = "CC BY 4.0 (NLOD 2.0)"
    updated: str | None = None  # when the publisher last updated it (ISO), if known
    caveat: str | None = None  # what a user must know (derived, partial coverage, approximations)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frame = clean_text_columns(conform(self.frame, self.kind))


class SchemaError(ValueError):
    pass


def conform(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns and dtypes of ``kind`` (raises SchemaError)."""
    if kind not in KINDS:
        raise SchemaError(f"ukjent datasett-type {kind!r}")
    columns = KINDS[kind]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(f"{kind}: mangler kolonner {missing}")
    out = frame.loc[:, list(columns)].copy()
    for column, dtype in columns.items():
        out[column] = out[column].astype(dtype)
    return out.reset_index(drop=True)


def clean_text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns through the one cleaning path (``cleaning.clean_text``): an imported
    spreadsheet or API answer brings no control characters or bidi overrides into the snapshot.
    Only the cells that hold such a character are touched (a vectorised search finds them)."""
    for column in frame.columns:
        if frame[column].dtype != "string":
            continue
        dirty = frame[column].str.contains(NEEDS_CLEANING, regex=True, na=False)
        if dirty.any():
            frame.loc[dirty, column] = frame.loc[dirty, column].map(clean_text)
    return frame
