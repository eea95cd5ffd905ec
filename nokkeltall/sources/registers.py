"""Parsers for every non-population source file: employment, commuting, population components,
SSB JSON-stat series, KOSTRA economy, KDD figures, classifications, code changes, maps and the
collected plan status.

(``07459`` population files, the csdata recoding/hierarchy tables and the KLASS ``codesAt``
JSON are handled in ``nokkeltall.sources.population``.)

General rules, applied by every layout below:

* Detection looks at content only (an exact header line, JSON keys, workbook sheets). The file
  name is used only for metadata a file does not state itself (the year of a KLASS 131 code
  list and of the BA-region workbook) — see the functions concerned.
* Values stay as published, on the municipality numbers of their own year (no harmonisation).
* Region codes are 4-digit zero-padded strings; "K-1835" and "1835 Træna" become "1835".
  Non-municipality codes (counties, "0", "Rest", 9999 Uoppgitt, Svalbard/Jan Mayen/continental
  shelf 21xx–23xx, "0716u") are dropped from statistical datasets.
* Missing values are <NA>, never 0.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pandas as pd

from nokkeltall import jsonstat
from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile, UnknownLayoutError

SSB = "Statistisk sentralbyrå"
SSB_LICENCE = "CC BY 4.0 (NLOD 2.0)"
KDD = "Kommunal- og distriktsdepartementet (KDD)"
NLOD = "NLOD 2.0"
MISSING_TEXT = frozenset({"", ".", "..", "...", ":", "NA", "nan", "NaN", "None"})

# ------------------------------------------------------------------------------------------------
# shared helpers


def region_code(raw: Any) -> str | None:
    """A municipality number as 4 digits, or None for anything that is not a municipality.

    Accepts "1835", "K-1835", "1835 Træna", "301" (zero-padded to "0301") and ints. Counties
    (1–2 digits), 9999, 0000 and 21xx/22xx/23xx (Svalbard, Jan Mayen, continental shelf) → None.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None
    text = str(raw).strip()
    if text.upper().startswith("K-"):
        text = text[2:]
    match = re.match(r"^(\d+)(?:\s|$)", text)
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "0" + digits
    if len(digits) != 4 or digits in {"0000", "9999"} or digits[:2] in {"21", "22", "23"}:
        return None
    return digits


def first_line(source: SourceFile) -> str:
    line = source.head(2048).lstrip("\ufeff").splitlines()
    return line[0].strip() if line else ""


def header_is(source: SourceFile, columns: list[str], sep: str = ",") -> bool:
    """True if the file's first line is exactly these column names (quotes allowed)."""
    row = next(csv.reader([first_line(source)], delimiter=sep), [])
    return [cell.strip() for cell in row] == columns


def read_csv(source: SourceFile, sep: str = ",") -> pd.DataFrame:
    """All columns as text; empty cells become ''. Handles quoted line breaks."""
    text = source.text().lstrip("\ufeff")
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
    return frame.fillna("")


T = TypeVar("T")


def _sniffed(found: T | None, source: SourceFile) -> T:
    """What the layout's sniffer found again at parse time (None only for a file that changed meanwhile)."""
    if found is None:
        raise UnknownLayoutError(f"{source.name}: filen passer ikke lenger med formatet")
    return found


def _matched(pattern: re.Pattern[str], text: str) -> re.Match[str]:
    match = pattern.match(text)
    if match is None:
        raise ValueError(f"uventet kolonne eller overskrift {text!r}")
    return match


def to_number(values: Iterable[Any], what: str) -> pd.Series:
    """Text → Float64; empty and SSB symbols ('.', '..', ':') → <NA>; anything else fails clearly."""
    out: list[float | None] = []
    for value in values:
        text = "" if value is None else str(value).strip().replace("\u2212", "-")
        if text in MISSING_TEXT:
            out.append(None)
            continue
        try:
            out.append(float(text))
        except ValueError:
            raise ValueError(f"ugyldig tall {text!r} i {what}") from None
    return pd.Series(pd.array(out, dtype="Float64"))


def to_year(values: Iterable[Any], what: str) -> pd.Series:
    years = []
    for value in values:
        text = str(value).strip()
        if not re.fullmatch(r"(19|20)\d\d", text):
            raise ValueError(f"ugyldig årstall {text!r} i {what}")
        years.append(int(text))
    return pd.Series(years, dtype="int64")


def observations(rows: pd.DataFrame) -> pd.DataFrame:
    """region_code/year/measure/value rows, sorted, with non-municipality codes removed."""
    frame = rows.copy()
    frame["region_code"] = [region_code(code) for code in frame["region_code"]]
    frame = frame[frame["region_code"].notna()]
    return frame.sort_values(["measure", "region_code", "year"], kind="stable").reset_index(drop=True)


def wide_to_observations(
    frame: pd.DataFrame, code_column: str, year: int | pd.Series, measures: dict[str, str]
) -> pd.DataFrame:
    """One observation per row and measure column: {column: measure_name}."""
    parts = []
    for column, measure in measures.items():
        parts.append(
            pd.DataFrame(
                {
                    "region_code": frame[code_column].to_numpy(),
                    "year": year if isinstance(year, int) else year.to_numpy(),
                    "measure": measure,
                    "value": to_number(frame[column], column).to_numpy(),
                }
            )
        )
    return observations(pd.concat(parts, ignore_index=True))


def wide_to_attributes(
    frame: pd.DataFrame, code_column: str, as_of: str, attributes: dict[str, str]
) -> pd.DataFrame:
    """One attribute per row and column: {column: attribute_name}. Rows without a municipality
    number or without a value are left out (a missing fact is absent, never an empty string)."""
    codes = [region_code(code) for code in frame[code_column]]
    parts = [
        pd.DataFrame(
            {
                "region_code": codes,
                "attribute": attribute,
                "value": frame[column].replace({"": None}).to_numpy(),
                "as_of": as_of,
            }
        )
        for column, attribute in attributes.items()
    ]
    return pd.concat(parts, ignore_index=True).dropna(subset=["region_code", "value"])


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise UnknownLayoutError(f"{what}: mangler kolonner {missing}")


def year_from_name(source: SourceFile, what: str) -> int:
    """The last 4-digit year in the file name — only for metadata the content does not state."""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", source.name)
    if not years:
        raise UnknownLayoutError(
            f"{source.name}: finner ikke årgang for {what} (forventet årstall i filnavnet)"
        )
    return int(years[-1])


@functools.lru_cache(maxsize=4)
def parsed_json(source: SourceFile) -> Any:
    """The parsed JSON document, or None if the content is not a JSON object."""
    if not source.head(64).lstrip("\ufeff").lstrip().startswith("{"):
        return None
    try:
        return json.loads(source.text())
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any source file
        return None


@functools.lru_cache(maxsize=4)
def workbook_rows(source: SourceFile) -> dict[str, list[tuple]] | None:
    """Sheet name → rows (values) of an xlsx file, or None if it is not one."""
    if not source.raw.startswith(b"PK\x03\x04"):
        return None
    import openpyxl  # here: only needed for the two workbooks

    try:
        book = openpyxl.load_workbook(io.BytesIO(source.raw), read_only=True, data_only=True)
    except Exception:  # a zip that is not a workbook simply does not match
        return None
    sheets = {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets
    }
    book.close()
    return sheets


def year_span(years: pd.Series) -> str:
    return f"{int(years.min())}_{int(years.max())}"


# ------------------------------------------------------------------------------------------------
# 11618 employed persons by residence and workplace (CSV converted from SSB's "pendling" app)

EMPLOYMENT_COLUMNS = ["ar", "kommunenummer", "BefolkningBosted", "SysselBosted", "SysselArbsted"]


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
        Dataset(
            name=f"employment_11618_{year_span(obs['year'])}",
            kind="observations",
            frame=obs,
            table_id="11618",
            title="Sysselsatte 15–74 år etter bosted og arbeidssted (4. kvartal), og befolkning 15–74 år",
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
            caveat="Omgjort fra SSBs app «pendling» (R-data) til CSV av tredjepart. Kommunenummer er "
            "inndelingen det enkelte år (2017: før 2018/2020-reformene).",
        )
    ]


# ------------------------------------------------------------------------------------------------
# 03321 commuting flows

COMMUTING_COLUMNS = ["ar", "bostedskommune", "arbeidsstedskommune", "sysselsatte"]


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
        Dataset(
            name=f"commuting_03321_{year_span(flows['year'])}",
            kind="commuting_flows",
            frame=flows,
            table_id="03321",
            title="Sysselsatte (15–74 år), etter arbeidsstedskommune, bostedskommune og år (4. kvartal)",
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
            caveat="Omgjort fra SSBs app «pendling» (R-data). Strømmer på null personer og til/fra ukjent "
            "kommune, utlandet og Svalbard er ikke med. Kommunenummer er inndelingen det enkelte år.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# 06913 annual population components (extract)

COMPONENTS_COLUMNS = ["kode", "variabel", "aar", "verdi"]
COMPONENT_MEASURES = {
    "Fodselsoverskudd": "natural_increase",  # births − deaths during the year
    "Nettoinnflytting": "net_migration",  # net migration during the year (incl. international)
    "Folkemengde": "population_06913",  # population 1 January of the year
}


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
        Dataset(
            name=f"population_changes_06913_{year_span(obs['year'])}",
            kind="observations",
            frame=obs,
            table_id="06913",
            title="Befolkning 1. januar og befolkningsendringer i løpet av året (utdrag)",
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
            caveat="Utdrag (kommuner i Nordland og Trøndelag, også historiske numre) av en fil lastet ned av "
            "tredjepart (oystess/valg_analyser); nedlastingsdato og tabellversjon er ikke oppgitt. "
            "Fødselsoverskudd og nettoinnflytting gjelder året, folkemengden 1. januar. Tall på "
            "datidens kommunegrenser.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# SSB JSON-stat series (01222, 07182, 11694, 06096)

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
        Dataset(
            name=f"{spec['name']}_{first}_{last}",
            kind="observations",
            frame=obs,
            table_id=table,
            title=spec["title"],
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
            updated=jsonstat.updated(doc),
            caveat=spec["caveat"],
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


# ------------------------------------------------------------------------------------------------
# KOSTRA economy (derived CSVs from a third-party project)

KOSTRA_COLUMNS = [
    "kommunenummer",
    "kommunenavn",
    "kostragruppe",
    "maal",
    "kostra_kode",
    "beskrivelse",
    "aar",
    "belop_1000kr",
    "per_innbygger_kr",
    "netto_driftsresultat_pst_av_brutto_driftsinntekter_BEREGNET",
    "kilde_commit",
]
KOSTRA_MEASURES = {
    "revenues": "revenues",  # AGD13 brutto driftsinntekter
    "expenses": "expenses",  # AGD9 brutto driftsutgifter
    "net_result": "net_result",  # AGD23 netto driftsresultat
    "debt": "net_debt",  # KG31 netto lånegjeld
    "investments": "investments",  # AGI1 brutto investeringsutgifter
    "net_expenses": "net_expenses",  # AGD1 netto driftsutgifter
}
KOSTRA_MEASURE_NAMES = {  # for the Norwegian caveat
    "revenues": "brutto driftsinntekter",
    "expenses": "brutto driftsutgifter",
    "net_result": "netto driftsresultat",
    "net_debt": "netto lånegjeld",
    "investments": "brutto investeringsutgifter",
    "net_expenses": "netto driftsutgifter",
}


def parse_kostra_economy(source: SourceFile) -> list[Dataset]:
    """Derived KOSTRA overview CSV → observations ``<measure>_1000nok`` (belop_1000kr) and
    ``<measure>_per_capita_nok`` (per_innbygger_kr) for revenues, expenses, net_result, net_debt
    (source: "debt", KG31), investments, net_expenses. The file's computed % column is not SSB's
    and is not stored. The name carries the coverage (number of municipalities, years)."""
    frame = read_csv(source)
    unknown = sorted(set(frame["maal"]) - set(KOSTRA_MEASURES))
    if unknown:
        raise ValueError(f"KOSTRA: ukjente mål {unknown}")
    base = frame["maal"].map(KOSTRA_MEASURES)
    years = to_year(frame["aar"], "aar")
    amounts = pd.DataFrame(
        {
            "region_code": frame["kommunenummer"],
            "year": years,
            "measure": base + "_1000nok",
            "value": to_number(frame["belop_1000kr"], "belop_1000kr"),
        }
    )
    per_capita = pd.DataFrame(
        {
            "region_code": frame["kommunenummer"],
            "year": years,
            "measure": base + "_per_capita_nok",
            "value": to_number(frame["per_innbygger_kr"], "per_innbygger_kr"),
        }
    )
    obs = observations(pd.concat([amounts, per_capita], ignore_index=True))
    municipalities = obs["region_code"].nunique()
    measures = sorted(set(base))
    return [
        Dataset(
            name=f"kostra_economy_{municipalities}_municipalities_{year_span(obs['year'])}",
            kind="observations",
            frame=obs,
            table_id="KOSTRA",
            title="KOSTRA økonomi: driftsinntekter, driftsresultat, lånegjeld og "
            "investeringer (kommunekasse/konsern ikke oppgitt)",
            source=source.name,
            publisher="SSB KOSTRA (via tredjepart)",
            licence=SSB_LICENCE,
            caveat="Avledet: tall fra et tredjepartsprosjekt (Lippen1995/Project_statsbudsjett), "
            "ikke kontrollert "
            f"mot data.ssb.no. Regnskapsomfang (kommunekasse eller konsern) er ikke oppgitt; 2025 kan være "
            f"SSBs foreløpige tall fra mars. Dekning: {municipalities} kommuner, {len(measures)} mål "
            f"({', '.join(KOSTRA_MEASURE_NAMES.get(m, m) for m in measures)}); ikke alle "
            "kommuner har alle år.",
            extra={"measures": measures},
        )
    ]


# ------------------------------------------------------------------------------------------------
# KDD: ROBEK register, cost-need index (DKI), Grønt hefte frie inntekter


def _is_robek(source: SourceFile) -> bool:
    doc = parsed_json(source)
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("hjemler"), dict)
        and isinstance(doc.get("kommuner"), list)
        and "publisert" in doc
    )


def parse_robek(source: SourceFile) -> list[Dataset]:
    """ROBEK JSON → attributes: ``robek`` = the legal grounds as published ("c og d"; "ja" if
    none given) and ``robek_grounds`` = the grounds spelled out; as_of = the publication date.
    Municipalities not in the register get no row (the file does not list them)."""
    doc = parsed_json(source)
    grounds = doc["hjemler"]
    as_of = str(doc["publisert"])
    rows = []
    for entry in doc["kommuner"]:
        code = region_code(entry.get("kommunenummer"))
        if code is None:
            raise ValueError(f"ROBEK: ugyldig kommunenummer {entry.get('kommunenummer')!r}")
        letters = (entry.get("hjemmel") or "").strip()
        rows.append((code, "robek", letters or "ja", as_of))
        explained = "; ".join(
            f"{letter}) {grounds[letter]}"
            for letter in re.findall(r"\b([a-g])\b", letters)
            if letter in grounds
        )
        if explained:
            rows.append((code, "robek_grounds", explained, as_of))
    frame = pd.DataFrame(rows, columns=["region_code", "attribute", "value", "as_of"])
    return [
        Dataset(
            name=f"robek_{as_of.replace('-', '_')}",
            kind="attributes",
            frame=frame,
            table_id="KDD-ROBEK",
            title="ROBEK – Register om betinget godkjenning og kontroll",
            source=source.name,
            publisher=KDD,
            licence=NLOD,
            updated=as_of,
            caveat="Sammenstilt fra regjeringen.no av tredjepart (kommunebarometer). Kommuner som ikke er "
            "oppført, står ikke i registeret per publiseringsdatoen.",
            extra={"grounds": grounds, "source_url": doc.get("kildeUrl")},
        )
    ]


def _is_cost_need_index(source: SourceFile) -> bool:
    doc = parsed_json(source)
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("kommuner"), dict)
        and "år" in doc
        and "DKI" in str(doc.get("kilde", ""))
    )


def parse_cost_need_index(source: SourceFile) -> list[Dataset]:
    """Grønt hefte DKI JSON → observations ``cost_need_index`` (samlet kostnadsindeks) for the
    budget year ``år``. A municipality given per sector (Lørenskog) contributes its ``samlet``."""
    doc = parsed_json(source)
    year = int(doc["år"])
    rows = []
    for code, value in doc["kommuner"].items():
        total = value.get("samlet") if isinstance(value, dict) else value
        rows.append((code, year, "cost_need_index", None if total is None else float(total)))
    obs = observations(pd.DataFrame(rows, columns=["region_code", "year", "measure", "value"]))
    return [
        Dataset(
            name=f"cost_need_index_kdd_{year}",
            kind="observations",
            frame=obs,
            table_id="KDD-DKI",
            title=f"Kostnadsindeks (samlet DKI, utgiftsutjevning), Grønt hefte {year}, tabell A-k",
            source=source.name,
            publisher=KDD,
            licence=NLOD,
            updated=doc.get("publisert"),
            caveat="Transkribert fra KDDs Grønt hefte av tredjepart (kommunebarometer); "
            f"{doc.get('dekning', '')}. DKI over 1 betyr høyere utgiftsbehov enn landsgjennomsnittet.",
        )
    ]


def _free_income_columns(source: SourceFile) -> list[str] | None:
    row = next(csv.reader([first_line(source)]), [])
    known = (
        len(row) == 8 and row[:4] == ["nr", "navn", "fylke", "pop"] and row[6:] == ["vekst", "skatteindeks"]
    )
    if known and all(re.fullmatch(r"frie\d\d", column) for column in row[4:6]):
        return row
    return None


def parse_free_income(source: SourceFile) -> list[Dataset]:
    """Grønt hefte frie inntekter CSV (budget year B, from columns frie{B-1}/frie{B}) →
    observations: ``free_income_nok`` (years B−1 and B, estimates in kr), ``free_income_growth_pct``
    (year B, as printed), ``population_1_july`` (year B−1, innbyggere 1 July) and
    ``tax_index_pct`` (tax in % of the national average, tabell F-k; put on year B−1, the year
    of the tax base used in the budget year B). Names may hold quoted line breaks."""
    columns = _sniffed(_free_income_columns(source), source)
    frame = read_csv(source)
    previous, budget = (2000 + int(column[4:]) for column in columns[4:6])
    parts = [
        wide_to_observations(
            frame,
            "nr",
            previous,
            {columns[4]: "free_income_nok", "pop": "population_1_july", "skatteindeks": "tax_index_pct"},
        ),
        wide_to_observations(
            frame, "nr", budget, {columns[5]: "free_income_nok", "vekst": "free_income_growth_pct"}
        ),
    ]
    obs = observations(pd.concat(parts, ignore_index=True))
    return [
        Dataset(
            name=f"free_income_kdd_gronthefte_{budget}",
            kind="observations",
            frame=obs,
            table_id="KDD-GRONTHEFTE",
            title=f"Frie inntekter {previous}–{budget}, innbyggertall og skatteindeks (Grønt hefte {budget})",
            source=source.name,
            publisher=KDD,
            licence=NLOD,
            caveat=f"Avledet av tredjepart (janbjorge/statsbudsjett) fra Grønt hefte {budget}, "
            "tabell 3-k og F-k: "
            "anslag i statsbudsjettet, ikke regnskap. Vekst i prosent som trykt (beregnet på korrigert "
            "grunnlag). Innbyggertall per 1. juli.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# centrality (KLASS 128) and KOSTRA groups

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


def parse_centrality(source: SourceFile) -> list[Dataset]:
    """KLASS 128 centrality on 2024 codes → observations ``centrality_index`` (0–1000, year 2024)
    and attributes ``centrality_class`` ("1"–"6") and ``centrality_class_name`` (band text).
    The old 4-level centrality column is not kept."""
    frame = read_csv(source)
    obs = wide_to_observations(frame, "kom2024", 2024, {"sent_indeks": "centrality_index"})
    attributes = wide_to_attributes(
        frame, "kom2024", "2024", {"sent_klasse": "centrality_class", "sent_navn": "centrality_class_name"}
    )
    caveat = (
        "Avledet av tredjepart (oystess/valg_analyser) fra KLASS 128 på 2024-kommunenummer; "
        "årgangen til indeksen er ikke oppgitt."
    )
    common: dict[str, Any] = {
        "table_id": "KLASS-128",
        "source": source.name,
        "publisher": SSB,
        "licence": SSB_LICENCE,
        "caveat": caveat,
    }
    return [
        Dataset(
            name="centrality_index_klass128_2024",
            kind="observations",
            frame=obs,
            title="Sentralitetsindeks (KLASS 128)",
            **common,
        ),
        Dataset(
            name="centrality_class_klass128_2024",
            kind="attributes",
            frame=attributes,
            title="Sentralitetsklasse (KLASS 128)",
            **common,
        ),
    ]


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
    return [
        Dataset(
            name="kostra_groups_2024",
            kind="attributes",
            frame=attributes,
            table_id="KOSTRA-GRUPPER",
            title="KOSTRA-grupper per kommune",
            source=source.name,
            publisher="SSB (via Samarbeidsdesken)",
            licence=SSB_LICENCE,
            caveat="Avledet utdrag (Samarbeidsdesken): SSBs «KOSTRA-grupper per 2020» overført til "
            "2024-numre "
            "(Haram plassert i gruppe 1).",
        )
    ]


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


def parse_kostra_group_descriptions(source: SourceFile) -> list[Dataset]:
    """KOSTRA group description workbook → kind ``kostra_group_descriptions`` (one row per group:
    "KOSTRA-gruppe 16" → group_code "EKG16", population band, bound costs, free disposable income,
    number of municipalities)."""
    rows = _sniffed(_kostra_description_rows(source), source)[1:]
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
        Dataset(
            name="kostra_group_descriptions",
            kind="kostra_group_descriptions",
            frame=pd.DataFrame(records),
            table_id="KOSTRA-GRUPPER",
            title="Beskrivelse av KOSTRA-gruppene (folkemengde, bundne kostnader, frie inntekter)",
            source=source.name,
            publisher="SSB (via Samarbeidsdesken)",
            licence=SSB_LICENCE,
            caveat="Arbeidsbok fra Samarbeidsdesken; antall kommuner per gruppe gjelder inndelingen "
            "da gruppene ble laget.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# FemtiGram municipality profile extract

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
        year = int(_matched(PROFILE_INCOME_COLUMN, column).group(1))
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
    caveat = (
        "Avledet utdrag av kommuneprofiler bygget av tredjepart (FemtiGram/kart) fra SSBs API: "
        "09429 utdanning, 11084 eierstatus, 06265 boligtype, 12842 gebyrer (mangler for 18 kommuner), "
        "14674 eiendomsskatt, 12005 fastlegekapasitet, InntektStruk13 husholdningsinntekt (median "
        "ifølge skriptet). Ikke kontrollert mot data.ssb.no. Sum gebyrer er utelatt der ett av "
        "gebyrene mangler (utdraget la sammen bare de som fantes)."
    )
    common: dict[str, Any] = {
        "table_id": "SSB-PROFIL",
        "source": source.name,
        "publisher": "SSB (via FemtiGram/kart)",
        "licence": SSB_LICENCE,
        "caveat": caveat,
    }
    return [
        Dataset(
            name="municipality_profiles_femtigram",
            kind="observations",
            frame=obs,
            title="Kommuneprofil: utdanning, bolig, gebyrer, eiendomsskatt, fastlege og inntekt",
            **common,
        ),
        Dataset(
            name="municipality_profile_flags_femtigram",
            kind="attributes",
            frame=attributes,
            title="Kommuneprofil: eiendomsskatt på bolig (ja/nei)",
            **common,
        ),
    ]


# ------------------------------------------------------------------------------------------------
# BA regions (SSB workbook)

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
    for row in _sniffed(_ba_rows(source), source)[1:]:
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
    caveat = (
        "Kolonneoverskriften sier «per 1. januar 2020», men kodene er 2024-inndeling. Rettet her: "
        "1567 Rindal → 5061 (ren omnummerering i 2019 ifølge KLASS), 3444 Jevnaker → 3236 og "
        "3445 Lunner → 3234 (2024-numrene). Reisetid i minutter til senteret, pendling i prosent."
    )
    common: dict[str, Any] = {
        "table_id": "SSB-BA",
        "source": source.name,
        "publisher": SSB,
        "licence": SSB_LICENCE,
        "caveat": caveat,
    }
    return [
        Dataset(
            name=f"ba_regions_{year}",
            kind="attributes",
            frame=attributes,
            title="Bo- og arbeidsmarkedsregioner (BA-regioner)",
            **common,
        ),
        Dataset(
            name=f"ba_region_commuting_{year}",
            kind="observations",
            frame=obs,
            title="BA-regioner: reisetid til senter og ut-/innpendling",
            **common,
        ),
    ]


# ------------------------------------------------------------------------------------------------
# 14288 county projections

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


def parse_projections_14288(source: SourceFile) -> list[Dataset]:
    """14288 county projections (wide) → county_observations ``projected_population_<alt>``
    (alt = mmmm main, hhmh high, llml low), population 1 January of each year. County names
    ("Nordland - Nordlánnda") map to 2024 county numbers."""
    frame = read_csv(source)
    years = to_year(frame["Tid"], "Tid")
    parts = []
    for column in frame.columns[1:]:
        match = _matched(PROJECTION_COLUMN, column)
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
        Dataset(
            name=f"population_projections_14288_counties_{year_span(result['year'])}",
            kind="county_observations",
            frame=result,
            table_id="14288",
            title="Framskrevet folkemengde 1. januar, etter fylke (2024-framskrivingene)",
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
            caveat="Kun fylkesnivå. Summert over kjønn og aldersgrupper av tredjepart (JohanWidding); "
            "alternativene MMMM (hoved), HHMH (høy nasjonal vekst) og LLML (lav nasjonal vekst).",
        )
    ]


# ------------------------------------------------------------------------------------------------
# KLASS 131 code lists and change lists

KLASS_CSV_COLUMNS = ["code", "parentCode", "level", "name", "shortName", "notes", "validFrom", "validTo"]


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
        Dataset(
            name=f"klass131_code_list_{year}",
            kind="code_list",
            frame=codes,
            table_id="KLASS-131",
            title=f"Standard for kommuneinndeling (KLASS 131), kommuner {year}",
            source=source.name,
            publisher=SSB,
            licence=SSB_LICENCE,
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
    old_year, new_year, _ = _matched(CHANGE_HEADER, first_line(source)).groups()
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
        Dataset(
            name=f"klass131_changes_{old_year}_{new_year}",
            kind="code_changes",
            frame=changes,
            table_id="KLASS-131",
            title=f"Endringer i kommuneinndelingen {old_year}–{new_year} (KLASS 131)",
            source=source.name,
            publisher="SSB KLASS (via gardenberg/kommunekoder)",
            licence=SSB_LICENCE,
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
        Dataset(
            name="code_changes_gardenberg_wide_2013_2020",
            kind="code_changes",
            frame=changes,
            table_id="KLASS-131",
            title="Kommunenummer 2013–2020, endringer steg for steg (bred tabell)",
            source=source.name,
            publisher="SSB KLASS (via gardenberg/kommunekoder)",
            licence=SSB_LICENCE,
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
        Dataset(
            name="code_changes_gardenberg_long_2013_2020",
            kind="code_changes",
            frame=changes,
            table_id="KLASS-131",
            title="Historiske kommunenummer (2013–2019) til 2020-nummer (lang tabell)",
            source=source.name,
            publisher="SSB KLASS (via gardenberg/kommunekoder)",
            licence=SSB_LICENCE,
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
    old_year, new_year = _matched(MUNICIPALITY_TABLE_HEADER, first_line(source)).groups()
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
        Dataset(
            name=f"code_changes_evensrii_{old_year}_{new_year}",
            kind="code_changes",
            frame=changes,
            table_id="KLASS-131",
            title=f"Kommunenummer {old_year} til {new_year} (kommunetabell)",
            source=source.name,
            publisher="evensrii/Telemark (etter SSB KLASS)",
            licence=SSB_LICENCE,
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
        Dataset(
            name=f"code_changes_klass131_kommunebarometer_{years}",
            kind="code_changes",
            frame=changes,
            table_id="KLASS-131",
            title="Rene kommunenummerendringer 1. januar 2024 (KLASS 131)",
            source=source.name,
            publisher="SSB KLASS (via kommunebarometer)",
            licence=SSB_LICENCE,
            caveat="Kun rene nummerendringer (samme navn, nytt nummer); sammenslåinger og delinger "
            "er ikke med.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# GeoJSON outlines


def _geojson_level(source: SourceFile) -> str | None:
    doc = parsed_json(source)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not doc.get("features"):
        return None
    properties = doc["features"][0].get("properties") or {}
    if "kommunenummer" in properties:
        return "municipality"
    if "fylkesnummer" in properties:
        return "county"
    return None


def parse_geojson(source: SourceFile) -> list[Dataset]:
    """GeoJSON FeatureCollection → geometries, one feature per row as compact JSON text
    (coordinates unchanged). Municipality level if features carry ``kommunenummer``
    (4-digit region_code), county level if they carry ``fylkesnummer`` (2-digit)."""
    level = _geojson_level(source)
    number_key, name_key = (
        ("kommunenummer", "kommunenavn") if level == "municipality" else ("fylkesnummer", "fylkesnavn")
    )
    rows = []
    for feature in parsed_json(source)["features"]:
        properties = feature.get("properties") or {}
        code = str(properties.get(number_key, "")).strip()
        code = code.zfill(4) if level == "municipality" else code.zfill(2)
        if not code.isdigit():
            raise ValueError(f"GeoJSON: mangler {number_key} i et objekt")
        rows.append(
            {
                "region_code": code,
                "level": level,
                "name": properties.get(name_key) or properties.get("name"),
                "geojson": json.dumps(feature, ensure_ascii=False, separators=(",", ":")),
            }
        )
    frame = pd.DataFrame(rows)
    if frame["region_code"].duplicated().any():
        raise ValueError("GeoJSON: samme region flere ganger")
    plural = "municipalities" if level == "municipality" else "counties"
    return [
        Dataset(
            name=f"geometries_{plural}_2024",
            kind="geometries",
            frame=frame,
            table_id="KARTVERKET-GRENSER",
            title="Kommunegrenser 2024 (forenklet)"
            if level == "municipality"
            else "Fylkesgrenser 2024 (forenklet)",
            source=source.name,
            publisher="Kartverket",
            licence="CC BY 4.0",
            caveat="Forenklede omriss (robhop/fylker-og-kommuner, basert på Kartverkets data), "
            "2024-inndeling, "
            "WGS84. © Kartverket.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# plan status collected from public pages

PLAN_COLUMNS = [
    "kommunenummer",
    "kommunenavn",
    "plantype",
    "periode",
    "vedtatt",
    "status",
    "kilde_url",
    "kilde_tittel",
    "hentet_fra",
    "merknad",
]
PLAN_TYPES = {"samfunnsdel", "planstrategi", "arealdel", "planprogram"}
PLAN_STATUSES = {"vedtatt", "under_arbeid", "på_høring", "ukjent"}


def parse_plan_status(source: SourceFile) -> list[Dataset]:
    """Collected plan status CSV → plan_status_sources (empty cells → <NA>). Plan types and
    statuses outside the documented vocabulary fail clearly."""
    frame = read_csv(source)
    bad_types = sorted(set(frame["plantype"]) - PLAN_TYPES)
    bad_status = sorted(set(frame["status"]) - PLAN_STATUSES)
    if bad_types or bad_status:
        raise ValueError(f"planstatus: ukjent plantype {bad_types} eller status {bad_status}")
    codes = [region_code(code) for code in frame["kommunenummer"]]
    if any(code is None for code in codes):
        raise ValueError("planstatus: ugyldig kommunenummer")

    def text(column: str) -> pd.Series:
        return frame[column].str.strip().replace({"": None})

    plans = pd.DataFrame(
        {
            "municipality_code": codes,
            "plan_type": frame["plantype"],
            "period": text("periode"),
            "adopted": text("vedtatt"),
            "status": frame["status"],
            "source_url": text("kilde_url").where(
                text("kilde_url").str.match(r"https?://", na=False)
            ),  # a link only
            "source_title": text("kilde_tittel"),
            "note": text("merknad"),
        }
    )
    return [
        Dataset(
            name="plan_status_sources",
            kind="plan_status_sources",
            frame=plans,
            table_id="PLANSTATUS",
            title="Status for kommuneplaner (samfunnsdel, planstrategi, arealdel, planprogram) fra "
            "kommunenes nettsider",
            source=source.name,
            publisher="Kommunenes nettsider (innsamlet)",
            licence="Ukjent (offentlige nettsider)",
            caveat="Samlet inn 2026-11-26 fra lagrede kopier av offentlige nettsider (ca. 2013 til "
            "tidlig 2026), "
            "36 små kommuner i Nordland og Trøndelag. Status gjelder datoen siden ble lagret: «på høring» "
            "eller «under arbeid» kan være vedtatt senere. Mangler betyr ikke at planen ikke er vedtatt.",
        )
    ]


# ------------------------------------------------------------------------------------------------
# the registry


def _jsonstat_layout(table: str) -> Layout:
    return Layout(
        name=f"SSB JSON-stat {table}",
        sniff=lambda source: _jsonstat_table(source) == table,
        parse=parse_jsonstat_table,
    )


LAYOUTS: list[Layout] = [
    Layout(
        "11618 sysselsatte bosted/arbeidssted (CSV)",
        lambda s: header_is(s, EMPLOYMENT_COLUMNS),
        parse_employment_11618,
    ),
    Layout("03321 pendlingsstrømmer (CSV)", lambda s: header_is(s, COMMUTING_COLUMNS), parse_commuting_03321),
    Layout(
        "06913 befolkningsendringer, langt utdrag (CSV)",
        lambda s: header_is(s, COMPONENTS_COLUMNS),
        parse_components_06913,
    ),
    *(_jsonstat_layout(table) for table in JSONSTAT_TABLES),
    Layout(
        "KOSTRA økonomioversikt, avledet (CSV)", lambda s: header_is(s, KOSTRA_COLUMNS), parse_kostra_economy
    ),
    Layout("KDD ROBEK-register (JSON)", _is_robek, parse_robek),
    Layout("KDD Grønt hefte kostnadsindeks (JSON)", _is_cost_need_index, parse_cost_need_index),
    Layout(
        "KDD Grønt hefte frie inntekter (CSV)",
        lambda s: _free_income_columns(s) is not None,
        parse_free_income,
    ),
    Layout("KLASS 128 sentralitet (CSV)", lambda s: header_is(s, CENTRALITY_COLUMNS), parse_centrality),
    Layout(
        "KOSTRA-grupper per kommune (CSV)", lambda s: header_is(s, KOSTRA_GROUP_COLUMNS), parse_kostra_groups
    ),
    Layout(
        "KOSTRA-gruppebeskrivelse (xlsx)",
        lambda s: _kostra_description_rows(s) is not None,
        parse_kostra_group_descriptions,
    ),
    Layout("Kommuneprofiler FemtiGram (CSV)", _is_profile, parse_profiles),
    Layout("SSB BA-regioner (xlsx)", lambda s: _ba_rows(s) is not None, parse_ba_regions),
    Layout("14288 framskrevet folkemengde, fylker (bred CSV)", _is_projection, parse_projections_14288),
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
    Layout("GeoJSON kommune-/fylkesgrenser", lambda s: _geojson_level(s) is not None, parse_geojson),
    Layout("Planstatus innsamlet (CSV)", lambda s: header_is(s, PLAN_COLUMNS), parse_plan_status),
]
