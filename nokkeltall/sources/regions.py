"""Regional classifications: centrality (KLASS 128), KOSTRA groups and their description,
and SSB's labour-market (BA) regions."""

from __future__ import annotations

import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    About,
    header_is,
    read_csv,
    sniffed,
    wide_to_attributes,
    wide_to_observations,
    workbook_rows,
    year_from_name,
)

CENTRALITY_COLUMNS = [
    "kom2024",
    "sent_klasse",
    "sent_indeks",
    "sent_navn",
    "sent_gammel_0_3",
    "gammel_konflikt",
]
KOSTRA_GROUP_COLUMNS = [
    "kommunenummer",
    "kommunenavn",
    "fylkesnummer",
    "fylkesnavn",
    "sentralitet",
    "kostragruppe_kode",
    "kostragruppe",
]


CENTRALITY = About(
    "KLASS-128",
    caveat=(
        "Avledet av tredjepart (oystess/valg_analyser) fra KLASS 128 på 2024-kommunenummer; "
        "årgangen til indeksen er ikke oppgitt."
    ),
)


def parse_centrality(source: SourceFile) -> list[Dataset]:
    """KLASS 128 centrality on 2024 codes → observations ``centrality_index`` (0–1000, year 2024)
    and attributes ``centrality_class`` ("1"–"6") and ``centrality_class_name`` (band text).
    The old 4-level centrality column is not kept."""
    frame = read_csv(source)
    obs = wide_to_observations(frame, "kom2024", 2024, {"sent_indeks": "centrality_index"})
    attributes = wide_to_attributes(
        frame, "kom2024", "2024", {"sent_klasse": "centrality_class", "sent_navn": "centrality_class_name"}
    )
    return [
        CENTRALITY.dataset(
            source,
            "centrality_index_klass128_2024",
            "observations",
            obs,
            title="Sentralitetsindeks (KLASS 128)",
        ),
        CENTRALITY.dataset(
            source,
            "centrality_class_klass128_2024",
            "attributes",
            attributes,
            title="Sentralitetsklasse (KLASS 128)",
        ),
    ]


KOSTRA_GROUPS = About(
    "KOSTRA-GRUPPER",
    "KOSTRA-grupper per kommune",
    publisher="SSB (via Samarbeidsdesken)",
    caveat="Avledet utdrag (Samarbeidsdesken): SSBs «KOSTRA-grupper per 2020» overført til "
    "2024-numre "
    "(Haram plassert i gruppe 1).",
)


def parse_kostra_groups(source: SourceFile) -> list[Dataset]:
    """KOSTRA groups per municipality → attributes ``kostra_group`` ("EKG16") and
    ``kostra_group_name`` ("KOSTRA-gruppe 16"), as_of 2024. (Its centrality column duplicates
    the KLASS 128 file and is not kept.)"""
    frame = read_csv(source)
    attributes = wide_to_attributes(
        frame,
        "kommunenummer",
        "2024",
        {"kostragruppe_kode": "kostra_group", "kostragruppe": "kostra_group_name"},
    )
    return [KOSTRA_GROUPS.dataset(source, "kostra_groups_2024", "attributes", attributes)]


KOSTRA_DESCRIPTION_HEADER = (
    "kostragruppe",
    "folkemengde",
    "bundekostnader",
    "frie_disponible_inntekter",
    "antall_kommuner",
)


def _kostra_description_rows(source: SourceFile) -> list[tuple] | None:
    sheets = workbook_rows(source)
    if not sheets or len(sheets) != 1:
        return None
    rows = next(iter(sheets.values()))
    return rows if rows and tuple(rows[0][:5]) == KOSTRA_DESCRIPTION_HEADER else None


KOSTRA_GROUP_DESCRIPTIONS = About(
    "KOSTRA-GRUPPER",
    "Beskrivelse av KOSTRA-gruppene (folkemengde, bundne kostnader, frie inntekter)",
    publisher="SSB (via Samarbeidsdesken)",
    caveat="Arbeidsbok fra Samarbeidsdesken; antall kommuner per gruppe gjelder inndelingen "
    "da gruppene ble laget.",
)


def parse_kostra_group_descriptions(source: SourceFile) -> list[Dataset]:
    """KOSTRA group description workbook → kind ``kostra_group_descriptions`` (one row per group:
    "KOSTRA-gruppe 16" → group_code "EKG16", population band, bound costs, free disposable income,
    number of municipalities)."""
    rows = sniffed(_kostra_description_rows(source), source)[1:]
    records = []
    for name, population, bound_costs, free_income, count in (row[:5] for row in rows if row and row[0]):
        number = re.search(r"(\d+)\s*$", str(name))
        if not number:
            raise ValueError(f"KOSTRA-grupper: ukjent gruppenavn {name!r}")
        records.append(
            {
                "group_code": f"EKG{int(number.group(1)):02d}",
                "group_name": str(name).strip(),
                "population_band": str(population).strip(),
                "bound_costs": str(bound_costs).strip(),
                "free_disposable_income": str(free_income).strip(),
                "municipality_count": None if count is None else int(count),
            }
        )
    return [
        KOSTRA_GROUP_DESCRIPTIONS.dataset(
            source, "kostra_group_descriptions", "kostra_group_descriptions", pd.DataFrame(records)
        )
    ]


BA_HEADER = (
    "Kommune (per 1. januar 2020)",
    "BA-region",
    "Reisetid",
    "Ut-pendling",
    "Inn-pendling",
    "Inkluderingsgrunnlag",
)
# codes in the workbook that do not exist in its (2024) numbering → the same municipality's 2024 code
BA_CODE_CORRECTIONS = {("1567", "Rindal"): "5061", ("3444", "Jevnaker"): "3236", ("3445", "Lunner"): "3234"}


def _ba_rows(source: SourceFile) -> list[tuple] | None:
    sheets = workbook_rows(source)
    if not sheets or "Etter kommune" not in sheets:
        return None
    rows = sheets["Etter kommune"]
    return rows if rows and tuple(rows[0][:6]) == BA_HEADER else None


BA_REGIONS = About(
    "SSB-BA",
    caveat=(
        "Kolonneoverskriften sier «per 1. januar 2020», men kodene er 2024-inndeling. Rettet her: "
        "1567 Rindal → 5061 (ren omnummerering i 2019 ifølge KLASS), 3444 Jevnaker → 3236 og "
        "3445 Lunner → 3234 (2024-numrene). Reisetid i minutter til senteret, pendling i prosent."
    ),
)


def parse_ba_regions(source: SourceFile) -> list[Dataset]:
    """BA regions, sheet "Etter kommune" → attributes ``ba_region`` ("116 Træna" as published) and
    ``ba_inclusion_reason``; observations ``ba_travel_time_to_centre_min``, ``ba_out_commuting_pct``,
    ``ba_in_commuting_pct``. The year (2024) comes from the file name: the sheet's header says
    "per 1. januar 2020" but the codes are 2024 numbering. Three codes that do not exist in 2024
    are corrected (see ``BA_CODE_CORRECTIONS``): 1567 Rindal → 5061 (KLASS: pure renumbering
    1567 → 5061 Rindal in 2019), 3444 Jevnaker → 3236, 3445 Lunner → 3234 (KLASS 131 2026 names).
    The sheet "Etter BA-region" uses 2020 codes and is not imported (same content)."""
    year = year_from_name(source, "BA-regioner")
    records = []
    for row in sniffed(_ba_rows(source), source)[1:]:
        if not row or not row[0]:
            continue
        match = re.match(r"^(\d{4})\s+(.+)$", str(row[0]).strip())
        if not match:
            raise ValueError(f"BA-regioner: ukjent kommune {row[0]!r}")
        code, name = match.groups()
        code = BA_CODE_CORRECTIONS.get((code, name.strip()), code)
        records.append((code, row[1], row[2], row[3], row[4], row[5]))
    frame = pd.DataFrame(records, columns=["code", "region", "travel", "out", "in", "reason"]).astype(str)
    frame = frame.replace({"None": ""})
    obs = wide_to_observations(
        frame,
        "code",
        year,
        {
            "travel": "ba_travel_time_to_centre_min",
            "out": "ba_out_commuting_pct",
            "in": "ba_in_commuting_pct",
        },
    )
    attributes = wide_to_attributes(
        frame, "code", str(year), {"region": "ba_region", "reason": "ba_inclusion_reason"}
    )
    return [
        BA_REGIONS.dataset(
            source,
            f"ba_regions_{year}",
            "attributes",
            attributes,
            title="Bo- og arbeidsmarkedsregioner (BA-regioner)",
        ),
        BA_REGIONS.dataset(
            source,
            f"ba_region_commuting_{year}",
            "observations",
            obs,
            title="BA-regioner: reisetid til senter og ut-/innpendling",
        ),
    ]


LAYOUTS: list[Layout] = [
    Layout("KLASS 128 sentralitet (CSV)", lambda s: header_is(s, CENTRALITY_COLUMNS), parse_centrality),
    Layout(
        "KOSTRA-grupper per kommune (CSV)", lambda s: header_is(s, KOSTRA_GROUP_COLUMNS), parse_kostra_groups
    ),
    Layout(
        "KOSTRA-gruppebeskrivelse (xlsx)",
        lambda s: _kostra_description_rows(s) is not None,
        parse_kostra_group_descriptions,
    ),
    Layout("SSB BA-regioner (xlsx)", lambda s: _ba_rows(s) is not None, parse_ba_regions),
]
