"""The conversation brief (samtaleunderlag): one structure for one applicant municipality.

``build_brief(con, application, plan_entries, milestones)`` assembles, from the statistics
database and what users entered: the municipality's key figures and trends (through
``queries`` and ``indicators``, formatted with ``text``), its plan status and planning timeline,
the application's four answers and the network's guiding questions. ``brief_sections`` turns it
into headed sections used both on screen and by ``brief_docx`` (a Word document, python-docx).

Also here, as the one place that reads plan status for a municipality: ``seed_plan_status``
(the public sources in the statistics database) and ``plan_status_summary`` (seed rows and
entries made in the app → the best-known fact per plan type, with its source)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nokkeltall import indicators, queries, text
from nokkeltall.plan import calendar, network, status
from nokkeltall.plan.timeline import PLAN_TYPE_LABELS, date_span, milestones_frame, timeline_table
from nokkeltall.store.validation import clean_text

KEY_FIGURES = (
    "population",
    "population_change_10y_pct",
    "median_age",
    "share_0_19_pct",
    "share_67_plus_pct",
    "old_age_ratio",
    "women_per_100_men_20_39",
    "natural_increase",
    "net_migration",
    "employment_rate_15_74_pct",
    "out_commuting_pct",
    "job_coverage_pct",
    "net_operating_result_pct",
    "net_debt_per_capita_nok",
    "centrality_index",
)

QUESTIONS = {
    "samfunnsdel_year": "1. Hvilket år er gjeldende kommuneplanens samfunnsdel fra?",
    "progress_plan": "2. Framdriftsplan for planstrategi og samfunnsdel",
    "fact_base": "3. Finnes statistikk, nøkkeltall og kunnskapsgrunnlag, og i så fall hvilke?",
    "staff": "4. Ressurser satt av til planarbeid (personer og stillingsandel)",
}
STATUS_TEXT = network.APPLICATION_STATUSES
STATUS_PLAN_TYPES = ("samfunnsdel", "arealdel", "planstrategi")


# --- plan status -----------------------------------------------------------------------------------


def seed_plan_status(con, code: str) -> pd.DataFrame:
    """The public-source rows of one municipality (statistics DB table ``plan_status_source``)."""
    return con.execute(
        """SELECT municipality_code, plan_type, period, adopted, status, source_url, source_title, note
           FROM plan_status_source WHERE municipality_code = ? ORDER BY plan_type, adopted""",
        [code],
    ).df()


@dataclass
class PlanFact:
    """The best-known status of one plan type, with where it comes from."""

    plan_type: str
    label: str
    status: str  # vedtatt / på_høring / under_arbeid / ukjent
    status_label: str
    adopted: str | None  # as stored: YYYY, YYYY-MM or YYYY-MM-DD
    adopted_text: str  # Norwegian, «–» when unknown
    age_years: int | None
    period: str | None
    source_title: str | None
    source_url: str | None
    entered_in_app: bool
    note: str | None
    pending: str | None = None  # a newer revision under way, with its source

    @property
    def source_text(self) -> str:
        parts = [p for p in (self.source_title, self.source_url) if p]
        return " – ".join(parts) if parts else "Ingen kilde registrert"

    def as_row(self) -> dict:
        return {"plan_type": self.plan_type, "status": self.status, "adopted": self.adopted,
                "source_text": self.source_text}


@dataclass
class PlanStatusSummary:
    facts: list[PlanFact]
    planstrategi: status.PlanstrategiStatus
    as_of: date


def _clean(value) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    value = str(value).strip()
    return value or None


def plan_status_summary(seed: pd.DataFrame, entries: list[dict], as_of: date | None = None,
                        code: str | None = None) -> PlanStatusSummary:
    """Best-known status of samfunnsdel, arealdel and planstrategi, and the planstrategi rule.

    ``seed`` holds the public-source rows (``seed_plan_status``), ``entries`` what users entered
    in the app (``UserStore.list_plan_entries``); entries win (``store.plan_entries_as_sources``).
    """
    from nokkeltall.store import plan_entries_as_sources  # noqa: PLC0415 — keeps imports light

    as_of = as_of or date.today()
    seed = seed.copy()
    seed["priority"] = 0
    seed["entered_at"] = None
    entered = plan_entries_as_sources(entries)
    frames = [f for f in (seed, entered) if not f.empty]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=status.SOURCE_COLUMNS)
    if code is not None:
        rows = rows[rows["municipality_code"] == code]
    best = status.best_known_status(rows) if not rows.empty else pd.DataFrame()
    facts = []
    for plan_type in STATUS_PLAN_TYPES:
        match = best[best["plan_type"] == plan_type] if not best.empty else best
        if match.empty:
            facts.append(PlanFact(plan_type, PLAN_TYPE_LABELS[plan_type], "ukjent", "Ukjent", None, text.MISSING,
                                  None, None, None, None, False, None))
            continue
        row = match.iloc[0]
        plan_status = _clean(row["status"]) or "ukjent"
        adopted = _clean(row["adopted"]) if plan_status == status.ADOPTED else None
        try:
            plan_date = status.parse_plan_date(adopted)
        except ValueError:
            plan_date = None
        pending = None
        if _clean(row.get("pending_status")):
            pending_label = status.STATUS_LABELS.get(row["pending_status"], row["pending_status"])
            pending_bits = [f"Ny revisjon: {pending_label.lower()}",
                            _clean(row.get("pending_period")), _clean(row.get("pending_source_title")),
                            _clean(row.get("pending_source_url"))]
            pending = " – ".join(b for b in pending_bits if b)
        facts.append(PlanFact(
            plan_type=plan_type,
            label=PLAN_TYPE_LABELS[plan_type],
            status=plan_status,
            status_label=status.STATUS_LABELS.get(plan_status, plan_status),
            adopted=plan_date.iso() if plan_date else None,
            adopted_text=plan_date.norwegian() if plan_date else text.MISSING,
            age_years=status.plan_age_years(plan_date, as_of) if plan_date else None,
            period=_clean(row.get("period")),
            source_title=_clean(row.get("source_title")),
            source_url=_clean(row.get("source_url")),
            entered_in_app=(row.get("priority") or 0) == 1,
            note=_clean(row.get("note")),
            pending=pending,
        ))
    strategy = next(f for f in facts if f.plan_type == "planstrategi")
    return PlanStatusSummary(facts, status.planstrategi_status(strategy.adopted, as_of), as_of)


def plan_status_rows(summary: PlanStatusSummary) -> pd.DataFrame:
    """The summary as a table for the screen and the brief (all text)."""
    strategy_status = {status.ADOPTED: "Vedtatt", status.NOT_DUE: "Ikke forfalt",
                       status.OVERDUE: "Forfalt"}
    rows = []
    for fact in summary.facts:
        age = text.MISSING if fact.age_years is None else f"{fact.age_years} år"
        row = {"Plan": fact.label, "Status": fact.status_label, "Vedtatt": fact.adopted_text,
               "Alder": age, "Planperiode": text.period(fact.period),
               "Kilde": fact.source_title or "Ingen kilde registrert",
               "Lenke": fact.source_url, "Merknad": " ".join(filter(None, [fact.note, fact.pending])) or None}
        if fact.plan_type == "planstrategi":
            row["Status"] = (f"{strategy_status[summary.planstrategi.status]} – "
                             f"valgperioden {summary.planstrategi.term}")
        rows.append(row)
    return pd.DataFrame(rows)


# --- key figures and trends --------------------------------------------------------------------


@dataclass
class KeyFigure:
    indicator_id: str
    label: str
    value: float | None
    year: int | None
    value_text: str
    period_text: str
    source: str


def key_figures(con, code: str, ids: tuple[str, ...] = KEY_FIGURES) -> list[KeyFigure]:
    """Latest value of each indicator for the municipality (``queries.latest_values``)."""
    latest = queries.latest_values(con, list(ids), [code])
    row = latest.iloc[0].to_dict() if not latest.empty else {}
    figures = []
    for indicator_id in ids:
        indicator = indicators.get(indicator_id)
        value = row.get(indicator_id)
        year = row.get(f"{indicator_id}__year")
        missing = text.is_missing(value)
        year = None if missing or text.is_missing(year) else int(year)
        if year is None:
            period = "mangler"
        elif indicator.kind == "change":
            period = f"{year - indicator.lag_years}–{year}"
        elif indicator_id in ("population", "share_0_19_pct", "share_67_plus_pct", "old_age_ratio",
                              "women_per_100_men_20_39", "median_age"):
            period = text.population_date(year)
        else:
            period = str(year)
        figures.append(KeyFigure(
            indicator_id, indicator.label, None if missing else float(value), year,
            text.formatted(value, indicator.unit, indicator.decimals), period,
            _figure_source(indicator.table_id),
        ))
    return figures


def _figure_source(table_id: str) -> str:
    if table_id[:1].isdigit():
        return f"SSB tabell {table_id}"
    if table_id.startswith("KLASS"):
        return f"SSB {table_id.replace('-', ' ')}"
    if table_id == "KOSTRA":  # SSB's municipal accounts (via a third-party project), not KDD's
        return "SSB KOSTRA"
    return f"KDD {table_id.removeprefix('KDD-')}"


def trend_sentences(con, code: str, name: str, county_code: str | None, county_name: str | None) -> list[str]:
    """Short sentences on the population trend (ten years) and recent migration and births."""
    sentences = []
    series = queries.indicator_series(con, "population", [code]).dropna(subset=["value"])
    if not series.empty:
        last_year = int(series["year"].max())
        first_year = max(int(series["year"].min()), last_year - 10)
        start = queries.value_in_year(series, first_year)
        end = queries.value_in_year(series, last_year)
        sentence = text.change_sentence("Folketallet", name, first_year, last_year, start, end)
        if sentence:
            sentences.append(sentence)
        if county_code:
            county = queries.aggregate_series(con, "population", county_code)
            c_start, c_end = (queries.value_in_year(county, y) for y in (first_year, last_year))
            if c_start and c_end:
                county_sentence = text.aggregate_change_sentence(county_name or "fylket", (c_end / c_start - 1) * 100)
                if county_sentence:
                    sentences.append(county_sentence)
    for indicator_id, subject in (("net_migration", "Nettoinnflyttingen"), ("natural_increase", "Fødselsoverskuddet")):
        values = queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"]).sort_values("year")
        recent = values.tail(5)
        if len(recent) == 5:
            total = float(recent["value"].sum())
            years = f"{int(recent['year'].min())}–{int(recent['year'].max())}"
            sentences.append(f"{subject} var til sammen {text.number(total, sign=True)} personer i {years}.")
    return sentences


# --- the brief ---------------------------------------------------------------------------------------


@dataclass
class ConversationBrief:
    municipality_code: str
    name: str
    county_name: str | None
    as_of: date
    application: dict
    eligibility: network.Eligibility
    population: float | None
    population_year: int | None
    key_figures: list[KeyFigure]
    trends: list[str]
    plan: PlanStatusSummary
    timeline: pd.DataFrame  # coming deadlines and the municipality's milestones
    answers: list[tuple[str, str]]
    guiding_questions: tuple[str, ...] = network.GUIDING_QUESTIONS
    sources: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Samtaleunderlag: {self.name}"


def application_answers(application: dict) -> list[tuple[str, str]]:
    """The four answers of the invitation, as (question, answer) text."""
    year = application.get("samfunnsdel_year")
    first = (f"Samfunnsdelen er fra {int(year)}." if not text.is_missing(year)
             else "Kommunen har ikke oppgitt noen gjeldende samfunnsdel.")
    if application.get("has_fact_base"):
        third = "Ja. " + (application.get("fact_base_description") or "")
    else:
        third = "Nei, kommunen har ikke oppgitt noe kunnskapsgrunnlag." + (
            f" {application['fact_base_description']}" if application.get("fact_base_description") else "")
    persons = application.get("planning_staff_persons")
    share = application.get("planning_staff_percent")
    staff = (f"{text.number(persons)} {'person' if persons == 1 else 'personer'}, til sammen "
             f"{text.percent(share, 0 if float(share).is_integer() else 1)} av en stilling satt av til planarbeid.")
    return [
        (QUESTIONS["samfunnsdel_year"], first),
        (QUESTIONS["progress_plan"], str(application.get("progress_plan") or text.MISSING)),
        (QUESTIONS["fact_base"], third.strip()),
        (QUESTIONS["staff"], staff),
    ]


def build_brief(con, application: dict, plan_entries: list[dict], milestones: list[dict],
                as_of: date | None = None) -> ConversationBrief:
    """Assemble the brief for one application (a store row) from the database and user data."""
    as_of = as_of or date.today()
    code = application["municipality_code"]
    info = queries.municipality(con, code) or {"name": code, "official_name": code,
                                              "county_code": None, "county_name": None}
    name = info.get("official_name") or info["name"]
    figures = key_figures(con, code)
    population = next(f for f in figures if f.indicator_id == "population")
    eligibility = network.eligibility(
        code, None if population.value is None else int(population.value),
        date(population.year, 1, 1) if population.year else None)
    plan = plan_status_summary(seed_plan_status(con, code), plan_entries, as_of, code=code)
    election_year = calendar.election_year_of_term(as_of)
    legal = calendar.calendar_frame(calendar.legal_calendar(election_year, election_year + calendar.TERM_YEARS))
    table = timeline_table(legal, milestones_frame(milestones))
    table = table[(table["Fra"] >= date(election_year, 9, 1))
                  & ~table["Hendelse"].str.contains("Innstilling")].reset_index(drop=True)
    tables = sorted({indicators.get(f.indicator_id).table_id for f in figures if f.value is not None})
    sources = [
        text.source_line([t for t in tables if t[:1].isdigit()]),
        "Sentralitetsindeks: SSB, klassifikasjon KLASS 128.",
        "Plankalender: plan- og bygningsloven §§ 10-1, 11-13, 11-14; kommuneloven §§ 7-1, 14-4; valgloven.",
        "Planstatus: offentlige kilder (kommunenes nettsider) og opplysninger registrert i appen, se kilde per plan.",
    ]
    return ConversationBrief(
        municipality_code=code, name=name, county_name=info.get("county_name"), as_of=as_of,
        application=dict(application), eligibility=eligibility, population=population.value,
        population_year=population.year, key_figures=figures,
        trends=trend_sentences(con, code, info["name"], info.get("county_code"), info.get("county_name")),
        plan=plan, timeline=table, answers=application_answers(application), sources=sources,
    )


# --- sections: the same content on screen and in Word -------------------------------------------------


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    numbered: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    qa: list[tuple[str, str]] = field(default_factory=list)


def _application_table(brief: ConversationBrief) -> pd.DataFrame:
    app = brief.application
    received = app.get("received_date")
    received_text = text.long_date(date.fromisoformat(received)) if received else text.MISSING
    deadline = network.application_deadline(int(app["round_year"]))
    rows = [
        ("Kommune", f"{brief.municipality_code} {brief.name}"),
        ("Fylke", brief.county_name or text.MISSING),
        ("Søknadsrunde", f"Frist {text.long_date(deadline)}"),
        ("Mottatt", received_text + (" (etter fristen)" if received and received > deadline.isoformat() else "")),
        ("Status", STATUS_TEXT.get(app.get("status"), str(app.get("status")))),
        ("Kontaktperson", f"{app.get('contact_name') or text.MISSING} ({app.get('contact_email') or text.MISSING})"),
        ("Kan delta", "Ja" if brief.eligibility.eligible else "Nei"),
        ("Begrunnelse", " ".join(brief.eligibility.reasons)),
    ]
    return pd.DataFrame(rows, columns=["", "Opplysning"])


def brief_sections(brief: ConversationBrief) -> list[Section]:
    figures = pd.DataFrame(
        [(f.label, f.value_text, f.period_text, f.source) for f in brief.key_figures],
        columns=["Nøkkeltall", "Verdi", "Tidspunkt", "Kilde"])
    plan_table = plan_status_rows(brief.plan).drop(columns=["Lenke"])
    plan_table["Kilde"] = [
        f"{fact.source_title} ({fact.source_url})" if fact.source_title and fact.source_url
        else fact.source_text for fact in brief.plan.facts]
    timeline = brief.timeline.copy()
    timeline_rows = pd.DataFrame({
        "Når": [date_span(s, e if isinstance(e, date) else None) for s, e in zip(timeline["Fra"], timeline["Til"])],
        "Hendelse": timeline["Hendelse"], "Hjemmel/kilde": timeline["Hjemmel/kilde"], "Type": timeline["Type"],
    })
    return [
        Section("Om søknaden", table=_application_table(brief)),
        Section("Nøkkeltall", table=figures,
                paragraphs=["Siste tilgjengelige tall fra SSB. «–» betyr at tallet mangler."]),
        Section("Utviklingstrekk", bullets=brief.trends or ["Ingen tidsserier tilgjengelig."]),
        Section("Planstatus", table=plan_table, paragraphs=[brief.plan.planstrategi.message]),
        Section(f"Plantidslinje for valgperioden {brief.plan.planstrategi.term}", table=timeline_rows,
                paragraphs=["Lovbestemte frister og kommunens egen framdriftsplan."]),
        Section("Søknadens fire svar", qa=brief.answers),
        Section("Spørsmål til samtalen", numbered=list(brief.guiding_questions)),
        Section("Kilder", bullets=brief.sources + [f"Laget {text.long_date(brief.as_of)}."]),
    ]


def brief_docx(brief: ConversationBrief) -> bytes:
    """The brief as a Word document (.docx)."""
    from docx import Document  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    document = Document()
    document.core_properties.title = clean_text(brief.title)
    document.core_properties.language = "nb-NO"
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    document.add_heading(clean_text(brief.title), level=0)
    document.add_paragraph(clean_text(
        f"Læringsnettverk for samfunnsplanlegging – {brief.county_name or ''}. Laget {text.long_date(brief.as_of)}."))
    for section in brief_sections(brief):
        document.add_heading(clean_text(section.heading), level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(clean_text(paragraph))
        if section.table is not None and not section.table.empty:
            _docx_table(document, section.table)
        for bullet in section.bullets:
            document.add_paragraph(clean_text(bullet), style="List Bullet")
        for item in section.numbered:
            document.add_paragraph(clean_text(item), style="List Number")
        for question, answer in section.qa:
            document.add_heading(clean_text(question), level=2)
            for line in clean_text(answer).splitlines() or [""]:  # no control characters: Word refuses them
                document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document, frame: pd.DataFrame) -> None:
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Light Grid Accent 1"
    for cell, column in zip(table.rows[0].cells, frame.columns):
        cell.text = clean_text(column)
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            missing = value is None or (isinstance(value, float) and pd.isna(value))
            cell.text = text.MISSING if missing else clean_text(value)
