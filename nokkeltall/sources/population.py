"""SSB table 07459 (population by region, sex and single-year age) and the municipality lists.

Layouts recognised from content:

* StatBank CSV exports of 07459, in every shape seen: tab, semicolon or comma separated;
  latin-1 or UTF-8; with or without title lines above the header; region labels as
  ``"1835 Træna"`` or ``"K-1835 Træna"``; value columns ``"Persons 2005"`` (one per year),
  ``"Persons 2023 Males"`` (one per year × sex) or a separate ``sex`` column. English and
  Norwegian labels are both understood (``years``/``år``, ``Males``/``Menn``).
* csdata's derived 07459 files on 2024 borders (``kommunenummer,kommunenavn,kjonn,alder,2025,2026``
  and the total series ``kommunenummer,kommunenavn,ar,begge,kvinner,menn``).
* csdata's redistricting table (old number and year → 2024 number with weight).
* KLASS 131 ``codesAt`` JSON (today's municipalities) and csdata's municipality/county list.

Everything is kept as published; the database build harmonises old numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile, UnknownLayoutError
from nokkeltall.sources.readers import About, first_line

TABLE_07459 = About("07459", "Befolkning, etter region, kjønn, alder og år (1. januar)")
REGION_CODE = re.compile(r"^\s*(?:K-)?(\d{4})(?:\s|$)")
AGE = re.compile(r"^\s*(\d{1,3})\s*(?:years?|år)\b", re.IGNORECASE)
VALUE_COLUMN = re.compile(r"^(?:Persons|Personer)\s+(\d{4})(?:\s+(\w+))?\s*$", re.IGNORECASE)
SEX_WORDS = {"males": "male", "menn": "male", "males ": "male", "females": "female", "kvinner": "female"}

# KLASS gives bilingual official names ("Snåase - Snåsa"); these are their Norwegian parts.
NORWEGIAN_NAME_PARTS = {
    "Oslo",
    "Hattfjelldal",
    "Rana",
    "Fauske",
    "Sørfold",
    "Evenes",
    "Sortland",
    "Hamarøy",
    "Trondheim",
    "Steinkjer",
    "Namsos",
    "Røros",
    "Levanger",
    "Snåsa",
    "Røyrvik",
    "Harstad",
    "Tjeldsund",
    "Gratangen",
    "Lavangen",
    "Lyngen",
    "Storfjord",
    "Kåfjord",
    "Nordreisa",
    "Hammerfest",
    "Karasjok",
    "Kautokeino",
    "Porsanger",
    "Tana",
    "Nesseby",
}


def norwegian_name(official_name: str) -> str:
    """ "Raarvihke - Røyrvik" → "Røyrvik"; a name without a Sami part is returned as it is."""
    parts = [part.strip() for part in official_name.split(" - ")]
    for part in parts:
        if part in NORWEGIAN_NAME_PARTS:
            return part
    return parts[0]


def region_code(label: str) -> str | None:
    """ "K-1835 Træna" / "1835 Træna" → "1835"; counties, Svalbard, "Rest" → None."""
    match = REGION_CODE.match(str(label))
    return match.group(1) if match else None


def age_from_label(label: str) -> int:
    match = AGE.match(str(label))
    if not match:
        raise UnknownLayoutError(f"ukjent aldersetikett {label!r}")
    return int(match.group(1))


# --- 07459 StatBank CSV ---------------------------------------------------------------------


def _header_index(lines: list[str]) -> int | None:
    for index, line in enumerate(lines[:10]):
        cells = [c.strip().strip('"').lower() for c in re.split(r"[\t;,]", line)]
        is_header = cells[:1] == ["region"] and ("age" in cells or "alder" in cells)
        if is_header and any(VALUE_COLUMN.match(c.strip().strip('"')) for c in re.split(r"[\t;,]", line)):
            return index
    return None


def _sniff_statbank_07459(source: SourceFile) -> bool:
    return _header_index(source.head().splitlines()) is not None


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    return max(counts, key=lambda sep: counts[sep])


def _parse_statbank_07459(source: SourceFile) -> list[Dataset]:
    text = source.text()
    lines = text.splitlines()
    header_at = _header_index(lines)
    if header_at is None:
        raise UnknownLayoutError(f"{source.name}: fant ikke overskriftslinjen (region/alder/personer)")
    raw = pd.read_csv(
        io.StringIO("\n".join(lines[header_at:])),
        sep=_delimiter(lines[header_at]),
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_MINIMAL,
    )
    raw.columns = [c.strip() for c in raw.columns]
    lower = {c.lower(): c for c in raw.columns}
    age_column = lower.get("age") or lower.get("alder")
    sex_column = lower.get("sex") or lower.get("kjønn")
    value_columns = [c for c in raw.columns if VALUE_COLUMN.match(c)]
    id_columns = ["region", age_column] + ([sex_column] if sex_column else [])
    long = raw.melt(id_vars=id_columns, value_vars=value_columns, var_name="column", value_name="raw")
    parts = long["column"].str.extract(VALUE_COLUMN)
    long["year"] = parts[0].astype("int64")
    sex_label = long[sex_column] if sex_column else parts[1]
    long["sex"] = sex_label.fillna("").str.strip().str.lower().map(SEX_WORDS).fillna("total")
    if sex_label.notna().any() and (long["sex"] == "total").any():
        unknown = sorted(set(sex_label[long["sex"] == "total"].dropna()))
        if unknown and unknown != [""]:
            raise UnknownLayoutError(f"{source.name}: ukjent kjønnsetikett {unknown[:3]}")
    long["region_code"] = long["region"].map(region_code)
    long = long[long["region_code"].notna()]
    long["age"] = long[age_column].map(age_from_label)
    long = long[~long["raw"].str.strip().isin(["", ".", "..", "...", ":"])]
    long["persons"] = pd.to_numeric(long["raw"].str.replace(r"\s", "", regex=True), errors="raise")
    frame = long[["region_code", "year", "sex", "age", "persons"]]
    years = sorted(frame["year"].unique())
    has_sex = bool((frame["sex"] != "total").any())
    name = f"population_07459_{'sex_' if has_sex else ''}{years[0]}" + (
        f"_{years[-1]}" if len(years) > 1 else ""
    )
    caveat = None
    if "\ufffd" in text:
        caveat = "Norske bokstaver i kommunenavn er ødelagt i kildefilen; kommunenummer er brukt."
    return [TABLE_07459.dataset(source, name, "population_age_sex", frame, caveat=caveat)]


# --- csdata derived 07459 on 2024 borders ----------------------------------------------------

CSDATA_AGE_HEADER = re.compile(r"^kommunenummer,kommunenavn,kjonn,alder(,\d{4})+\s*$")
CSDATA_TOTAL_HEADER = "kommunenummer,kommunenavn,ar,begge,kvinner,menn"
CSDATA_CAVEAT = (
    "Avledet fra csdata (Folkehelseinstituttet), som hentet tabell 07459 fra SSBs API og "
    "regnet alle år om til kommuneinndelingen 2024."
)


def _parse_csdata_age(source: SourceFile) -> list[Dataset]:
    raw = pd.read_csv(io.BytesIO(source.raw), dtype={"kommunenummer": str})
    year_columns = [c for c in raw.columns if re.fullmatch(r"\d{4}", c)]
    long = raw.melt(
        id_vars=["kommunenummer", "kjonn", "alder"],
        value_vars=year_columns,
        var_name="year",
        value_name="persons",
    )
    long["sex"] = long["kjonn"].map({"begge": "total", "kvinner": "female", "menn": "male"})
    if long["sex"].isna().any():
        raise UnknownLayoutError(f"{source.name}: ukjent verdi i kolonnen kjonn")
    long = long.dropna(subset=["persons"]).rename(columns={"kommunenummer": "region_code", "alder": "age"})
    long["region_code"] = long["region_code"].str.zfill(4)
    years = sorted(long["year"].astype(int).unique())
    return [
        TABLE_07459.dataset(
            source,
            f"population_07459_b2024_{years[0]}_{years[-1]}",
            "population_age_sex",
            long.assign(year=long["year"].astype(int)),
            caveat=CSDATA_CAVEAT,
            extra={"borders": 2024},
        )
    ]


CSDATA_TOTAL = About(
    "07459",
    "Folkemengde 1. januar, omregnet til kommuneinndelingen 2024 (csdata)",
)


def _parse_csdata_total(source: SourceFile) -> list[Dataset]:
    raw = pd.read_csv(io.BytesIO(source.raw), dtype={"kommunenummer": str})
    long = raw.melt(
        id_vars=["kommunenummer", "ar"],
        value_vars=["begge", "kvinner", "menn"],
        var_name="sex",
        value_name="value",
    )
    long["measure"] = "population_b2024_csdata_" + long["sex"].map(
        {"begge": "total", "kvinner": "female", "menn": "male"}
    )
    frame = long.rename(columns={"kommunenummer": "region_code", "ar": "year"})
    frame["region_code"] = frame["region_code"].str.zfill(4)
    return [
        CSDATA_TOTAL.dataset(
            source,
            "population_total_b2024_csdata",
            "observations",
            frame,
            caveat=CSDATA_CAVEAT + " Delte kommuner er fordelt med faste vekter (tilnærming).",
            extra={"borders": 2024},
        )
    ]


# --- code mapping and municipality lists ------------------------------------------------------

MAPPING_HEADER = "kommunenummer_original,ar,kommunenummer_2024,weighting"
MAPPING_CAVEAT = (
    "Avledet fra csdata (Folkehelseinstituttet), som bygget omkodingen fra KLASS til "
    "kommuneinndelingen 2024. "
    "csdata fordeler delte kommuner (Tysfjord, Snillfjord, Ålesund/Haram) med faste vekter; databasen "
    "bruker i stedet andeler anslått fra SSBs tall (se «Om data», anslåtte kommunedelinger)."
)


MAPPING = About(
    "KLASS-131",
    "Kommunenummer per år omkodet til kommuneinndelingen 2024",
)


def _parse_mapping(source: SourceFile) -> list[Dataset]:
    raw = pd.read_csv(
        io.BytesIO(source.raw), dtype={"kommunenummer_original": str, "kommunenummer_2024": str}
    )
    frame = raw.rename(
        columns={
            "kommunenummer_original": "region_code",
            "ar": "year",
            "kommunenummer_2024": "municipality_code",
            "weighting": "weight",
        }
    )
    for column in ("region_code", "municipality_code"):
        frame[column] = frame[column].str.zfill(4)
    return [MAPPING.dataset(source, "code_mapping_to_2024", "code_mapping", frame, caveat=MAPPING_CAVEAT)]


def _sniff_klass_codes_at(source: SourceFile) -> bool:
    if not source.head(64).lstrip().startswith("{"):
        return False
    document = json.loads(source.text())
    codes = document.get("codes")
    return isinstance(codes, list) and bool(codes) and {"code", "name", "level"} <= set(codes[0])


KLASS_CODES_AT = About(
    "KLASS-131",
    "Standard for kommuneinndeling (KLASS 131), gyldige koder",
    publisher="Statistisk sentralbyrå (KLASS)",
)


def _parse_klass_codes_at(source: SourceFile) -> list[Dataset]:
    codes = json.loads(source.text())["codes"]
    rows = [
        {
            "municipality_code": code["code"],
            "name": norwegian_name(code["name"]),
            "official_name": code["name"],
            "county_code": code["code"][:2],
            "county_name": pd.NA,
        }
        for code in codes
        if re.fullmatch(r"\d{4}", code["code"]) and code["code"] != "9999"
    ]
    return [KLASS_CODES_AT.dataset(source, "municipalities_klass131", "municipalities", pd.DataFrame(rows))]


COUNTY_LIST_HEADER = "kommunenummer,kommunenavn,fylkesnummer,fylkesnavn,landsdel"


COUNTY_LIST = About(
    "KLASS-131",
    "Kommuner og fylker, inndeling 2024",
    publisher="Statistisk sentralbyrå (KLASS), via csdata",
    caveat="Avledet fra csdata; navn uten mellomrom rundt bindestrek.",
)


def _parse_county_list(source: SourceFile) -> list[Dataset]:
    raw = pd.read_csv(io.BytesIO(source.raw), dtype=str)
    frame = pd.DataFrame(
        {
            "municipality_code": raw["kommunenummer"].str.zfill(4),
            "name": raw["kommunenavn"].map(lambda n: norwegian_name(n.replace("-", " - "))),
            "official_name": raw["kommunenavn"],
            "county_code": raw["fylkesnummer"].str.zfill(2),
            "county_name": raw["fylkesnavn"].str.split("-").str[0].str.strip(),
        }
    )
    return [COUNTY_LIST.dataset(source, "municipalities_counties_csdata", "municipalities", frame)]


LAYOUTS = [
    Layout(
        "SSB StatBank-CSV for 07459 (region × alder [× kjønn], personer per år)",
        _sniff_statbank_07459,
        _parse_statbank_07459,
    ),
    Layout(
        "csdata 07459 etter kjønn og alder, 2024-inndeling",
        lambda s: bool(CSDATA_AGE_HEADER.match(first_line(s))),
        _parse_csdata_age,
    ),
    Layout(
        "csdata 07459 folkemengde, 2024-inndeling",
        lambda s: first_line(s) == CSDATA_TOTAL_HEADER,
        _parse_csdata_total,
    ),
    Layout("csdata omkoding til 2024-kommuner", lambda s: first_line(s) == MAPPING_HEADER, _parse_mapping),
    Layout("KLASS 131 codesAt (JSON)", _sniff_klass_codes_at, _parse_klass_codes_at),
    Layout(
        "csdata kommune- og fylkesliste 2024",
        lambda s: first_line(s) == COUNTY_LIST_HEADER,
        _parse_county_list,
    ),
]
