"""FemtiGram's municipality profile extract (education, housing, fees, property tax, GPs,
household income)."""

from __future__ import annotations

import csv
import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    MISSING_TEXT,
    About,
    first_line,
    matched,
    observations,
    read_csv,
    region_code,
    require_columns,
    to_year,
    wide_to_observations,
)

PROFILE_FIRST_COLUMNS = ["kommunenummer", "kommunenavn", "fylke", "areal_km2", "folkemengde_2024_07459"]
PROFILE_BLOCKS: dict[str, tuple[str, dict[str, str]]] = {
    # year column → (SSB table, {value column: measure})
    "utdanning_ar_09429": (
        "09429",
        {
            "utd_grunnskole_pct": "education_primary_pct",
            "utd_vgs_pct": "education_upper_secondary_pct",
            "utd_fagskole_pct": "education_vocational_college_pct",
            "utd_hoyere_kort_pct": "education_higher_short_pct",
            "utd_hoyere_lang_pct": "education_higher_long_pct",
        },
    ),
    "eierstatus_ar_11084": (
        "11084",
        {
            "hush_selveier_pct": "households_owner_pct",
            "hush_andelseier_pct": "households_cooperative_owner_pct",
            "hush_leier_pct": "households_tenant_pct",
        },
    ),
    "boliger_ar_06265": (
        "06265",
        {
            "bol_enebolig_pct": "dwellings_detached_pct",
            "bol_tomannsbolig_pct": "dwellings_two_family_pct",
            "bol_rekkehus_pct": "dwellings_terraced_pct",
            "bol_blokk_pct": "dwellings_apartment_block_pct",
            "bol_bofellesskap_pct": "dwellings_communal_pct",
            "bol_annet_pct": "dwellings_other_pct",
        },
    ),
    "gebyr_ar_12842": (
        "12842",
        {
            "gebyr_vann": "fee_water_nok",
            "gebyr_avlop": "fee_wastewater_nok",
            "gebyr_avfall": "fee_waste_nok",
            "gebyr_feiing": "fee_chimney_sweeping_nok",
            "gebyr_total": "fee_total_nok",
        },
    ),
    "eiendomsskatt_ar_14674": (
        "14674",
        {
            "eiendomsskatt_120m2_kr": "property_tax_120m2_dwelling_nok",
            "eiendomsskatt_promille": "property_tax_rate_permille",
        },
    ),
    "fastlege_ar_12005": (
        "12005",
        {
            "fastlege_kapasitet": "gp_list_capacity",
            "fastlege_reservekapasitet": "gp_reserve_capacity_pct",
            "fastlege_antall_lister": "gp_lists",
            "fastlege_gj_listelengde": "gp_average_list_length",
        },
    ),
}
# Totals the extract gives as the sum of the parts it has: a total with a missing part is missing.
PROFILE_SUMS = {"gebyr_total": ("gebyr_vann", "gebyr_avlop", "gebyr_avfall", "gebyr_feiing")}
PROFILE_INCOME_COLUMN = re.compile(r"^median_inntekt_etter_skatt_husholdning_(\d{4})_InntektStruk13$")


def _is_profile(source: SourceFile) -> bool:
    row = next(csv.reader([first_line(source)]), [])
    return row[:5] == PROFILE_FIRST_COLUMNS and all(column in row for column in PROFILE_BLOCKS)


def _without_partial_sums(frame: pd.DataFrame) -> pd.DataFrame:
    """Blank a total (e.g. ``gebyr_total``) where any of its parts is missing (Nesna lacks the waste
    fee, Værøy the wastewater fee: their «total» was the sum of the fees that exist)."""
    frame = frame.copy()
    for total, parts in PROFILE_SUMS.items():
        if total in frame:
            blank = frame[list(parts)].apply(lambda column: column.str.strip().isin(MISSING_TEXT))
            incomplete = blank.any(axis=1)
            frame.loc[incomplete, total] = ""
    return frame


PROFILES = About(
    "SSB-PROFIL",
    publisher="SSB (via FemtiGram/kart)",
    caveat=(
        "Avledet utdrag av kommuneprofiler bygget av tredjepart (FemtiGram/kart) fra SSBs API: "
        "09429 utdanning, 11084 eierstatus, 06265 boligtype, 12842 gebyrer (mangler for 18 kommuner), "
        "14674 eiendomsskatt, 12005 fastlegekapasitet, InntektStruk13 husholdningsinntekt (median "
        "ifølge skriptet). Ikke kontrollert mot data.ssb.no. Sum gebyrer er utelatt der ett av "
        "gebyrene mangler (utdraget la sammen bare de som fantes)."
    ),
)


def parse_profiles(source: SourceFile) -> list[Dataset]:
    """FemtiGram profile extract → observations, each block on the year its ``*_ar_*`` column
    names (e.g. ``education_higher_short_pct`` on ``utdanning_ar_09429``), plus
    ``household_income_after_tax_median_nok`` (year from the column name), and attributes
    ``property_tax_on_dwellings`` ("ja"/"nei", as_of its year). Not kept: ``areal_km2`` (computed
    by the app from map polygons, not an SSB figure) and ``folkemengde_2024_07459`` (07459 is
    imported from SSB's own files)."""
    frame = _without_partial_sums(read_csv(source))
    parts = []
    for year_column, (_, measures) in PROFILE_BLOCKS.items():
        require_columns(frame, measures, "kommuneprofil")
        has_year = frame[year_column].str.strip() != ""
        if (frame.loc[~has_year, list(measures)].apply(lambda column: column.str.strip() != "")).any(
            axis=None
        ):
            raise ValueError(f"kommuneprofil: verdier uten årstall i {year_column}")
        block = frame[has_year]
        if not block.empty:
            parts.append(
                wide_to_observations(
                    block, "kommunenummer", to_year(block[year_column], year_column), measures
                )
            )
    income = [column for column in frame.columns if PROFILE_INCOME_COLUMN.match(column)]
    for column in income:
        year = int(matched(PROFILE_INCOME_COLUMN, column).group(1))
        parts.append(
            wide_to_observations(
                frame, "kommunenummer", year, {column: "household_income_after_tax_median_nok"}
            )
        )
    obs = observations(pd.concat(parts, ignore_index=True))
    flags = frame[frame["eiendomsskatt_bolig"].isin(["True", "False"])]
    attributes = pd.DataFrame(
        {
            "region_code": [region_code(code) for code in flags["kommunenummer"]],
            "attribute": "property_tax_on_dwellings",
            "value": flags["eiendomsskatt_bolig"].map({"True": "ja", "False": "nei"}),
            "as_of": flags["eiendomsskatt_ar_14674"],
        }
    ).dropna(subset=["region_code"])
    return [
        PROFILES.dataset(
            source,
            "municipality_profiles_femtigram",
            "observations",
            obs,
            title="Kommuneprofil: utdanning, bolig, gebyrer, eiendomsskatt, fastlege og inntekt",
        ),
        PROFILES.dataset(
            source,
            "municipality_profile_flags_femtigram",
            "attributes",
            attributes,
            title="Kommuneprofil: eiendomsskatt på bolig (ja/nei)",
        ),
    ]


LAYOUTS: list[Layout] = [
    Layout("Kommuneprofiler FemtiGram (CSV)", _is_profile, parse_profiles),
]
