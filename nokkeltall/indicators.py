"""The indicator catalogue: one declarative registry, the single source of labels and formulas.

Every indicator is computed from the ``measure`` table (see ``nokkeltall.derived``):

* ``level``   value = numerator                       aggregate = sum (when ``summable``)
* ``ratio``   value = factor × numerator / denominator aggregate = factor × Σnum / Σden
* ``change``  value = (numerator_t / numerator_{t−lag} − 1) × 100, aggregate on sums
* ``published`` value = a published figure (e.g. per inhabitant); aggregate from its parts
  (``numerator``/``denominator``), since a mean of published ratios would be wrong
* ``median_age`` value = the median of the single-year age distribution (07459)

Aggregates (county, country) are only given when every municipality of the group has the
figure; a partial sum would be a wrong number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str  # Norwegian, for headings and tables
    unit: str  # "personer", "%", "kr", "indeks", "år", "per 100"
    definition: str  # Norwegian, one or two sentences
    table_id: str  # SSB table (or KDD register) the figure comes from
    kind: str  # level | ratio | change | published | median_age
    numerator: str | None = None  # a measure
    denominator: str | None = None  # a measure (ratio / published aggregation)
    value_measure: str | None = None  # published: the measure shown for a municipality
    factor: float = 1.0
    lag_years: int = 0  # change: years between the two populations; ratio: denominator year = year − lag
    summable: bool = False  # level: may municipalities be added up?
    higher_is_better: bool | None = None
    decimals: int = 0
    category: str = "Befolkning"  # Befolkning | Arbeid og pendling | Økonomi | Levekår | Struktur
    ssb_codes: str = ""  # the table's codes that feed it (for the API refresh and «Om data»)


POPULATION_CODES = "07459: Region (kommune), Kjonn, Alder, ContentsCode=Personer1, Tid"

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "population",
        "Folketall",
        "personer",
        "Personer bosatt i kommunen 1. januar.",
        "07459",
        "level",
        numerator="population",
        summable=True,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "population_change_10y_pct",
        "Befolkningsendring siste 10 år",
        "%",
        "Endring i folketallet 1. januar over de siste ti årene, i prosent.",
        "07459",
        "change",
        numerator="population",
        lag_years=10,
        higher_is_better=True,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "share_0_19_pct",
        "Andel 0–19 år",
        "%",
        "Personer 0–19 år i prosent av folketallet.",
        "07459",
        "ratio",
        numerator="population_0_19",
        denominator="population",
        factor=100,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "share_20_66_pct",
        "Andel 20–66 år",
        "%",
        "Personer 20–66 år i prosent av folketallet.",
        "07459",
        "ratio",
        numerator="population_20_66",
        denominator="population",
        factor=100,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "share_67_plus_pct",
        "Andel 67 år og eldre",
        "%",
        "Personer 67 år og eldre i prosent av folketallet.",
        "07459",
        "ratio",
        numerator="population_67_plus",
        denominator="population",
        factor=100,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "share_80_plus_pct",
        "Andel 80 år og eldre",
        "%",
        "Personer 80 år og eldre i prosent av folketallet.",
        "07459",
        "ratio",
        numerator="population_80_plus",
        denominator="population",
        factor=100,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "old_age_ratio",
        "Eldrebyrde (67+ per 100 i alderen 20–66)",
        "per 100",
        "Personer 67 år og eldre per 100 personer i alderen 20–66 år.",
        "07459",
        "ratio",
        numerator="population_67_plus",
        denominator="population_20_66",
        factor=100,
        higher_is_better=False,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "women_per_100_men_20_39",
        "Kvinner per 100 menn, 20–39 år",
        "per 100",
        "Kvinner i alderen 20–39 år per 100 menn i samme alder (kjønnsbalanse blant unge voksne).",
        "07459",
        "ratio",
        numerator="women_20_39",
        denominator="men_20_39",
        factor=100,
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "median_age",
        "Medianalder",
        "år",
        "Alderen som deler befolkningen i to like store halvdeler.",
        "07459",
        "median_age",
        decimals=1,
        ssb_codes=POPULATION_CODES,
    ),
    Indicator(
        "natural_increase",
        "Fødselsoverskudd",
        "personer",
        "Levendefødte minus døde i løpet av året.",
        "06913",
        "level",
        numerator="natural_increase",
        summable=True,
        higher_is_better=True,
        ssb_codes="06913: ContentsCode=Fodselsoverskudd",
    ),
    Indicator(
        "net_migration",
        "Nettoinnflytting",
        "personer",
        "Innflytting minus utflytting i løpet av året (inkl. inn- og utvandring).",
        "06913",
        "level",
        numerator="net_migration",
        summable=True,
        higher_is_better=True,
        ssb_codes="06913: ContentsCode=Nettoinnflytting",
    ),
    Indicator(
        "employment_rate_15_74_pct",
        "Sysselsettingsandel 15–74 år",
        "%",
        "Sysselsatte bosatt i kommunen i prosent av befolkningen 15–74 år (4. kvartal).",
        "11618",
        "ratio",
        numerator="employed_residents_15_74",
        denominator="population_15_74",
        factor=100,
        higher_is_better=True,
        decimals=1,
        category="Arbeid og pendling",
        ssb_codes="11618: bosted, sysselsatte og befolkning 15–74 år",
    ),
    Indicator(
        "out_commuting_pct",
        "Utpendling",
        "%",
        "Sysselsatte bosatte som arbeider i en annen kommune, i prosent av sysselsatte bosatte.",
        "03321",
        "ratio",
        numerator="out_commuters",
        denominator="employed_residents_flows",
        factor=100,
        decimals=1,
        category="Arbeid og pendling",
        ssb_codes="03321: ArbstedKomm × Bokommuen, 4. kvartal",
    ),
    Indicator(
        "job_coverage_pct",
        "Arbeidsplassdekning",
        "%",
        "Arbeidsplasser i kommunen (sysselsatte etter arbeidssted) per 100 sysselsatte bosatte.",
        "11618",
        "ratio",
        numerator="employed_workplace_15_74",
        denominator="employed_residents_15_74",
        factor=100,
        higher_is_better=True,
        decimals=1,
        category="Arbeid og pendling",
        ssb_codes="11618: sysselsatte etter arbeidssted og bosted",
    ),
    Indicator(
        "net_operating_result_pct",
        "Netto driftsresultat",
        "% av brutto driftsinntekter",
        "Netto driftsresultat i prosent av brutto driftsinntekter (KOSTRA, beregnet av beløpene).",
        "KOSTRA",
        "ratio",
        numerator="net_result_1000nok",
        denominator="revenues_1000nok",
        factor=100,
        higher_is_better=True,
        decimals=1,
        category="Økonomi",
        ssb_codes="KOSTRA: art AGD23 / AGD13",
    ),
    Indicator(
        "net_debt_per_capita_nok",
        "Netto lånegjeld per innbygger",
        "kr",
        "Netto lånegjeld i kroner per innbygger (KOSTRA KG31).",
        "KOSTRA",
        "published",
        value_measure="net_debt_per_capita_nok",
        numerator="net_debt_1000nok",
        denominator="population_end_of_year",
        factor=1000,
        higher_is_better=False,
        category="Økonomi",
        ssb_codes="KOSTRA: KG31 netto lånegjeld",
    ),
    Indicator(
        "revenues_per_capita_nok",
        "Brutto driftsinntekter per innbygger",
        "kr",
        "Brutto driftsinntekter i kroner per innbygger (KOSTRA AGD13).",
        "KOSTRA",
        "published",
        value_measure="revenues_per_capita_nok",
        numerator="revenues_1000nok",
        denominator="population_end_of_year",
        factor=1000,
        category="Økonomi",
        ssb_codes="KOSTRA: AGD13 brutto driftsinntekter",
    ),
    Indicator(
        "investments_per_capita_nok",
        "Brutto investeringsutgifter per innbygger",
        "kr",
        "Brutto investeringsutgifter i kroner per innbygger (KOSTRA AGI1).",
        "KOSTRA",
        "published",
        value_measure="investments_per_capita_nok",
        numerator="investments_1000nok",
        denominator="population_end_of_year",
        factor=1000,
        category="Økonomi",
        ssb_codes="KOSTRA: AGI1 brutto investeringsutgifter",
    ),
    Indicator(
        "free_income_per_capita_nok",
        "Frie inntekter per innbygger (anslag)",
        "kr",
        "Skatt og rammetilskudd per innbygger, anslag fra inntektssystemet (Grønt hefte), "
        "delt på innbyggertallet 1. juli 2026.",
        "KDD-GRONTHEFTE",
        "ratio",
        numerator="free_income_nok",
        # budget year B is divided by the population of 1 July B−1 (Grønt hefte B, tabell F-k)
        denominator="population_1_july",
        lag_years=1,
        category="Økonomi",
        ssb_codes="KDD Grønt hefte 2027, tabell 3-k og F-k",
    ),
    Indicator(
        "cost_need_index",
        "Kostnadsindeks (utgiftsbehov)",
        "indeks",
        "Samlet kostnadsindeks i utgiftsutjevningen; 1,00 = landsgjennomsnittet.",
        "KDD-DKI",
        "level",
        numerator="cost_need_index",
        decimals=3,
        category="Økonomi",
        ssb_codes="KDD Grønt hefte, tabell A-k",
    ),
    Indicator(
        "centrality_index",
        "Sentralitetsindeks",
        "indeks",
        "SSBs sentralitetsindeks (0–1000), basert på tilgang til arbeidsplasser og tjenester.",
        "KLASS-128",
        "level",
        numerator="centrality_index",
        category="Struktur",
        ssb_codes="KLASS 128",
    ),
)


def _published_levels() -> tuple[Indicator, ...]:
    """Figures published per municipality as levels or shares (no parts to add up, so no county or
    country aggregate): (id = measure, label, unit, definition, table, category, decimals,
    higher is better)."""
    rows = [
        (
            "household_income_after_tax_median_nok",
            "Medianinntekt etter skatt per husholdning",
            "kr",
            "Median inntekt etter skatt for alle husholdninger (SSB inntektsstatistikk, InntektStruk13).",
            "InntektStruk13",
            "Levekår",
            0,
            True,
        ),
        (
            "education_primary_pct",
            "Utdanning: grunnskole som høyeste",
            "%",
            "Andel av befolkningen 16 år og over med grunnskole som høyeste fullførte utdanning.",
            "09429",
            "Levekår",
            1,
            None,
        ),
        (
            "education_upper_secondary_pct",
            "Utdanning: videregående skole",
            "%",
            "Andel av befolkningen 16 år og over med videregående skole som høyeste fullførte utdanning.",
            "09429",
            "Levekår",
            1,
            None,
        ),
        (
            "education_vocational_college_pct",
            "Utdanning: fagskole",
            "%",
            "Andel av befolkningen 16 år og over med fagskole som høyeste fullførte utdanning.",
            "09429",
            "Levekår",
            1,
            None,
        ),
        (
            "education_higher_short_pct",
            "Utdanning: universitet og høgskole, kort",
            "%",
            "Andel av befolkningen 16 år og over med høyere utdanning til og med fire år.",
            "09429",
            "Levekår",
            1,
            None,
        ),
        (
            "education_higher_long_pct",
            "Utdanning: universitet og høgskole, lang",
            "%",
            "Andel av befolkningen 16 år og over med høyere utdanning over fire år.",
            "09429",
            "Levekår",
            1,
            None,
        ),
        (
            "households_owner_pct",
            "Husholdninger som selveiere",
            "%",
            "Andel privathusholdninger som eier boligen som selveier.",
            "11084",
            "Levekår",
            1,
            None,
        ),
        (
            "households_tenant_pct",
            "Husholdninger som leier",
            "%",
            "Andel privathusholdninger som leier boligen.",
            "11084",
            "Levekår",
            1,
            None,
        ),
        (
            "dwellings_detached_pct",
            "Boliger: eneboliger",
            "%",
            "Andel av boligene som er eneboliger.",
            "06265",
            "Levekår",
            1,
            None,
        ),
        (
            "married_share_18plus_pct",
            "Gifte, 18 år og over",
            "%",
            "Andel personer 18 år og over i privathusholdninger som er gift.",
            "06096",
            "Levekår",
            1,
            None,
        ),
        (
            "fee_total_nok",
            "Kommunale gebyrer per år (vann, avløp, avfall, feiing)",
            "kr",
            "Sum årsgebyr for vann, avløp, avfall og feiing for en standard bolig.",
            "12842",
            "Økonomi",
            0,
            False,
        ),
        (
            "property_tax_120m2_dwelling_nok",
            "Eiendomsskatt, enebolig på 120 m²",
            "kr",
            "Eiendomsskatt for en standard enebolig på 120 m².",
            "14674",
            "Økonomi",
            0,
            False,
        ),
        (
            "gp_reserve_capacity_pct",
            "Reservekapasitet hos fastlegene",
            "%",
            "Fastlegelistenes samlede kapasitet (listetak) i prosent av antall personer på listene (KOSTRA); "
            "over 100 betyr ledige plasser.",
            "12005",
            "Levekår",
            0,
            True,
        ),
        (
            "tax_index_pct",
            "Skatteinntekt i prosent av landsgjennomsnittet",
            "%",
            "Skatt per innbygger i prosent av landsgjennomsnittet (inntektssystemet, Grønt hefte).",
            "KDD-GRONTHEFTE",
            "Økonomi",
            1,
            None,
        ),
    ]
    return tuple(
        Indicator(
            measure,
            label,
            unit,
            definition,
            table,
            "level",
            numerator=measure,
            decimals=decimals,
            category=category,
            higher_is_better=better,
            ssb_codes=f"{table}: {measure}",
        )
        for measure, label, unit, definition, table, category, decimals, better in rows
    )


def _published_counts() -> tuple[Indicator, ...]:
    """Counts that add up over municipalities."""
    return (
        Indicator(
            "households_total",
            "Antall privathusholdninger",
            "husholdninger",
            "Antall privathusholdninger i kommunen.",
            "07182",
            "level",
            numerator="households_total",
            summable=True,
            category="Levekår",
            ssb_codes="07182: husholdninger i alt",
        ),
        Indicator(
            "holiday_property_transfers",
            "Omsatte fritidseiendommer",
            "antall",
            "Omsetninger av fritidseiendommer med bygning i løpet av året.",
            "11694",
            "level",
            numerator="holiday_property_transfers",
            summable=True,
            category="Levekår",
            ssb_codes="11694: omsetninger i alt",
        ),
    )


PUBLISHED_AS_IS = _published_levels() + _published_counts()
CATALOGUE = CATALOGUE + PUBLISHED_AS_IS
BY_ID = {indicator.id: indicator for indicator in CATALOGUE}


# --- definitions and formulas ----------------------------------------------------------------------
# The words a definition must use for each measure, so the text can be checked against the formula
# (``definition_problems``). A new measure in the catalogue needs its words here.
MEASURE_TERMS: dict[str, str | tuple[str, ...]] = {
    "population": ("folketallet", "bosatt i kommunen", "befolkningen"),
    "population_0_19": "0–19 år",
    "population_20_66": "20–66 år",
    "population_67_plus": "67 år og eldre",
    "population_80_plus": "80 år og eldre",
    "women_20_39": "Kvinner",
    "men_20_39": "menn",
    "natural_increase": "Levendefødte minus døde",
    "net_migration": "Innflytting minus utflytting",
    "employed_residents_15_74": "Sysselsatte bosatt",
    "population_15_74": "befolkningen 15–74 år",
    "out_commuters": "arbeider i en annen kommune",
    "employed_residents_flows": "sysselsatte bosatte",
    "employed_workplace_15_74": "Arbeidsplasser",
    "net_result_1000nok": "Netto driftsresultat",
    "revenues_1000nok": "brutto driftsinntekter",
    "net_debt_1000nok": "Netto lånegjeld",
    "investments_1000nok": "Brutto investeringsutgifter",
    "population_end_of_year": "innbygger",
    "free_income_nok": "Skatt og rammetilskudd",
    "population_1_july": "innbyggertallet 1. juli",
    "cost_need_index": "kostnadsindeks",
    "centrality_index": "sentralitetsindeks",
    "household_income_after_tax_median_nok": "Median inntekt etter skatt",
    "education_primary_pct": "grunnskole",
    "education_upper_secondary_pct": "videregående skole",
    "education_vocational_college_pct": "fagskole",
    "education_higher_short_pct": "til og med fire år",
    "education_higher_long_pct": "over fire år",
    "households_owner_pct": "eier boligen",
    "households_tenant_pct": "leier boligen",
    "dwellings_detached_pct": "eneboliger",
    "married_share_18plus_pct": "gift",
    "fee_water_nok": "vann",
    "fee_wastewater_nok": "avløp",
    "fee_waste_nok": "avfall",
    "fee_chimney_sweeping_nok": "feiing",
    "property_tax_120m2_dwelling_nok": "Eiendomsskatt",
    "gp_list_capacity": "kapasitet",
    "gp_persons_on_lists": "personer på listene",
    "tax_index_pct": "Skatt per innbygger",
    "households_total": "privathusholdninger",
    "holiday_property_transfers": "Omsetninger av fritidseiendommer",
}
# Published figures that are themselves formulas of parts, as their source computes them:
# (numerator measures (summed), connector, denominator measure or None).
SOURCE_FORMULAS: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "gp_reserve_capacity_pct": (("gp_list_capacity",), "i prosent av", "gp_persons_on_lists"),
    "fee_total_nok": (
        ("fee_water_nok", "fee_wastewater_nok", "fee_waste_nok", "fee_chimney_sweeping_nok"),
        "Sum",
        None,
    ),
    "tax_index_pct": (("tax_index_pct",), "i prosent av landsgjennomsnittet", None),
}


def formula(indicator: Indicator) -> tuple[tuple[str, ...], str, str | None]:
    """(numerator measures, connector word, denominator measure) the indicator computes."""
    if indicator.id in SOURCE_FORMULAS:
        return SOURCE_FORMULAS[indicator.id]
    numerator = (indicator.numerator,) if indicator.numerator else ()
    if indicator.kind == "change":
        return numerator, "Endring", None
    if indicator.kind == "median_age":
        return ("population",), "deler befolkningen i to like store halvdeler", None
    if indicator.kind in ("ratio", "published") and indicator.denominator:
        if indicator.unit == "per 100" or (indicator.unit == "%" and "per 100" in indicator.definition):
            connector = "per 100"
        elif indicator.factor == 100:
            connector = "i prosent av"
        else:
            connector = "per"
        return numerator, connector, indicator.denominator
    return numerator, "", None


def definition_problems(indicator: Indicator) -> list[str]:
    """Where the definition text does not say what the formula computes (empty when it does)."""
    numerators, connector, denominator = formula(indicator)
    text = indicator.definition.lower()
    problems = []
    if any(m not in MEASURE_TERMS for m in (*numerators, denominator) if m):
        return [f"{indicator.id}: mangler ord for målet i MEASURE_TERMS"]
    at = text.find(connector.lower()) if connector else 0
    if at < 0:
        return [f"{indicator.id}: definisjonen sier ikke «{connector}»"]
    for measure in numerators:
        where = _find_term(text, measure)
        if where < 0 or (denominator and where > at):
            problems.append(f"{indicator.id}: telleren «{_terms(measure)[0]}» står ikke før «{connector}»")
    if denominator and _find_term(text, denominator, at + len(connector)) < 0:
        problems.append(f"{indicator.id}: nevneren «{_terms(denominator)[0]}» står ikke etter «{connector}»")
    if indicator.kind == "change" and indicator.lag_years == 10 and "ti år" not in text:
        problems.append(f"{indicator.id}: definisjonen nevner ikke tidsrommet (ti år)")
    return problems


def _terms(measure: str) -> tuple[str, ...]:
    terms = MEASURE_TERMS[measure]
    return (terms,) if isinstance(terms, str) else terms


def _find_term(text: str, measure: str, start: int = 0) -> int:
    """Where the first of the measure's words occurs in ``text`` (lower case) from ``start``; −1 if none."""
    found = [text.find(term.lower(), start) for term in _terms(measure)]
    found = [where for where in found if where >= 0]
    return min(found) if found else -1


def display_value(indicator: Indicator, value: float | None) -> float | None:
    """A value as shown and exported: counts of persons (and other whole things) as whole numbers;
    estimates of divided municipalities are kept exact inside the database."""
    if value is None or pd.isna(value):
        return value
    return round(value) if indicator.decimals == 0 and indicator.unit in COUNT_UNITS else value


COUNT_UNITS = ("personer", "husholdninger", "antall")


def get(indicator_id: str) -> Indicator:
    try:
        return BY_ID[indicator_id]
    except KeyError:
        raise KeyError(indicator_id) from None


def near_matches(text: str, candidates: list[str], limit: int = 5) -> list[str]:
    """Candidates that look like ``text`` (for «did you mean …» messages)."""
    import difflib  # noqa: PLC0415

    lowered = text.lower()
    contains = [c for c in candidates if lowered and lowered in c.lower()]
    close = difflib.get_close_matches(text, candidates, n=limit, cutoff=0.5)
    return list(dict.fromkeys(contains + close))[:limit]
