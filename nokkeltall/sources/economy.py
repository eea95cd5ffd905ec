"""Municipal economy: KOSTRA accounts (derived CSVs) and KDD's figures (ROBEK register,
cost-need index, Grønt hefte free income)."""

from __future__ import annotations

import csv
import re

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import (
    KDD,
    NLOD,
    About,
    first_line,
    header_is,
    observations,
    parsed_json,
    read_csv,
    region_code,
    sniffed,
    to_number,
    to_year,
    wide_to_observations,
    year_span,
)

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


KOSTRA_ECONOMY = About(
    "KOSTRA",
    "KOSTRA økonomi: driftsinntekter, driftsresultat, lånegjeld og "
    "investeringer (kommunekasse/konsern ikke oppgitt)",
    publisher="SSB KOSTRA (via tredjepart)",
)


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
        KOSTRA_ECONOMY.dataset(
            source,
            f"kostra_economy_{municipalities}_municipalities_{year_span(obs['year'])}",
            "observations",
            obs,
            caveat="Avledet: tall fra et tredjepartsprosjekt (Lippen1995/Project_statsbudsjett), "
            "ikke kontrollert "
            f"mot data.ssb.no. Regnskapsomfang (kommunekasse eller konsern) er ikke oppgitt; 2025 kan være "
            f"SSBs foreløpige tall fra mars. Dekning: {municipalities} kommuner, {len(measures)} mål "
            f"({', '.join(KOSTRA_MEASURE_NAMES.get(m, m) for m in measures)}); ikke alle "
            "kommuner har alle år.",
            extra={"measures": measures},
        )
    ]


def _is_robek(source: SourceFile) -> bool:
    doc = parsed_json(source)
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("hjemler"), dict)
        and isinstance(doc.get("kommuner"), list)
        and "publisert" in doc
    )


ROBEK = About(
    "KDD-ROBEK",
    "ROBEK – Register om betinget godkjenning og kontroll",
    publisher=KDD,
    licence=NLOD,
    caveat="Sammenstilt fra regjeringen.no av tredjepart (kommunebarometer). Kommuner som ikke er "
    "oppført, står ikke i registeret per publiseringsdatoen.",
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
        ROBEK.dataset(
            source,
            f"robek_{as_of.replace('-', '_')}",
            "attributes",
            frame,
            updated=as_of,
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


COST_NEED_INDEX = About(
    "KDD-DKI",
    publisher=KDD,
    licence=NLOD,
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
        COST_NEED_INDEX.dataset(
            source,
            f"cost_need_index_kdd_{year}",
            "observations",
            obs,
            title=f"Kostnadsindeks (samlet DKI, utgiftsutjevning), Grønt hefte {year}, tabell A-k",
            caveat="Transkribert fra KDDs Grønt hefte av tredjepart (kommunebarometer); "
            f"{doc.get('dekning', '')}. DKI over 1 betyr høyere utgiftsbehov enn landsgjennomsnittet.",
            updated=doc.get("publisert"),
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


FREE_INCOME = About(
    "KDD-GRONTHEFTE",
    publisher=KDD,
    licence=NLOD,
)


def parse_free_income(source: SourceFile) -> list[Dataset]:
    """Grønt hefte frie inntekter CSV (budget year B, from columns frie{B-1}/frie{B}) →
    observations: ``free_income_nok`` (years B−1 and B, estimates in kr), ``free_income_growth_pct``
    (year B, as printed), ``population_1_july`` (year B−1, innbyggere 1 July) and
    ``tax_index_pct`` (tax in % of the national average, tabell F-k; put on year B−1, the year
    of the tax base used in the budget year B). Names may hold quoted line breaks."""
    columns = sniffed(_free_income_columns(source), source)
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
        FREE_INCOME.dataset(
            source,
            f"free_income_kdd_gronthefte_{budget}",
            "observations",
            obs,
            title=f"Frie inntekter {previous}–{budget}, innbyggertall og skatteindeks (Grønt hefte {budget})",
            caveat=f"Avledet av tredjepart (janbjorge/statsbudsjett) fra Grønt hefte {budget}, "
            "tabell 3-k og F-k: "
            "anslag i statsbudsjettet, ikke regnskap. Vekst i prosent som trykt (beregnet på korrigert "
            "grunnlag). Innbyggertall per 1. juli.",
        )
    ]


LAYOUTS: list[Layout] = [
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
]
