"""The conversation brief (samtaleunderlag): one document for one applicant municipality.

``build_brief(con, application, plan_entries, milestones, peers=...)`` assembles, from the statistics
database and what users entered: the computed checks of the application's answers
(``applications.checks``), talking points written from the municipality's own figures
(``applications.talking_points``), the four answers (``applications.answers``), key figures and
trends (``queries``/``indicators``, formatted with ``text``), plan status (``plan.summary``) and the
term's planning timeline. ``brief_report`` lays it out on the fact base's document model
(``report.content``: sections of paragraphs, tables, charts, notes areas), so the page, ``brief_docx``
(the one Word writer, ``report.docx``) and ``nokkeltall brief`` show the same document.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from nokkeltall import indicators, provenance, queries, text
from nokkeltall.applications import answers as application_answers
from nokkeltall.applications import checks as application_checks
from nokkeltall.applications import talking_points as points
from nokkeltall.plan import calendar, network
from nokkeltall.plan import summary as plan_summary
from nokkeltall.plan import timeline as plan_timeline
from nokkeltall.report import content, images
from nokkeltall.report.content import (
    BulletList,
    Chart,
    Heading,
    Note,
    NotesArea,
    Paragraph,
    Report,
    Section,
    Table,
)

KEY_FIGURES = application_checks.KEY_FIGURES
COUNTY_FIGURES = ("share_67_plus_pct", "population_change_10y_pct", "out_commuting_pct")
STATUS_TEXT = network.APPLICATION_STATUSES
DOCUMENT_SUBJECT = "Samtaleunderlag"
NOTES_LINES = 4


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


def key_figures(
    con, code: str, ids: tuple[str, ...] = KEY_FIGURES, row: dict | None = None
) -> list[KeyFigure]:
    """Latest value of each indicator for the municipality (``queries.latest_values``; ``row`` when
    already read, e.g. by ``applications.checks.latest_figures``)."""
    if row is None:
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
        elif indicator_id in (
            "population",
            "share_0_19_pct",
            "share_67_plus_pct",
            "old_age_ratio",
            "women_per_100_men_20_39",
            "median_age",
        ):
            period = text.population_date(year)
        else:
            period = str(year)
        figures.append(
            KeyFigure(
                indicator_id,
                indicator.label,
                None if text.is_missing(value) else float(value),
                year,
                text.formatted(value, indicator.unit, indicator.decimals),
                period,
                provenance.short_source(indicator.table_id),
            )
        )
    return figures


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
                county_sentence = text.aggregate_change_sentence(
                    county_name or "fylket", (c_end / c_start - 1) * 100
                )
                if county_sentence:
                    sentences.append(county_sentence)
    for indicator_id, subject in (
        ("net_migration", "Nettoinnflyttingen"),
        ("natural_increase", "Fødselsoverskuddet"),
    ):
        values = (
            queries.indicator_series(con, indicator_id, [code]).dropna(subset=["value"]).sort_values("year")
        )
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
    plan: plan_summary.PlanStatusSummary
    timeline: pd.DataFrame  # coming deadlines and the municipality's milestones
    answers: list[tuple[str, str]]
    checks: list[application_checks.Check] = field(default_factory=list)
    talking_points: list[points.TalkingPoint] = field(default_factory=list)
    timeline_figure: object = None  # a plotly Figure (drawn as an image in the document when possible)
    sources: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Samtaleunderlag: {self.name}"


def _county_figures(con, county_code: str | None, figures: list[KeyFigure]) -> dict:
    """The county's value (and its text) for the same year as the municipality's figure."""
    result = {}
    for figure in figures:
        if figure.indicator_id not in COUNTY_FIGURES or figure.year is None or not county_code:
            continue
        indicator = indicators.get(figure.indicator_id)
        series = queries.aggregate_series(con, figure.indicator_id, county_code)
        value = queries.value_in_year(series, figure.year)
        if not text.is_missing(value):
            shown = text.formatted(value, indicator.unit, indicator.decimals)
            result[figure.indicator_id] = (float(value), shown)
    return result


def _timeline(
    milestones: list[dict],
    as_of: date,
    plan: plan_summary.PlanStatusSummary,
    place: str,
    population: pd.DataFrame,
):
    election_year = calendar.election_year_of_term(as_of)
    last_year = election_year + calendar.TERM_YEARS
    legal = calendar.calendar_frame(calendar.legal_calendar(election_year, last_year))
    table = plan_timeline.timeline_table(legal, plan_timeline.milestones_frame(milestones))
    table = table[
        (table["Fra"] >= date(election_year, 9, 1)) & ~table["Hendelse"].str.contains("Innstilling")
    ].reset_index(drop=True)
    figure = plan_timeline.timeline_figure(
        legal,
        milestones,
        None,
        population,
        place=place,
        first_year=election_year,
        last_year=election_year + calendar.TERM_YEARS,
        today=as_of,
        adoptions=plan_timeline.adoption_points([f.as_row() for f in plan.facts]),
    )
    return table, figure


def build_brief(
    con,
    application: dict,
    plan_entries: list[dict],
    milestones: list[dict],
    as_of: date | None = None,
    peers: list[dict] | None = None,
) -> ConversationBrief:
    """Assemble the brief for one application (a store row) from the database and user data;
    ``peers`` are the round's other applications (for the staff check)."""
    as_of = as_of or date.today()
    code = application["municipality_code"]
    info = queries.municipality(con, code) or {
        "name": code,
        "official_name": code,
        "county_code": None,
        "county_name": None,
    }
    name = info.get("official_name") or info["name"]
    latest = application_checks.latest_figures(con, [code])[code]
    figures = key_figures(con, code, row=latest)
    by_id = {f.indicator_id: f for f in figures}
    population = by_id["population"]
    eligibility = network.eligibility(
        code,
        None if population.value is None else int(population.value),
        date(population.year, 1, 1) if population.year else None,
    )
    plan, checks = application_checks.gather(
        con, application, plan_entries, milestones, peers or [], as_of, figures=latest
    )
    table, figure = _timeline(
        milestones, as_of, plan, info["name"], queries.indicator_series(con, "population", [code])
    )
    county = _county_figures(con, info.get("county_code"), figures)
    tables = sorted({indicators.get(f.indicator_id).table_id for f in figures if f.value is not None})
    sources = [
        provenance.table_list_line([t for t in tables if t[:1].isdigit()]),
        "Sentralitetsindeks: SSB, sentralitetsindeksen (klassifikasjon 128).",
        "Plankalender: plan- og bygningsloven §§ 10-1, 11-13, 11-14; kommuneloven §§ 7-1, 14-4; valgloven.",
        "Planstatus: offentlige kilder (kommunenes nettsider) og opplysninger registrert i appen, "
        "se kilde per plan.",
        "Søknaden: svarene slik de er registrert eller importert fra skjemaverktøyet.",
    ]
    return ConversationBrief(
        municipality_code=code,
        name=name,
        county_name=info.get("county_name"),
        as_of=as_of,
        application=dict(application),
        eligibility=eligibility,
        population=population.value,
        population_year=population.year,
        key_figures=figures,
        trends=trend_sentences(con, code, info["name"], info.get("county_code"), info.get("county_name")),
        plan=plan,
        timeline=table,
        answers=application_answers.application_answers(application),
        checks=checks,
        talking_points=points.talking_points(
            info["name"], by_id, county, info.get("county_name"), checks, plan
        ),
        timeline_figure=figure,
        sources=sources,
    )


# --- the brief as a document (the fact base's model: report.content) ---------------------------------


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [
            text.MISSING if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
            for value in row
        ]
        for row in frame.itertuples(index=False)
    ]


def application_table(brief: ConversationBrief) -> Table:
    app = brief.application
    received = app.get("received_date")
    deadline = network.application_deadline(int(app["round_year"]))
    late = " (etter fristen)" if received and received > deadline.isoformat() else ""
    assessment = app.get("assessment") or ""
    rows = [
        ["Kommune", f"{brief.municipality_code} {brief.name}"],
        ["Fylke", brief.county_name or text.MISSING],
        ["Søknadsrunde", f"Frist {text.long_date(deadline)}"],
        ["Mottatt", (text.long_date(date.fromisoformat(received)) if received else text.MISSING) + late],
        ["Status", STATUS_TEXT.get(app.get("status") or "", str(app.get("status")))],
        [
            "Kontaktperson",
            f"{app.get('contact_name') or text.MISSING} ({app.get('contact_email') or 'ingen e-post'})",
        ],
        ["Kan delta", "Ja" if brief.eligibility.eligible else "Nei"],
        ["Begrunnelse", " ".join(brief.eligibility.reasons)],
    ]
    if assessment or app.get("adviser_note"):
        when = str(app.get("assessed_at") or "")[:10]
        who = f" ({app.get('assessed_by')}, {when})" if app.get("assessed_by") else ""
        rows.append(["Rådgivers vurdering", (network.ASSESSMENTS.get(assessment, "Ikke vurdert")) + who])
        if app.get("adviser_note"):
            rows.append(["Rådgivers notat", str(app["adviser_note"])])
    return Table("Om søknaden", ["", "Opplysning"], rows)


def checks_section(checks: list[application_checks.Check]) -> Section:
    section = Section("Sjekk av søknaden mot data")
    section.add(
        Paragraph(
            "Hvert svar er holdt mot det som er kjent: «stemmer», «avvik» eller «kan ikke "
            "sjekkes», med tallene og kildene det bygger på."
        )
    )
    for check in checks:
        section.add(Heading(f"{check.title}: {check.outcome_label.lower()}"))
        section.add(Paragraph(check.reason))
        section.add(
            Table(
                f"Grunnlag: {check.title.lower()}",
                ["Hva", "Verdi", "Kilde"],
                [[e.label, e.value, e.source] for e in check.evidence],
            )
        )
    return section


def talking_points_section(brief: ConversationBrief) -> Section:
    section = Section("Samtalepunkter")
    section.add(
        Paragraph(
            f"Spørsmål skrevet fra tallene og sjekkene for {brief.name}, ordnet etter "
            "nettverkets faste temaer."
        )
    )
    for number, point in enumerate(brief.talking_points, start=1):
        section.add(Heading(f"{number}. {point.theme_label}"))
        section.add(Paragraph(point.question))
        section.add(Note(f"Grunnlag: {point.prompted_by}. Kilde: {point.source}"))
        section.add(NotesArea(f"Notater til samtalepunkt {number}", NOTES_LINES))
    return section


def answers_section(brief: ConversationBrief) -> Section:
    section = Section("Søknadens fire svar")
    for question, answer in brief.answers:
        section.add(Heading(question))
        for line in str(answer).splitlines() or [""]:
            section.add(Paragraph(line))
        section.add(NotesArea(f"Notater til spørsmål {question.split('.')[0]}", NOTES_LINES))
    return section


def timeline_section(brief: ConversationBrief) -> Section:
    timeline = brief.timeline
    section = Section(f"Plantidslinje for valgperioden {brief.plan.planstrategi.term}")
    section.add(Paragraph("Lovbestemte frister og kommunens egen framdriftsplan."))
    if brief.timeline_figure is not None:
        section.add(
            Chart(
                "timeline",
                f"Plantidslinje for {brief.name}",
                brief.timeline_figure,
                "Kilde: plan- og bygningsloven, kommuneloven, valgloven; kommunens framdriftsplan; "
                "SSB, tabell 07459",
            )
        )
    rows = [
        [plan_timeline.date_span(s, e if isinstance(e, date) else None), h, k, t]
        for s, e, h, k, t in zip(
            timeline["Fra"],
            timeline["Til"],
            timeline["Hendelse"],
            timeline["Hjemmel/kilde"],
            timeline["Type"],
            strict=True,
        )
    ]
    section.add(Table("Tidslinjen som tabell", ["Når", "Hendelse", "Hjemmel/kilde", "Type"], rows))
    return section


def brief_report(brief: ConversationBrief) -> Report:
    """The brief laid out as a document: checks first, then talking points, answers and the data."""
    figures = Table(
        "Nøkkeltall",
        ["Nøkkeltall", "Verdi", "Tidspunkt", "Kilde"],
        [[f.label, f.value_text, f.period_text, f.source] for f in brief.key_figures],
    )
    plan_table = plan_summary.plan_status_rows(brief.plan).drop(columns=["Lenke"])
    plan_table["Kilde"] = [
        f"{fact.source_title} ({fact.source_url})"
        if fact.source_title and fact.source_url
        else fact.source_text
        for fact in brief.plan.facts
    ]
    about = Section("Om søknaden", [application_table(brief)])
    key = Section(
        "Nøkkeltall", [Paragraph("Siste tilgjengelige tall fra SSB. «–» betyr at tallet mangler."), figures]
    )
    trends = Section("Utviklingstrekk", [BulletList(brief.trends or ["Ingen tidsserier tilgjengelig."])])
    plan = Section(
        "Planstatus",
        [
            Paragraph(brief.plan.planstrategi.message),
            Table("Planstatus", list(plan_table.columns), _rows(plan_table)),
        ],
    )
    sources = Section("Kilder", [BulletList(brief.sources + [f"Laget {text.long_date(brief.as_of)}."])])
    sections = [
        checks_section(brief.checks),
        talking_points_section(brief),
        answers_section(brief),
        about,
        key,
        trends,
        plan,
        timeline_section(brief),
        sources,
    ]
    return content.cleaned(
        Report(
            municipality={
                "municipality_code": brief.municipality_code,
                "name": brief.name,
                "county_name": brief.county_name,
            },
            title=brief.title,
            subtitle=f"Læringsnettverk for samfunnsplanlegging – {brief.county_name or ''}. "
            f"Laget {text.long_date(brief.as_of)}.",
            generated=brief.as_of,
            sections=sections,
        )
    )


def brief_docx(brief: ConversationBrief, *, charts: bool = True) -> bytes:
    """The brief as a Word document (.docx): the timeline as an image when a browser is available,
    always also as a table."""
    report = brief_report(brief)
    if charts:
        with contextlib.suppress(Exception):  # no browser here (kaleido raises many kinds): a table only
            images.render_images(report)
    from nokkeltall.report import docx as docx_writer  # here: python-docx and lxml only for the download

    return docx_writer.render(report, subject=DOCUMENT_SUBJECT)
