"""The fact-base document (kunnskapsgrunnlag) as plain data: sections, sentences, tables, charts.

``build_report(con, code)`` reads the query layer and writes every sentence from the data with
Norwegian number formats. Nothing here renders: ``docx`` and ``html`` turn a ``Report`` into a
file, ``images`` turns its Plotly figures into PNG.

Each number written into a sentence is recorded as a ``Fact`` (what was asked of the query layer
and the value it answered), so tests can check the text against the queries. Wording follows the
direction and size of a change, comparisons are made on the values as displayed, and a missing
figure is said to be missing, never shown as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nokkeltall import indicators, provenance, queries, text
from nokkeltall.charts import commuting as commuting_charts
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.charts import population as population_charts
from nokkeltall.charts import titles
from nokkeltall.cleaning import clean_text
from nokkeltall.plan import calendar, status
from nokkeltall.projection import ProjectionError, Projector, rounded
from nokkeltall.projection import figures as projection_charts

LICENCE_LINE = (
    "Kilder: Statistisk sentralbyrå (SSB), CC BY 4.0; Kommunal- og distriktsdepartementet, "
    "NLOD 2.0; kommunenes nettsider"
)
DOCUMENT_TITLE = "Kunnskapsgrunnlag"
YEARS_BACK = 10

POPULATION_TABLE = [
    "population",
    "population_change_10y_pct",
    "share_0_19_pct",
    "share_20_66_pct",
    "share_67_plus_pct",
    "share_80_plus_pct",
    "old_age_ratio",
    "median_age",
    "women_per_100_men_20_39",
]
WORK_TABLE = ["employment_rate_15_74_pct", "out_commuting_pct", "job_coverage_pct"]
ECONOMY_TABLE = [
    "net_operating_result_pct",
    "net_debt_per_capita_nok",
    "revenues_per_capita_nok",
    "investments_per_capita_nok",
    "free_income_per_capita_nok",
    "cost_need_index",
]
SIMILAR_COUNT = 3
NUMBER_WORDS = {2: "to", 3: "tre", 4: "fire", 5: "fem"}
PLAN_LABELS = {
    "planstrategi": "Kommunal planstrategi",
    "samfunnsdel": "Kommuneplanens samfunnsdel",
    "arealdel": "Kommuneplanens arealdel",
    "planprogram": "Planprogram",
}


# --- the document as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One number written into the text: what it is (``key``), its value and how it was shown.

    ``key`` is a tuple the tests can replay against the query layer:
    ``("indicator", id, code, year)``, ``("aggregate", id, county_code or None, year)``,
    ``("flow", home_code, work_code, year)``, ``("plan_age", plan_type, adopted, as_of)``.
    """

    key: tuple
    value: float | None
    shown: str


@dataclass
class Paragraph:
    text: str
    facts: list[Fact] = field(default_factory=list)
    bold: bool = False


@dataclass
class Note:
    """Small print under a chart or table: source line, caveat, recalculation mark."""

    text: str


@dataclass
class Heading:
    """A sub-heading inside a section (level 2 under the section's own heading)."""

    text: str
    level: int = 2


@dataclass
class BulletList:
    items: list[str]
    numbered: bool = False


@dataclass
class NotesArea:
    """Room to write by hand or type into (the conversation brief): a label and ruled lines."""

    label: str = "Notater"
    lines: int = 4


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    source: str | None = None


@dataclass
class Chart:
    key: str
    title: str
    figure: object  # a plotly Figure
    source: str
    note: str | None = None
    image: bytes | None = None  # PNG, filled in by ``images.render_images``
    table: Table | None = None  # the numbers the chart draws: shown instead when there is no picture


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, block) -> None:
        if block is not None:
            self.blocks.append(block)


@dataclass
class Report:
    municipality: dict
    title: str
    subtitle: str
    generated: date
    sections: list[Section]
    licence: str = LICENCE_LINE
    images_note: str | None = None  # set when charts had to be shown as tables (no browser)

    def paragraphs(self) -> list[Paragraph]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Paragraph)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]


Charts = bool | Callable[[Chart], None]  # with charts or not, or a callback for each chart as it is built


# --- small helpers ------------------------------------------------------------------------------


class _Writer:
    """Collects the facts of one sentence while it is being written."""

    def __init__(self) -> None:
        self.facts: list[Fact] = []

    def show(
        self, key: tuple, value, unit: str, decimals: int, *, absolute: bool = False, sign: bool = False
    ) -> str:
        shown_value = abs(value) if (absolute and not text.is_missing(value)) else value
        if sign and not text.is_missing(value):
            shown = text.number(shown_value, decimals, sign=True) + (" %" if unit.startswith("%") else "")
        else:
            shown = text.formatted(shown_value, unit, decimals)
        self.facts.append(Fact(key, None if text.is_missing(value) else float(value), shown))
        return shown

    def paragraph(self, sentences: Sequence[str | None]) -> Paragraph | None:
        body = " ".join(s for s in sentences if s)
        return Paragraph(body, list(self.facts)) if body else None


def _value(series: pd.DataFrame, year) -> float | None:
    return None if year is None else queries.value_in_year(series, int(year))


def _latest_year(series: pd.DataFrame) -> int | None:
    known = series.dropna(subset=["value"]) if len(series) else series
    return None if known.empty else int(known["year"].max())


def _display(value: float, indicator: indicators.Indicator) -> float:
    """The value as the reader sees it (rounded to the catalogue's decimals), for comparisons."""
    return round(float(value), indicator.decimals)


def _unit(indicator: indicators.Indicator) -> str:
    return "%" if indicator.unit.startswith("%") else indicator.unit


def _plain(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


# --- data access (parameterised SQL only) ------------------------------------------------------------


class _Data:
    """Reads for one municipality, cached for the report's lifetime."""

    def __init__(self, con, municipality: dict, shared: dict | None = None):
        self.con = con
        self.m = municipality
        self.code = municipality["municipality_code"]
        self.county = municipality["county_code"]
        self._series: dict = {}
        self._aggregates: dict = shared if shared is not None else {}  # same for every municipality
        self.used_indicators: list[str] = []
        self.similar: list[dict] = []  # [{"municipality_code", "name"}], nearest first
        self.similar_notes: list[str] = []
        self._similar_series: dict = {}

    def _fetch(self, indicator_id: str) -> None:
        """The municipality's series and its similar municipalities'. Every municipality's series is
        read once per database build and shared by the documents (as cheap as one municipality's),
        except the median age, which is worked out from single ages and only asked for these."""
        codes = [self.code] + [s["municipality_code"] for s in self.similar]
        if indicators.get(indicator_id).kind == "median_age":
            frame = queries.indicator_series(self.con, indicator_id, codes)
        else:
            key = ("series", indicator_id)
            if key not in self._aggregates:
                self._aggregates[key] = queries.indicator_series(self.con, indicator_id)
            every = self._aggregates[key]
            frame = every[every["municipality_code"].isin(codes)]
        mine = frame["municipality_code"] == self.code
        self._series[indicator_id] = frame[mine].reset_index(drop=True)
        self._similar_series[indicator_id] = frame[~mine].reset_index(drop=True)

    def similar_series(self, indicator_id: str) -> pd.DataFrame:
        if indicator_id not in self._similar_series:
            self._fetch(indicator_id)
        return self._similar_series[indicator_id]

    def series(self, indicator_id: str) -> pd.DataFrame:
        if indicator_id not in self._series:
            self._fetch(indicator_id)
        if indicator_id not in self.used_indicators:
            self.used_indicators.append(indicator_id)
        return self._series[indicator_id]

    def aggregate(self, indicator_id: str, county_code: str | None) -> pd.DataFrame:
        key = (indicator_id, county_code)
        if key not in self._aggregates:
            self._aggregates[key] = queries.aggregate_series(self.con, indicator_id, county_code)
        return self._aggregates[key]

    def sources(self, indicator_id: str) -> pd.DataFrame:
        key = ("sources", indicator_id)  # the same for every municipality: kept with the aggregates
        if key not in self._aggregates:
            frame = queries.indicator_sources(self.con, indicator_id)
            self._aggregates[key] = frame.drop_duplicates(subset=["table_id", "title"])
        return self._aggregates[key]

    def recalculated(self, indicator_id: str, years: list[int] | None = None) -> bool:
        series = self.series(indicator_id)
        if years is not None:
            series = series[series["year"].isin(years)]
        return bool(series["recalculated"].fillna(False).astype(bool).any()) if len(series) else False


def _sources_for(data: _Data, indicator_ids: list[str]) -> str:
    frames = [data.sources(i) for i in indicator_ids]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return "Kilde: ukjent"
    return provenance.source_text(pd.concat(frames).drop_duplicates(subset=["table_id", "title"]))


# --- comparisons -------------------------------------------------------------------------------------


def comparison(writer: _Writer, indicator_id: str, value, year: int, data: _Data) -> str | None:
    """«Det er høyere enn i Nordland (22,4 %) og lavere enn i landet som helhet (23,0 %).»

    Compared as displayed (rounded); a region without a figure for the year is said to lack it.
    """
    if text.is_missing(value):
        return None
    indicator = indicators.get(indicator_id)
    mine = _display(value, indicator)
    parts, missing = [], []
    for region, county_code in ((data.m["county_name"], data.county), ("landet som helhet", None)):
        other = _value(data.aggregate(indicator_id, county_code), year)
        if text.is_missing(other):
            missing.append("landet" if county_code is None else region)
            continue
        shown = writer.show(
            ("aggregate", indicator_id, county_code, year), other, _unit(indicator), indicator.decimals
        )
        theirs = _display(other, indicator)
        word = "høyere enn" if mine > theirs else "lavere enn" if mine < theirs else "det samme som"
        parts.append((word, f"{region} ({shown})"))
    sentences = []
    if len(parts) == 2 and parts[0][0] == parts[1][0]:
        sentences.append(f"Det er {parts[0][0]} i {parts[0][1]} og i {parts[1][1]}.")
    elif parts:
        sentences.append("Det er " + " og ".join(f"{word} i {where}" for word, where in parts) + ".")
    if missing:
        sentences.append(f"Tall for {' og '.join(missing)} mangler for {year}.")
    return " ".join(sentences) or None


def similar_sentence(
    writer: _Writer, indicator_id: str, year: int, data: _Data, *, signed: bool = False
) -> str | None:
    """«I de mest like kommunene var tallet 20,1 % i Namsskogan, 18,0 % i Værøy og Lierne mangler tall.»"""
    if not data.similar:
        return None
    indicator = indicators.get(indicator_id)
    series = data.similar_series(indicator_id)
    parts = []
    for other in data.similar:
        rows = series[series["municipality_code"] == other["municipality_code"]]
        value = _value(rows, year)
        if text.is_missing(value):
            parts.append(f"{other['name']} mangler tall")
            continue
        shown = writer.show(
            ("indicator", indicator_id, other["municipality_code"], year),
            value,
            _unit(indicator),
            indicator.decimals,
            sign=signed,
        )
        parts.append(f"{shown} i {other['name']}")
    listed = ", ".join(parts[:-1]) + " og " + parts[-1] if len(parts) > 1 else parts[0]
    if "(anslag)" in indicator.label:  # a budget estimate for a coming year
        return f"I de mest like kommunene er anslaget {listed}."
    return f"I de mest like kommunene var tallet {listed}."


def _missing_sentence(indicator_id: str, name: str) -> str:
    return f"{indicators.get(indicator_id).label}: tall for {name} mangler i datagrunnlaget."


def level_paragraph(
    data: _Data, indicator_id: str, subject: str, *, year: int | None = None, extra=None
) -> Paragraph | None:
    """«{subject} var 12,5 % i 2022.» plus the comparison with county and country."""
    indicator = indicators.get(indicator_id)
    series = data.series(indicator_id)
    year = year or _latest_year(series)
    value = _value(series, year)
    name = data.m["name"]
    if year is None or text.is_missing(value):
        return Paragraph(_missing_sentence(indicator_id, name))
    writer = _Writer()
    shown = writer.show(
        ("indicator", indicator_id, data.code, year), value, _unit(indicator), indicator.decimals
    )
    if "(anslag)" in indicator.label:  # a budget estimate for a coming year: not «var»
        first = f"{subject.replace(' (anslag)', '')} i {name} er anslått til {shown} for {year}."
    else:
        first = f"{subject} i {name} var {shown} i {year}."
    compared = comparison(writer, indicator_id, value, year, data)
    follow = extra(writer, value, year) if extra else None
    return writer.paragraph([first, compared, follow, similar_sentence(writer, indicator_id, year, data)])


# --- sections ------------------------------------------------------------------------------------


def _indicator_table(data: _Data, title: str, ids: list[str], *, earlier: bool = False) -> Table:
    """Latest value per indicator for the municipality, its county and the country."""
    name, county_name = data.m["name"], data.m["county_name"]
    columns = ["Indikator", "År"]
    if earlier:
        columns.append(f"{name}, ti år før")
    columns += [name, county_name, "Landet"]
    rows = []
    for indicator_id in ids:
        indicator = indicators.get(indicator_id)
        series = data.series(indicator_id)
        year = _latest_year(series)
        unit, decimals = indicator.unit, indicator.decimals
        mark = " *" if year is not None and data.recalculated(indicator_id, [year]) else ""
        row = [indicator.label, str(year) if year else text.MISSING]
        if earlier:
            row.append(text.formatted(_value(series, year - YEARS_BACK) if year else None, unit, decimals))
        row += [
            text.formatted(_value(series, year), unit, decimals) + mark,
            text.formatted(_value(data.aggregate(indicator_id, data.county), year), unit, decimals),
            text.formatted(_value(data.aggregate(indicator_id, None), year), unit, decimals),
        ]
        rows.append(row)
    return Table(title, columns, rows, _sources_for(data, ids))


def _recalculation_note(data: _Data, ids: list[str]) -> Note | None:
    if any(data.recalculated(i) for i in ids):
        return Note(
            "* Omregnet: tall fra før en kommunesammenslåing eller grenseendring er regnet om til "
            "dagens kommuneinndeling."
        )
    return None


def population_section(data: _Data, with_charts: Charts) -> Section:
    section = Section("Befolkning")
    name, county_name = data.m["name"], data.m["county_name"]
    population = data.series("population")
    year = _latest_year(population)
    if year is None:
        section.add(Paragraph(f"Folketall for {name} mangler i datagrunnlaget."))
        return section
    start = year - YEARS_BACK

    # Trend
    writer = _Writer()
    now = writer.show(("indicator", "population", data.code, year), _value(population, year), "personer", 0)
    first = f"{name} hadde {now} innbyggere per {text.population_date(year)}."
    change = _value(data.series("population_change_10y_pct"), year)
    if text.is_missing(change):
        trend: list[str | None] = [
            f"Endringen i folketallet fra {start} til {year} kan ikke beregnes: tall for {start} mangler."
        ]
    else:
        # text.change_sentence_pct writes |change| (or the signed change below 0,5 %, nothing when 0,0 %)
        if round(abs(change), 1) != 0:
            writer.show(
                ("indicator", "population_change_10y_pct", data.code, year),
                change,
                "%",
                1,
                absolute=abs(change) >= 0.5,
                sign=abs(change) < 0.5,
            )
        trend = [text.change_sentence_pct("Folketallet", name, start, year, change)]
        for region, county_code in ((county_name, data.county), ("landet", None)):
            other = _value(data.aggregate("population_change_10y_pct", county_code), year)
            if text.is_missing(other):
                trend.append(f"Tall for {region} mangler for {year}.")
                continue
            if round(abs(other), 1) != 0:
                writer.show(
                    ("aggregate", "population_change_10y_pct", county_code, year),
                    other,
                    "%",
                    1,
                    absolute=True,
                )
            trend.append(text.aggregate_change_sentence(region, other))
        similar = similar_sentence(writer, "population_change_10y_pct", year, data, signed=True)
        trend.append(similar.replace("var tallet", "var endringen") if similar else None)
    section.add(writer.paragraph([first] + trend))
    section.add(
        app_chart(
            "population", population_charts.population_chart, data.con, data.code, with_charts=with_charts
        )
    )

    # Births, deaths and migration
    section.add(_components_paragraph(data))
    for indicator_id in ("natural_increase", "net_migration"):
        # counts of persons: a county's sum would dwarf the municipality's line, so no comparison here
        section.add(
            app_chart(
                indicator_id,
                indicator_charts.indicator_chart,
                data.con,
                indicator_id,
                data.code,
                with_charts=with_charts,
                compare=False,
            )
        )

    # Age structure now and ten years ago
    section.add(
        level_paragraph(
            data,
            "share_67_plus_pct",
            "Andelen innbyggere som er 67 år og eldre",
            year=year,
            extra=lambda w, v, y: _then_sentence(w, data, "share_67_plus_pct", y - YEARS_BACK),
        )
    )
    section.add(
        level_paragraph(
            data,
            "share_0_19_pct",
            "Andelen barn og unge (0–19 år)",
            year=year,
            extra=lambda w, v, y: _then_sentence(w, data, "share_0_19_pct", y - YEARS_BACK),
        )
    )
    section.add(level_paragraph(data, "median_age", "Medianalderen", year=year))
    section.add(app_chart("age", population_charts.age_chart, data.con, data.code, with_charts=with_charts))

    # Young women balance
    section.add(
        level_paragraph(
            data,
            "women_per_100_men_20_39",
            "Antall kvinner per 100 menn i alderen 20–39 år",
            extra=lambda w, v, y: _balance_sentence(v),
        )
    )
    section.add(_indicator_table(data, f"Befolkning i {name}", POPULATION_TABLE, earlier=True))
    section.add(_recalculation_note(data, POPULATION_TABLE))
    return section


PROJECTION_YEAR = 2040


def projection_section(data: _Data, with_charts: bool) -> Section:
    """«Med dagens utvikling vil Træna ha om lag … innbyggere i 2040 (80 % sannsynlig mellom … og …)»,
    the age groups in a table and the fan chart (the app's own projection, ``nokkeltall.projection``)."""
    section = Section("Framskriving")
    name = data.m["name"]
    try:
        result = Projector.from_connection(data.con).project(data.code)
    except ProjectionError as error:
        section.add(Paragraph(f"Det kan ikke lages en framskriving for {name}: {error}"))
        return section
    writer = _Writer()

    def shown(group: str, year: int, column: str = "value") -> str:
        value = rounded(result.table(group).set_index("year").loc[year, column])
        return writer.show(("projection", group, data.code, year, column), value, "personer", 0)

    year, base = PROJECTION_YEAR, result.base_year
    sentences = [
        f"Med dagens utvikling vil {name} ha om lag {shown('total', year)} innbyggere i {year} "
        f"(80 % sannsynlig mellom {shown('total', year, 'lower')} og {shown('total', year, 'upper')}).",
        f"Antallet over 80 år kan bli om lag {shown('80+', year)} (80 % sannsynlig mellom "
        f"{shown('80+', year, 'lower')} og {shown('80+', year, 'upper')}), "
        f"mot {shown('80+', base)} i {base}.",
        f"Antallet under 20 år kan bli om lag {shown('0-19', year)}, mot {shown('0-19', base)} i {base}.",
    ]
    section.add(writer.paragraph(sentences))
    section.add(
        app_chart("projection", projection_charts.fan_chart, data.con, data.code, with_charts=with_charts)
    )
    table = projection_charts.age_group_table(data.con, data.code)
    if table is not None:
        section.add(
            Table(
                f"Innbyggere i {name} etter aldersgruppe, registrert {base} og framskrevet",
                list(table.columns),
                [[row[0]] + [text.number(v) for v in row[1:]] for row in table.itertuples(index=False)],
                source=projection_charts.METHOD_NOTE,
            )
        )
    for block in _beside_ssb_blocks(data):
        section.add(block)
    section.add(
        Note(
            "Framskrivingen føres fram ett år av gangen fra befolkningen etter alder, med flytting og "
            "dødsfall som i de siste årene, blandet med erfaringen i fylket eller i like store kommuner; "
            "folketallet i alt følger trenden de siste ti årene. "
            "«80 % sannsynlig» betyr at fire av fem tidligere framskrivinger for kommuner av samme "
            "størrelse traff innenfor et like bredt bånd. Metoden, tilbakeprøvingen og scenarioer finnes "
            "under «Framskriving» på kommunesiden."
        )
    )
    return section


def _beside_ssb_blocks(data: _Data) -> list:
    """SSB's own projection for the municipality beside ours (after an online refresh), or a line saying
    it is not fetched yet."""
    compared = projection_charts.municipal_comparison(data.con, data.code)
    if compared is None:
        return []
    if not compared["available"]:
        return [Note(compared["sentence"])]
    table = compared["table"]
    decimals = [1 if column.startswith("Forskjell") else 0 for column in table.columns[1:]]
    rows = [
        [row[0]] + [text.number(v, d) for v, d in zip(row[1:], decimals, strict=True)]
        for row in table.itertuples(index=False)
    ]
    return [
        Paragraph(compared["sentence"]),
        Table(
            f"{data.m['name']}: nøkkeltalls framskriving og SSBs framskriving for kommunen",
            list(table.columns),
            rows,
            source=compared["source"],
        ),
    ]


def _then_sentence(writer: _Writer, data: _Data, indicator_id: str, year: int) -> str | None:
    indicator = indicators.get(indicator_id)
    then = _value(data.series(indicator_id), year)
    if text.is_missing(then):
        return f"Tall for {year} mangler."
    shown = writer.show(
        ("indicator", indicator_id, data.code, year), then, _unit(indicator), indicator.decimals
    )
    return f"I {year} var andelen {shown}."


def _balance_sentence(value) -> str:
    shown = round(float(value), 1)
    if shown < 100:
        return "Det er færre unge kvinner enn unge menn."
    if shown > 100:
        return "Det er flere unge kvinner enn unge menn."
    return "Det er like mange unge kvinner som unge menn."


def _period_sum(series: pd.DataFrame, start: int, end: int) -> float | None:
    values = [_value(series, y) for y in range(start, end + 1)]
    known = [value for value in values if not text.is_missing(value)]
    return float(sum(known)) if len(known) == len(values) else None


def _components_paragraph(data: _Data) -> Paragraph | None:
    """Births surplus and net migration summed over the last ten (and five) years: yearly flows swing
    too much for one year to say anything (``charts.titles``, rule 1)."""
    natural, migration = data.series("natural_increase"), data.series("net_migration")
    year = _latest_year(natural)
    length = titles.PERIOD_YEARS
    missing = Paragraph("Tall for fødselsoverskudd og nettoinnflytting mangler i datagrunnlaget.")
    if year is None:
        return missing
    start, short = year - length + 1, year - titles.SHORT_PERIOD_YEARS + 1
    n_value, m_value = _period_sum(natural, start, year), _period_sum(migration, start, year)
    if text.is_missing(n_value) or text.is_missing(m_value):
        return missing
    writer = _Writer()
    n_shown = writer.show(
        ("flow_sum", "natural_increase", data.code, start, year), n_value, "personer", 0, sign=True
    )
    m_shown = writer.show(
        ("flow_sum", "net_migration", data.code, start, year), m_value, "personer", 0, sign=True
    )
    births = (
        "det ble født flere enn det døde"
        if n_value > 0
        else "det døde flere enn det ble født"
        if n_value < 0
        else "det ble født like mange som det døde"
    )
    moves = (
        "flere flyttet inn enn ut"
        if m_value > 0
        else "flere flyttet ut enn inn"
        if m_value < 0
        else "like mange flyttet inn som ut"
    )
    sentences = [
        f"I de ti årene {titles.period(start, year)} var fødselsoverskuddet i {data.m['name']} "
        f"{n_shown} "
        f"og nettoinnflyttingen {m_shown} til sammen: {births}, og {moves}."
    ]
    n_recent, m_recent = _period_sum(natural, short, year), _period_sum(migration, short, year)
    if not (text.is_missing(n_recent) or text.is_missing(m_recent)):
        n_short = writer.show(
            ("flow_sum", "natural_increase", data.code, short, year), n_recent, "personer", 0, sign=True
        )
        m_short = writer.show(
            ("flow_sum", "net_migration", data.code, short, year), m_recent, "personer", 0, sign=True
        )
        sentences.append(
            f"I de fem siste årene ({titles.period(short, year)}) var tallene {n_short} og "
            f"{m_short}. "
            "Tallene svinger mye fra år til år i en liten kommune; derfor er årene lagt sammen."
        )
    return writer.paragraph(sentences)


def work_section(data: _Data, with_charts: Charts) -> Section:
    section = Section("Arbeid og pendling")
    name = data.m["name"]
    section.add(level_paragraph(data, "employment_rate_15_74_pct", "Sysselsettingsandelen (15–74 år)"))
    section.add(level_paragraph(data, "out_commuting_pct", "Andelen sysselsatte som pendler ut av kommunen"))
    section.add(
        level_paragraph(
            data,
            "job_coverage_pct",
            "Arbeidsplassdekningen",
            extra=lambda w, v, y: (
                "Det er flere arbeidsplasser i kommunen enn sysselsatte som bor der."
                if round(v, 1) > 100
                else "Det er færre arbeidsplasser i kommunen enn sysselsatte som bor der."
                if round(v, 1) < 100
                else None
            ),
        )
    )
    flows = queries.commuting_flows(data.con, data.code, None, 11)
    flow_year = flows["year"]
    out = flows["out"]
    out = out[(out["municipality_code"] != data.code) & (out["employed_persons"] > 0)]
    if flow_year is None or out.empty:
        section.add(Paragraph("Tall for pendlingsstrømmer mangler i datagrunnlaget."))
    else:
        writer = _Writer()
        top = out.head(3)
        parts = []
        for i, row in enumerate(top.itertuples()):
            key = ("flow", data.code, row.municipality_code, flow_year)
            persons = writer.show(key, row.employed_persons, "personer", 0)
            parts.append(f"{row.name} ({persons}{' sysselsatte' if i == 0 else ''})")
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " og " + parts[-1]
        lead = "De største pendlingsstrømmene" if len(parts) > 1 else "Den største pendlingsstrømmen"
        section.add(writer.paragraph([f"{lead} ut av {name} i {flow_year} gikk til {listed}."]))
        section.add(
            app_chart(
                "commuting", commuting_charts.commuting_chart, data.con, data.code, with_charts=with_charts
            )
        )
    section.add(
        app_chart(
            "out_commuting_pct",
            indicator_charts.indicator_chart,
            data.con,
            "out_commuting_pct",
            data.code,
            with_charts=with_charts,
        )
    )
    section.add(_indicator_table(data, f"Arbeid og pendling i {name}", WORK_TABLE))
    section.add(_recalculation_note(data, WORK_TABLE))
    return section


def economy_section(data: _Data, with_charts: Charts) -> Section:
    section = Section("Økonomi")
    name = data.m["name"]
    section.add(
        level_paragraph(
            data,
            "net_operating_result_pct",
            "Netto driftsresultat i prosent av brutto driftsinntekter",
            extra=lambda w, v, y: "Resultatet var negativt." if round(v, 1) < 0 else None,
        )
    )
    section.add(level_paragraph(data, "net_debt_per_capita_nok", "Netto lånegjeld per innbygger"))
    section.add(level_paragraph(data, "free_income_per_capita_nok", "Frie inntekter per innbygger (anslag)"))
    cost = data.series("cost_need_index")
    cost_year = _latest_year(cost)
    value = _value(cost, cost_year)
    if cost_year is not None and not text.is_missing(value):
        writer = _Writer()
        shown = writer.show(("indicator", "cost_need_index", data.code, cost_year), value, "indeks", 3)
        direction = (
            "høyere enn" if round(value, 3) > 1 else "lavere enn" if round(value, 3) < 1 else "det samme som"
        )
        section.add(
            writer.paragraph(
                [
                    f"Kostnadsindeksen i utgiftsutjevningen var {shown} i {cost_year}: beregnet utgiftsbehov "
                    f"per innbygger er {direction} landsgjennomsnittet."
                ]
            )
        )
    else:
        section.add(Paragraph(_missing_sentence("cost_need_index", name)))
    section.add(
        app_chart(
            "net_operating_result_pct",
            indicator_charts.indicator_chart,
            data.con,
            "net_operating_result_pct",
            data.code,
            with_charts=with_charts,
        )
    )
    section.add(_indicator_table(data, f"Økonomi i {name}", ECONOMY_TABLE))
    kostra = pd.concat([data.sources(i) for i in ECONOMY_TABLE], ignore_index=True)
    kostra = kostra[kostra["table_id"] == "KOSTRA"]
    for caveat in provenance.caveat_notes(kostra, "kommuneregnskapet (KOSTRA)"):
        section.add(Note(caveat))
    section.add(_recalculation_note(data, ECONOMY_TABLE))
    return section


# --- plan situation ---------------------------------------------------------------------------


def plan_rows(con, code: str, store=None) -> pd.DataFrame:
    """The public plan-status rows for one municipality, plus what users entered (they win)."""
    frame = status.collected_rows(con, code)
    frame["priority"] = 0
    if store is not None:
        from nokkeltall.store import plan_entries_as_sources  # noqa: PLC0415

        entries = plan_entries_as_sources(store.list_plan_entries(code))
        if not entries.empty:
            frame = pd.concat([frame, entries], ignore_index=True)
    return frame


def plan_section(con, data: _Data, as_of: date, store=None) -> Section:
    section = Section("Plansituasjon")
    name = data.m["name"]
    rows = plan_rows(con, data.code, store)
    best = status.best_known_status(rows) if not rows.empty else pd.DataFrame()
    by_type = {row["plan_type"]: row for _, row in best.iterrows()} if not best.empty else {}

    strategy_row = by_type.get("planstrategi")
    strategy_adopted = None
    if strategy_row is not None and strategy_row["status"] == status.ADOPTED:
        strategy_adopted = _safe_date(strategy_row["adopted"])
    strategy = status.planstrategi_status(strategy_adopted, as_of)
    section.add(Paragraph(strategy.message))

    for plan_type in ("samfunnsdel", "arealdel"):
        row = by_type.get(plan_type)
        label = PLAN_LABELS[plan_type]
        if row is None:
            section.add(
                Paragraph(f"{label}: ingen opplysninger registrert. Det betyr ikke at planen mangler.")
            )
            continue
        writer = _Writer()
        sentences = []
        adopted = _safe_date(row["adopted"]) if row["status"] == status.ADOPTED else None
        period = f" ({text.period(row['period'])})" if _plain(row["period"]) else ""
        if adopted is not None:
            age = status.plan_age_years(adopted, as_of)
            shown = writer.show(("plan_age", plan_type, adopted.iso(), as_of), age, "år", 0)
            sentences.append(
                f"{label}{period} ble vedtatt {adopted.norwegian()} og er {shown} gammel "
                f"per {text.long_date(as_of)}."
            )
        elif row["status"] == status.ADOPTED:
            sentences.append(f"{label}{period} er registrert som vedtatt, men vedtaksdatoen er ukjent.")
        elif row["status"] in status.PENDING_STATUSES:
            state = status.STATUS_LABELS.get(row["status"], row["status"]).lower()
            sentences.append(
                f"{label}{period} er registrert som «{state}»; ingen vedtatt plan er registrert."
            )
        else:
            sentences.append(
                f"Status for {label[0].lower() + label[1:]} er ukjent i kildene. Det betyr ikke at "
                f"planen mangler."
            )
        pending = _plain(row.get("pending_status"))
        if pending:
            pending_state = status.STATUS_LABELS.get(pending, pending).lower()
            pending_period = _plain(row.get("pending_period"))
            sentences.append(
                f"En ny plan{f' ({pending_period})' if pending_period else ''} er registrert som "
                f"«{pending_state}»."
            )
        section.add(writer.paragraph(sentences))

    table_rows = []
    for plan_type in ("planstrategi", "samfunnsdel", "arealdel", "planprogram"):
        row = by_type.get(plan_type)
        if row is None:
            table_rows.append(
                [PLAN_LABELS[plan_type], "Ukjent", text.MISSING, text.MISSING, text.MISSING, ""]
            )
            continue
        adopted = _safe_date(row["adopted"])
        table_rows.append(
            [
                PLAN_LABELS[plan_type],
                status.STATUS_LABELS.get(row["status"], _plain(row["status"])),
                adopted.norwegian() if adopted else text.MISSING,
                text.period(row["period"]),
                _plain(row["source_title"]) or _plain(row["source_url"]) or text.MISSING,
                _plain(row["note"]),
            ]
        )
    section.add(
        Table(
            f"Planstatus for {name}",
            ["Plan", "Status", "Vedtatt", "Periode", "Kilde", "Merknad"],
            table_rows,
            "Kilde: offentlige nettsider og kommunens egne registreringer i appen",
        )
    )
    section.add(
        Note(
            "Status gjelder datoen kilden ble lagret eller registrert: «på høring» eller «under arbeid» "
            "kan være vedtatt senere. Mangler betyr ikke at planen ikke er vedtatt."
        )
    )

    election_year = calendar.election_year_of_term(as_of)
    term = calendar.term_label(election_year)
    events = [
        e
        for e in calendar.legal_calendar(election_year, election_year + calendar.TERM_YEARS)
        if e.term == term
    ]
    section.add(
        Paragraph(
            f"Valgperioden {term} startet med kommunestyrevalget "
            f"{text.long_date(calendar.election_date(election_year))}. "
            f"Tabellen viser frister og anbefalte milepæler i plan- og bygningsloven og kommuneloven "
            f"for perioden."
        )
    )
    section.add(
        Table(
            f"Lovkalender for valgperioden {term}",
            ["Dato", "Hva", "Hjemmel", "Type"],
            [
                [_event_date(e), e.label, e.legal_reference, "Lovkrav" if e.is_law else "Veiledning"]
                for e in events
            ],
            "Kilde: plan- og bygningsloven, kommuneloven, valgloven; Nordland fylkeskommunes veileder",
        )
    )
    return section


def _event_date(event) -> str:
    if event.end != event.start:
        return f"{text.long_date(event.start)}–{text.long_date(event.end)}"
    return text.long_date(event.start)


def _safe_date(value):
    try:
        return status.parse_plan_date(_plain(value) or None)
    except ValueError:
        return None


def sources_section(con, data: _Data) -> Section:
    section = Section("Kilder")
    frames = [data.sources(i).assign(indicators=indicators.get(i).label) for i in data.used_indicators]
    datasets = queries.datasets(con)
    plan = datasets[datasets["kind"].astype(str).str.contains("plan", na=False)]
    rows = []
    if frames:
        used = pd.concat(frames, ignore_index=True)
        grouped = used.groupby(["table_id", "title"], dropna=False, sort=True)
        for (table_id, title), group in grouped:
            first = group.iloc[0]
            date_text = (
                f"oppdatert {text.iso_date(first['updated'])}"
                if _plain(first["updated"])
                else f"hentet {text.iso_date(first['fetched'])}"
                if _plain(first["fetched"])
                else text.MISSING
            )
            rows.append(
                [
                    provenance.table_label(table_id),
                    provenance.plain_caveat(title),
                    ", ".join(dict.fromkeys(group["indicators"])),
                    date_text,
                    _plain(first["licence"]),
                    provenance.plain_caveat(first["caveat"]),
                ]
            )
    for record in plan.to_dict("records"):
        rows.append(
            [
                provenance.table_label(record["table_id"]),
                provenance.plain_caveat(record["title"]),
                "Plansituasjon",
                f"hentet {text.iso_date(record['fetched'])}" if _plain(record["fetched"]) else text.MISSING,
                _plain(record["licence"]),
                provenance.plain_caveat(record["caveat"]),
            ]
        )
    section.add(
        Paragraph(
            "Tallene er hentet fra datagrunnlaget i appen (øyeblikksbilde av SSB-tabeller og andre "
            "offentlige kilder). "
            "Tabellen viser hvert datasett som er brukt, med tabellnummer, dato og forbehold."
        )
    )
    third_party = provenance.third_party_notes(pd.concat(frames, ignore_index=True)) if frames else []
    if third_party:
        section.add(
            Note(
                "Noen tall er sammenstilt av andre enn SSB før de kom inn i appen: "
                + " ".join(third_party)
                + " Hvem som sammenstilte dem, står på siden «Om data» i appen."
            )
        )
    section.add(
        Table(
            "Datasett brukt i dokumentet",
            ["Tabell", "Datasett", "Brukt til", "Dato", "Lisens", "Forbehold"],
            rows,
        )
    )
    section.add(
        Paragraph(
            LICENCE_LINE + ". Fylke og land er summer over kommunene; de vises bare for år der "
            "alle kommunene i fylket eller landet har tall. Tall merket * er regnet om til dagens "
            "kommuneinndeling."
        )
    )
    return section


# --- figures: the app's own builders (nokkeltall.charts) -------------------------------------------


def app_chart(key: str, builder, *args, with_charts: Charts = True, **kwargs) -> Chart | None:
    """A chart from the same builder the app's pages use (``nokkeltall.charts``), or None.

    ``with_charts`` may be a callable: it is called with each chart as soon as it is built (so its
    picture can be drawn while the rest of the document is written)."""
    if not with_charts:
        return None
    built = builder(*args, **kwargs)
    if built is None:
        return None
    chart = _as_chart(key, built)
    if callable(with_charts):
        with_charts(chart)
    return chart


def _as_chart(key: str, built) -> Chart:
    # the subtitle says the index base and why a line starts late; the note marks recalculated values
    note = " ".join(n for n in (built.subtitle, built.note) if n) or None
    return Chart(key, built.title, built.figure, built.source, note, table=_chart_table(built))


def _chart_table(built) -> Table:
    shown = built.display if built.display is not None else built.table
    rows = [
        [text.MISSING if _plain(v) in ("", "<NA>", "nan") else _plain(v) for v in row]
        for row in shown.itertuples(index=False)
    ]
    return Table(built.title, [str(c) for c in shown.columns], rows)


# --- the whole document ------------------------------------------------------------------------


class UnknownMunicipality(LookupError):
    pass


def most_similar(con, code: str, features=None, count: int = SIMILAR_COUNT) -> tuple[list[dict], list[str]]:
    """The ``count`` most similar municipalities (``nokkeltall.compare``), nearest first, and its notes."""
    from nokkeltall.compare import series as compare_series
    from nokkeltall.compare import similarity

    if features is None:
        features, _ = similarity.similarity_features(con)
    try:
        table, notes = similarity.similar_municipalities(features, code, limit=count)
    except similarity.SimilarityError as error:
        return [], [str(error)]
    names = compare_series.municipality_names(con, table["municipality_code"].tolist())
    return [{"municipality_code": c, "name": names.get(c, c)} for c in table["municipality_code"]], notes


def similarity_basis() -> str:
    from nokkeltall.compare import similarity

    labels = [f.label.lower() for f in similarity.SIMILARITY_FEATURES]
    return ", ".join(labels[:-1]) + " og " + labels[-1]


_SHARED: dict[str, dict] = {}  # per database build: county/country series, sources, similarity features


def shared_for(con) -> dict:
    """What every document made from this database build can share (one dict per build and process)."""
    try:
        sql = "SELECT value FROM build_info WHERE key IN ('manifest', 'built_at') ORDER BY key"
        rows = con.execute(sql).fetchall()
    except Exception:  # no build information: share nothing
        return {}
    key = "|".join(str(r[0]) for r in rows)
    if not key:
        return {}
    if key not in _SHARED:
        _SHARED.clear()  # one build at a time: an older build's figures are never reused
        _SHARED[key] = {}
    return _SHARED[key]


def build_report(
    con,
    code: str,
    *,
    as_of: date | None = None,
    store=None,
    with_charts: bool = True,
    features=None,
    shared: dict | None = None,
    on_chart=None,
) -> Report:
    """The fact-base document for one municipality (by four-digit number).

    County and country series, sources and similarity features are shared by every document made
    from the same database build in this process (``shared_for``); pass ``shared`` to choose another
    dict. ``on_chart`` is called with each chart as soon as it is built (``images.Drawing.start``).
    """
    municipality = queries.municipality(con, code)
    if municipality is None:
        raise UnknownMunicipality(f"Ukjent kommune «{code}»")
    as_of = as_of or date.today()
    if shared is None:
        shared = shared_for(con)
    if features is None:
        if "features" not in shared:
            from nokkeltall.compare import similarity

            shared["features"] = similarity.similarity_features(con)[0]
        features = shared["features"]
    data = _Data(con, municipality, shared)
    data.similar, data.similar_notes = most_similar(con, code, features)
    name = municipality["official_name"] or municipality["name"]
    intro = Section("Om dokumentet")
    intro.add(
        Paragraph(
            f"Dette er et utkast til det statistiske kunnskapsgrunnlaget for {name} kommune "
            f"({municipality['municipality_code']}, {municipality['county_name']}), for bruk i kommunal "
            f"planstrategi og kommuneplanens samfunnsdel. Teksten ble skrevet automatisk "
            f"{text.long_date(as_of)} fra "
            f"offentlig statistikk og kan redigeres fritt. "
            f"Kommunen sammenlignes med {municipality['county_name']}, "
            f"landet som helhet{' og de mest like kommunene' if data.similar else ''}. "
            f"Tall som mangler, er merket «{text.MISSING}»."
        )
    )
    if data.similar:
        names = [s["name"] for s in data.similar]
        listed = ", ".join(names[:-1]) + " og " + names[-1] if len(names) > 1 else names[0]
        intro.add(
            Paragraph(
                f"De {NUMBER_WORDS.get(len(names), len(names))} kommunene som ligner mest på "
                f"{municipality['name']}, er {listed} (målt på "
                f"{similarity_basis()}; samme beregning som på siden «Sammenlign»)."
                + (" " + " ".join(data.similar_notes) if data.similar_notes else "")
            )
        )
    else:
        intro.add(
            Paragraph(
                "De mest like kommunene kunne ikke beregnes"
                + (f": {' '.join(data.similar_notes)}" if data.similar_notes else ".")
            )
        )
    if with_charts and on_chart is not None:
        with_charts = on_chart  # each section passes it to ``app_chart``
    sections = [
        intro,
        population_section(data, with_charts),
        projection_section(data, with_charts),
        work_section(data, with_charts),
        economy_section(data, with_charts),
        plan_section(con, data, as_of, store),
    ]
    sections.append(sources_section(con, data))
    for section in sections:
        section.blocks = [b for b in section.blocks if b is not None]
    return cleaned(
        Report(
            municipality=municipality,
            title=f"{DOCUMENT_TITLE} for {name}",
            subtitle=f"Befolkning, arbeid, økonomi og plansituasjon · laget {text.long_date(as_of)}",
            generated=as_of,
            sections=sections,
        )
    )


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


def cleaned(report: Report) -> Report:
    """Every text of the report (titles, paragraphs, notes, tables, chart captions) through the one
    cleaning path: what users or sources typed — a vertical tab, NUL, a bidi override — can then neither
    break the .docx (Word's XML holds no control characters) nor turn text around in either format."""
    report.title, report.subtitle = _clean(report.title), _clean(report.subtitle)
    report.licence = _clean(report.licence)
    for section in report.sections:
        section.title = _clean(section.title)
        for block in section.blocks:
            if isinstance(block, (Paragraph, Note)):
                block.text = _clean(block.text)
            elif isinstance(block, Table):
                block.title, block.source = _clean(block.title), _clean(block.source)
                block.columns = [_clean(c) for c in block.columns]
                block.rows = [[_clean(v) for v in row] for row in block.rows]
            elif isinstance(block, Chart):
                block.title, block.source, block.note = map(_clean, (block.title, block.source, block.note))
            elif isinstance(block, (Heading, NotesArea)):
                _clean_label(block)
            elif isinstance(block, BulletList):
                block.items = [_clean(item) for item in block.items]
    return report


def _clean_label(block) -> None:
    if isinstance(block, Heading):
        block.text = _clean(block.text)
    else:
        block.label = _clean(block.label)
