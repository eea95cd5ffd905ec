"""Fetch specifications: per SSB table, what to ask for and how the answer becomes a Dataset.

Everything here is data. A dimension is asked for in one of three ways:

* ``MUNICIPALITIES`` – every 4-digit municipality code the table's metadata lists (all years'
  numbering, so that historical codes come along; values stay as published);
* ``ALL`` – every code the metadata lists (e.g. every year, every age);
* a tuple of codes – exactly these (e.g. the ContentsCodes we use).

``roles`` says which tidy column a dimension becomes (``region_code``, ``year``, ``measure``,
``sex``, ``age``, ``home_region_code``, ``work_region_code``); dimensions in ``sum_over`` are
summed away. ``measures`` maps ContentsCode → measure name of the snapshot (the names the file
import uses). Codes marked in ``to_verify`` could not be checked against data.ssb.no from this
machine: the refresh checks every fixed code against the table's metadata and stops with a
clear message if SSB does not list it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MUNICIPALITIES = "municipalities"
ALL = "all"

Selection = str | tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    table_id: str
    title: str  # Norwegian title, shown to users and stored in the manifest
    dataset_name: str  # snapshot dataset name
    kind: str  # a key of nokkeltall.datasets.KINDS
    selection: dict[str, Selection]  # dimension id -> what to ask for (every dimension listed)
    roles: dict[str, str]  # dimension id -> tidy column (dimensions not summed away)
    measures: dict[str, str] = field(default_factory=dict)  # ContentsCode -> measure name
    sum_over: tuple[str, ...] = ()  # dimensions summed away after fetching
    caveat: str | None = None
    to_verify: str | None = None  # what still has to be checked against the live API

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(self.selection)


TABLES: dict[str, TableSpec] = {
    spec.table_id: spec
    for spec in [
        TableSpec(
            table_id="07459",
            title="Befolkning, etter region, kjønn, alder og år",
            dataset_name="population_07459_sex_api",
            kind="population_age_sex",
            selection={
                "Region": MUNICIPALITIES,
                "Kjonn": ("1", "2"),
                "Alder": ALL,  # "000" … "104", "105+"
                "ContentsCode": ("Personer1",),
                "Tid": ALL,
            },
            roles={"Region": "region_code", "Kjonn": "sex", "Alder": "age", "Tid": "year"},
            caveat="Kjønn «total» er summen av kvinner og menn. Alder 105 betyr 105 år eller eldre.",
        ),
        TableSpec(
            table_id="06913",
            title="Befolkning 1. januar og endringer i året, etter region",
            dataset_name="population_changes_06913",
            kind="observations",
            selection={
                "Region": MUNICIPALITIES,
                "ContentsCode": ("Folkemengde", "Fodselsoverskudd", "Nettoinnflytting"),
                "Tid": ALL,
            },
            roles={"Region": "region_code", "ContentsCode": "measure", "Tid": "year"},
            measures={
                "Folkemengde": "population_06913",
                "Fodselsoverskudd": "natural_increase",
                "Nettoinnflytting": "net_migration",
            },
        ),
        TableSpec(
            table_id="12134",
            title="Utvalgte nøkkeltall for kommuneøkonomi (KOSTRA)",
            dataset_name="kostra_key_figures_12134",
            kind="observations",
            selection={
                "KOKkommuneregion0000": MUNICIPALITIES,
                "ContentsCode": (
                    "KOSnettodriftsres0000",
                    "KOSfrieinntekter0000",
                    "KOSnettolaanegjeld0000",
                ),
                "Tid": ALL,
            },
            roles={"KOKkommuneregion0000": "region_code", "ContentsCode": "measure", "Tid": "year"},
            measures={
                "KOSnettodriftsres0000": "net_operating_result_pct",
                "KOSfrieinntekter0000": "free_income_per_capita_nok",
                "KOSnettolaanegjeld0000": "net_debt_per_capita_nok",
            },
            caveat="Kommunekassen/konsern slik SSB publiserer tabellen; siste år kan være foreløpige tall.",
            to_verify=(
                "ContentsCodes (and whether 12134 has a further KOKart/regnskapsomfang dimension) "
                "are placeholders: read /tables/12134/metadata online and correct them"
            ),
        ),
        # 14288 is the 2024 round's regional projection, municipalities included (its Region lists the
        # country, counties and municipalities; SSB's own queries select them with the value sets
        # FylkerFram2024 and KommunFram2024Agg). 13600 was the 2022 round's table. The shipped snapshot holds
        # the county rows only (a third-party file); a refresh brings the municipalities (the page compares).
        TableSpec(
            table_id="14288",
            title="Framskrevet folkemengde 1. januar, etter region (2024-framskrivingene)",
            dataset_name="population_projections_14288",
            kind="observations",
            selection={
                "Region": MUNICIPALITIES,
                "Kjonn": ALL,
                "Alder": ALL,
                "ContentsCode": ("Personer", "Personer1", "Personer2"),
                "Tid": ALL,
            },
            roles={"Region": "region_code", "ContentsCode": "measure", "Tid": "year"},
            measures={
                "Personer": "projected_population_mmmm",
                "Personer1": "projected_population_hhmh",
                "Personer2": "projected_population_llml",
            },
            sum_over=("Kjonn", "Alder"),
            caveat="Summert over kjønn og alder. Framskrivinger, ikke observerte tall.",
            to_verify=(
                "which of Personer/Personer1/Personer2 is MMMM/HHMH/LLML, and whether Kjonn/Alder "
                "hold only disjoint categories (no totals) – check the metadata labels online"
            ),
        ),
        TableSpec(
            table_id="11618",
            title="Sysselsatte 15–74 år etter bosted og arbeidssted, og befolkning 15–74 år",
            dataset_name="employment_11618",
            kind="observations",
            selection={
                "Region": MUNICIPALITIES,
                "ContentsCode": ("BefolkningBosted", "SysselBosted", "SysselArbsted"),
                "Tid": ALL,
            },
            roles={"Region": "region_code", "ContentsCode": "measure", "Tid": "year"},
            measures={
                "BefolkningBosted": "population_15_74",
                "SysselBosted": "employed_residents_15_74",
                "SysselArbsted": "employed_workplace_15_74",
            },
            to_verify="ContentsCodes taken from SSB's own 'pendling' app data; confirm in metadata",
        ),
        TableSpec(
            table_id="03321",
            title="Sysselsatte 15–74 år, etter arbeidsstedskommune, bostedskommune og år (4. kvartal)",
            dataset_name="commuting_flows_03321",
            kind="commuting_flows",
            selection={
                "ArbstedKomm": MUNICIPALITIES,
                "Bokommuen": MUNICIPALITIES,
                "ContentsCode": ("Sysselsatte",),
                "Tid": ALL,
            },
            roles={"ArbstedKomm": "work_region_code", "Bokommuen": "home_region_code", "Tid": "year"},
            caveat="Strømmer på null personer er utelatt.",
            to_verify="dimension ids ArbstedKomm/Bokommuen and ContentsCode Sysselsatte",
        ),
    ]
}


def table_spec(table_id: str) -> TableSpec:
    try:
        return TABLES[table_id]
    except KeyError:
        known = ", ".join(TABLES)
        raise KeyError(f"ukjent SSB-tabell {table_id!r} (kjente tabeller: {known})") from None
