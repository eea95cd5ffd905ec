"""Municipality numbers and their changes: KLASS 131 code lists and change lists, the
2013–2020 mappings, the 2023–2024 municipality table and the kommunebarometer code history."""

from __future__ import annotations

import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    About,
    first_line,
    header_is,
    matched,
    parsed_json,
    read_csv,
    region_code,
    year_from_name,
)

KLASS_CSV_COLUMNS = ["code", "parentCode", "level", "name", "shortName", "notes", "validFrom", "validTo"]
KLASS = About("KLASS-131")
GARDENBERG = About("KLASS-131", publisher="SSB KLASS (via gardenberg/kommunekoder)")


def parse_klass_code_list(source: SourceFile) -> list[Dataset]:
    """KLASS 131 CSV export (latin-1, ';') → code_list (classification "131"). The export does not
    state its version, so the year comes from the file name (e.g. klass131_kommuner_2019.csv).
    9999 Uoppgitt is kept: this is the code list as published."""
    year = year_from_name(source, "KLASS 131-kodeliste")
    frame = read_csv(source, sep=";")
    frame = frame[frame["level"].str.strip() == "1"]
    codes = pd.DataFrame(
        {
            "classification": "131",
            "version_year": year,
            "code": frame["code"].str.strip().str.zfill(4),
            "name": frame["name"].str.strip(),
        }
    )
    if not codes["code"].str.fullmatch(r"\d{4}").all():
        raise ValueError("KLASS 131: ugyldige kommunenummer")
    return [
        KLASS.dataset(
            source,
            f"klass131_code_list_{year}",
            "code_list",
            codes,
            title=f"Standard for kommuneinndeling (KLASS 131), kommuner {year}",
            caveat="Årgangen er tatt fra filnavnet (eksportfilen oppgir den ikke).",
        )
    ]


CHANGE_HEADER = re.compile(r"^kommuner_(\d{4});kommuner_(\d{4})(;splittes)?$")
CODE_AND_NAME = re.compile(r"^\s*(\d{4})\s*-\s*(.*?)\s*$")  # "0706 - Sandefjord" (non-breaking spaces too)


def _split_code_name(text: str, what: str) -> tuple[str, str]:
    match = CODE_AND_NAME.match(str(text))
    if not match:
        raise ValueError(f"{what}: forventet «nnnn - Navn», fant {text!r}")
    return match.group(1), match.group(2)


def _mark_splits(frame: pd.DataFrame) -> pd.Series:
    """True where the old code (in the same change year) maps to more than one new code."""
    targets = frame.groupby(["change_year", "old_code"])["new_code"].transform("nunique")
    return targets > 1


def parse_klass_changes(source: SourceFile) -> list[Dataset]:
    """KLASS 131 change list "kommuner_Y1;kommuner_Y2(;splittes)" → code_changes with
    change_year = Y2 (the version in which the new number applies). ``split`` is the file's
    ``splittes`` flag where present, else true when one old code maps to several new ones."""
    old_year, new_year, _ = matched(CHANGE_HEADER, first_line(source)).groups()
    frame = read_csv(source, sep=";")
    old = [_split_code_name(text, "KLASS-endringer") for text in frame.iloc[:, 0]]
    new = [_split_code_name(text, "KLASS-endringer") for text in frame.iloc[:, 1]]
    changes = pd.DataFrame(
        {
            "change_year": int(new_year),
            "old_code": [c for c, _ in old],
            "old_name": [n for _, n in old],
            "new_code": [c for c, _ in new],
            "new_name": [n for _, n in new],
        }
    )
    if "splittes" in frame.columns:
        changes["split"] = frame["splittes"].str.strip().map({"1": True, "0": False})
    else:
        changes["split"] = _mark_splits(changes)
    return [
        GARDENBERG.dataset(
            source,
            f"klass131_changes_{old_year}_{new_year}",
            "code_changes",
            changes,
            title=f"Endringer i kommuneinndelingen {old_year}–{new_year} (KLASS 131)",
        )
    ]


WIDE_MAPPING_STEPS = [
    ("2013", "2017", "13_17"),
    ("2017", "2018", "17_18"),
    ("2018", "2019", "18_19"),
    ("2019", "2020", "19_20"),
]


def _wide_mapping_header() -> list[str]:
    columns = ["kommunenummer_2013", "kommunenavn_2013"]
    for _, new, note in WIDE_MAPPING_STEPS:
        columns += [f"kommunenummer_{new}", f"kommunenavn_{new}", f"endringsmerknad_{note}"]
    return columns


def parse_wide_mapping(source: SourceFile) -> list[Dataset]:
    """gardenberg wide table 2013→2017→2018→2019→2020 → code_changes: one row per step where the
    number or name changed (change_year = the later year); ``split`` from "splittet" in the note.
    Unchanged steps are left out; duplicates (a split old unit has one line per part) removed."""
    frame = read_csv(source, sep=";")
    parts = []
    for old, new, note in WIDE_MAPPING_STEPS:
        step = pd.DataFrame(
            {
                "change_year": int(new),
                "old_code": frame[f"kommunenummer_{old}"].str.zfill(4),
                "old_name": frame[f"kommunenavn_{old}"],
                "new_code": frame[f"kommunenummer_{new}"].str.zfill(4),
                "new_name": frame[f"kommunenavn_{new}"],
                "split": frame[f"endringsmerknad_{note}"].str.contains("splittet", case=False),
            }
        )
        parts.append(step[(step["old_code"] != step["new_code"]) | (step["old_name"] != step["new_name"])])
    changes = pd.concat(parts, ignore_index=True).drop_duplicates().reset_index(drop=True)
    return [
        GARDENBERG.dataset(
            source,
            "code_changes_gardenberg_wide_2013_2020",
            "code_changes",
            changes,
            title="Kommunenummer 2013–2020, endringer steg for steg (bred tabell)",
            caveat="Tabellen er laget av tredjepart fra KLASS 131.",
        )
    ]


def parse_long_mapping(source: SourceFile) -> list[Dataset]:
    """gardenberg long table (2020 number ← each historical number 2013–2019) → code_changes with
    change_year 2020 and old_name <NA> (not in the file). Identity rows (number unchanged) are
    left out; ``split`` is true when an old number maps to several 2020 numbers."""
    frame = read_csv(source, sep=";")
    changes = pd.DataFrame(
        {
            "change_year": 2020,
            "old_code": frame["historisk_nummer"].str.zfill(4),
            "old_name": None,
            "new_code": frame["kommunenummer_2020"].str.zfill(4),
            "new_name": frame["kommunenavn_2020"],
        }
    )
    changes["split"] = _mark_splits(changes)
    changes = changes[changes["old_code"] != changes["new_code"]].drop_duplicates()
    return [
        GARDENBERG.dataset(
            source,
            "code_changes_gardenberg_long_2013_2020",
            "code_changes",
            changes,
            title="Historiske kommunenummer (2013–2019) til 2020-nummer (lang tabell)",
            caveat="Tabellen er laget av tredjepart fra KLASS 131; årstallet for det gamle nummeret "
            "står ikke i filen.",
        )
    ]


MUNICIPALITY_TABLE_HEADER = re.compile(
    r"^Kommuner (\d{4});Kommunenr \1;Kommunenavn \1;Kommuner (\d{4});Kommunenr \2;"
)


def parse_municipality_table(source: SourceFile) -> list[Dataset]:
    """evensrii municipality table (2023 → 2024) → code_changes (change_year 2024), one row per
    distinct 2023 municipality whose number or name changed. The national row (0000), counties
    and rows repeated for the pre-2020 codes are ignored; ``split`` = a 2023 number going to
    several 2024 numbers (Ålesund → Ålesund + Haram)."""
    old_year, new_year = matched(MUNICIPALITY_TABLE_HEADER, first_line(source)).groups()
    frame = read_csv(source, sep=";")
    changes = pd.DataFrame(
        {
            "change_year": int(new_year),
            "old_code": frame[f"Kommunenr {old_year}"].str.strip(),
            "old_name": frame[f"Kommunenavn {old_year}"].str.strip(),
            "new_code": frame[f"Kommunenr {new_year}"].str.strip(),
            "new_name": frame[f"Kommunenavn {new_year}"].str.strip(),
        }
    ).drop_duplicates()
    changes = changes[
        changes["old_code"].map(region_code).notna() & changes["new_code"].map(region_code).notna()
    ]
    changes["split"] = _mark_splits(changes)
    changes = changes[
        (changes["old_code"] != changes["new_code"]) | (changes["old_name"] != changes["new_name"])
    ]
    return [
        KLASS.dataset(
            source,
            f"code_changes_evensrii_{old_year}_{new_year}",
            "code_changes",
            changes,
            title=f"Kommunenummer {old_year} til {new_year} (kommunetabell)",
            publisher="evensrii/Telemark (etter SSB KLASS)",
            caveat="Tabellen er laget av tredjepart (Telemark fylkeskommune-repo), ikke SSB.",
        )
    ]


def _is_code_history(source: SourceFile) -> bool:
    doc = parsed_json(source)
    return isinstance(doc, dict) and isinstance(doc.get("endringer"), dict) and "konvensjon" in doc


def parse_code_history(source: SourceFile) -> list[Dataset]:
    """kommunebarometer code history (new code → old codes with validTo) → code_changes:
    change_year = the year of validTo (the first year of the new code), same name both sides."""
    doc = parsed_json(source)
    rows = []
    for new_code, entry in doc["endringer"].items():
        for old in entry.get("oldCodes", []):
            rows.append(
                {
                    "change_year": int(str(old["validTo"])[:4]),
                    "old_code": old["code"],
                    "old_name": entry["name"],
                    "new_code": new_code,
                    "new_name": entry["name"],
                }
            )
    changes = pd.DataFrame(rows)
    changes["split"] = _mark_splits(changes)
    years = "_".join(str(year) for year in sorted(changes["change_year"].unique()))
    return [
        KLASS.dataset(
            source,
            f"code_changes_klass131_kommunebarometer_{years}",
            "code_changes",
            changes,
            title="Rene kommunenummerendringer 1. januar 2024 (KLASS 131)",
            publisher="SSB KLASS (via kommunebarometer)",
            caveat="Kun rene nummerendringer (samme navn, nytt nummer); sammenslåinger og delinger "
            "er ikke med.",
        )
    ]


LAYOUTS: list[Layout] = [
    Layout(
        "KLASS 131 kodeliste (CSV)", lambda s: header_is(s, KLASS_CSV_COLUMNS, sep=";"), parse_klass_code_list
    ),
    Layout(
        "KLASS 131 endringsliste (CSV)",
        lambda s: CHANGE_HEADER.match(first_line(s)) is not None,
        parse_klass_changes,
    ),
    Layout(
        "Kommunenummer 2013–2020, bred (CSV)",
        lambda s: header_is(s, _wide_mapping_header(), sep=";"),
        parse_wide_mapping,
    ),
    Layout(
        "Kommunenummer 2013–2020, lang (CSV)",
        lambda s: header_is(s, ["kommunenummer_2020", "kommunenavn_2020", "historisk_nummer"], sep=";"),
        parse_long_mapping,
    ),
    Layout(
        "Kommunetabell år-til-år (CSV)",
        lambda s: MUNICIPALITY_TABLE_HEADER.match(first_line(s)) is not None,
        parse_municipality_table,
    ),
    Layout("KLASS 131 kodeendringer (kommunebarometer JSON)", _is_code_history, parse_code_history),
]
