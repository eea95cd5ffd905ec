"""The sections of the «Søknader» page: the county matrix, the spreadsheet import, the registration
form, the conversation brief and the backup.

pages/soknader.py reads like a table of contents (title, round, one call per tab); the section bodies
are here. Eligibility, statuses and deadlines live in ``nokkeltall.plan.network``, the import, checks
and matrix in ``nokkeltall.applications``, the brief in ``nokkeltall.report.brief``, the data in
``nokkeltall.store``, all free of Streamlit.

Speed: the tabs track which one is open and only the open one is drawn, except «Registrer / endre»,
which is always drawn so that a half-filled form survives a look at another tab. What depends only
on the statistics build (municipality names, populations, option labels) is made once per build, and
the brief (its .docx and timeline) once per application, plan status and milestones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from nokkeltall import text
from nokkeltall.applications import checks, spreadsheet
from nokkeltall.applications import matrix as county_matrix
from nokkeltall.plan import network
from nokkeltall.report import brief
from nokkeltall.report.content import BulletList, Chart, Heading, Note, NotesArea, Paragraph, Table
from nokkeltall.store import ConflictError, NotFoundError, UserStore, ValidationError
from nokkeltall.ui.data import DataUnavailable, fingerprint, query, shared_call
from nokkeltall.ui.store import name_input, remember_name, show_errors, user_store
from nokkeltall.ui.widgets import municipality_from_url, safe_text

_log = logging.getLogger(__name__)

LABELS = {
    "municipality_code": "Kommune",
    "round_year": "Søknadsrunde",
    "received_date": "Mottatt dato",
    "status": "Status",
    "contact_name": "Kontaktperson",
    "contact_email": "E-post til kontaktperson",
    "samfunnsdel_year": "1. Årstall for gjeldende samfunnsdel",
    "progress_plan": "2. Framdriftsplan for planstrategi og samfunnsdel",
    "has_fact_base": "3. Har kommunen statistikk, nøkkeltall og kunnskapsgrunnlag?",
    "fact_base_description": "3. Hvilken statistikk / hvilket kunnskapsgrunnlag",
    "planning_staff_persons": "4. Antall personer som arbeider med plan",
    "planning_staff_percent": "4. Samlet stillingsandel til planarbeid (%)",
    "planning_staff_text": "4. Ressurser som tekst",
    "note": "Merknad",
    "changed_by": "Ditt navn",
    "file": "Fil",
    "assessment": "Vurdering",
    "adviser_note": "Rådgivers notat",
    "scenario": "Scenario",
    "name": "Navn",
    "saved_by": "Lagret av",
    "saved_at": "Lagret",
}
NEW = "ny"
STATUSES = list(network.APPLICATION_STATUSES)
TABS = ["Oversikt per fylke", "Importer søknader", "Registrer / endre", "Samtaleunderlag", "Sikkerhetskopi"]
TAB_KEY = "applications_tab"  # the open tab (session state; only the open tab is drawn)
FLASH_KEY = "_applications_flash"
BRIEF_MADE_KEY = "_briefs_made"  # the briefs whose .docx this session has asked for
CHANGE_TABLES = {
    "applications": "søknad",
    "milestones": "milepæl",
    "plan_status_entries": "planstatus",
    "decks": "lysbildesett",
}


def default_round(today: date) -> int:
    """The round whose deadline (15 December) is next."""
    return today.year if today <= network.application_deadline(today.year) else today.year + 1


# --- what depends only on the statistics build ----------------------------------------------------------


@dataclass(frozen=True)
class Municipalities:
    """Names, option labels and latest populations of every municipality, made once per build."""

    codes: list[str]
    names: dict[str, str]
    labels: dict[str, str]  # «1835 Træna»
    populations: dict[str, tuple[float, float]] = field(repr=False)  # code → (population, population_year)
    places: spreadsheet.Places = field(repr=False)  # names → numbers, for the import

    def eligibility(self, code: str) -> network.Eligibility:
        population, year = self.populations.get(code, (None, None))
        if population is None or year is None or pd.isna(population):
            return network.eligibility(code, None)
        return network.eligibility(code, int(population), date(int(year), 1, 1))


@st.cache_resource(show_spinner=False, max_entries=4)
def _municipalities(build: str) -> Municipalities:
    frame = query("municipalities")
    codes = frame["municipality_code"].tolist()
    names = dict(zip(codes, frame["official_name"], strict=True))
    populations = zip(frame["population"], frame["population_year"], strict=True)
    return Municipalities(
        codes,
        names,
        {c: f"{c} {names.get(c, '')}" for c in codes},
        dict(zip(codes, populations, strict=True)),
        spreadsheet.Places.from_frame(frame),
    )


def municipalities() -> Municipalities:
    """The lookup for this build; stops the page with the Norwegian message when there is no data."""
    try:
        return _municipalities(fingerprint())
    except DataUnavailable as error:
        st.error(str(error))
        st.stop()


# --- the page's state -------------------------------------------------------------------------------------


@dataclass
class ApplicationsPage:
    """What the sections read: the round, its applications and the municipality lookup."""

    today: date
    round_year: int
    places: Municipalities
    store: UserStore
    can_edit: bool
    applications: list[dict]

    @property
    def deadline(self) -> date:
        return network.application_deadline(self.round_year)

    @property
    def by_id(self) -> dict[int, dict]:
        return {a["id"]: a for a in self.applications}

    def label(self, application_id) -> str:
        if application_id == NEW:
            return "Ny søknad"
        application = self.by_id[application_id]
        status = network.APPLICATION_STATUSES[application["status"]]
        code = application["municipality_code"]
        return f"{code} {self.places.names.get(code, '')} ({status.lower()})"


def round_picker(today: date) -> int:
    """The application round (the year of its deadline), in the sidebar."""
    return int(
        st.sidebar.number_input(
            "Søknadsrunde (år for fristen)",
            min_value=2019,
            max_value=today.year + 1,
            value=default_round(today),
            step=1,
            key="round_year",
        )
    )


def load(round_year: int, places: Municipalities, can_edit: bool, today: date) -> ApplicationsPage:
    """The round's applications; a choice saved by the last run (``_select_application``) is applied."""
    store = user_store()
    page = ApplicationsPage(today, round_year, places, store, can_edit, store.list_applications(round_year))
    pending = st.session_state.pop("_select_application", None)
    if pending is not None:
        for key in ("application_choice", "brief_choice"):
            st.session_state[key] = pending
            st.session_state[_shadow(key)] = pending
    return page


def introduction(page: ApplicationsPage) -> None:
    """The network in one caption with the round's deadline, and the last save's message."""
    deadline = page.deadline
    days_left = (deadline - page.today).days
    low, high = network.TARGET_PER_COUNTY
    st.caption(
        f"Læringsnettverk for samfunnsplanlegging (Distriktssenteret, Nordland og Trøndelag fylkeskommuner). "
        f"For kommuner med under {text.number(network.POPULATION_LIMIT)} innbyggere. Søknadsfrist "
        f"{text.long_date(deadline)}"
        + (f" (om {days_left} dager)" if days_left >= 0 else " (passert)")
        + f". Målet er {low}–{high} kommuner per fylke, valgt etter søknad og samtale."
    )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon="✅")


def tabs():
    """The five tabs; each container's ``.open`` says whether it is the one shown."""
    return st.tabs(TABS, key=TAB_KEY, on_change="rerun")


def _shadow(key: str) -> str:
    return f"_kept_{key}"


def _kept_selectbox(label: str, options: list, *, key: str, **kwargs):
    """A select box whose choice survives runs in which its tab is not drawn (Streamlit forgets the
    state of a widget that is not drawn): the choice is kept under another key and put back."""
    kept = st.session_state.get(_shadow(key))
    if key not in st.session_state and kept in options:
        st.session_state[key] = kept
    chosen = st.selectbox(label, options, key=key, **kwargs)
    st.session_state[_shadow(key)] = chosen
    return chosen


# --- sections ---------------------------------------------------------------------------------------------


def county_overview(page: ApplicationsPage) -> None:
    """«Oversikt per fylke»: the 2–3 target per county, then the matrix of applicants (sortable), its
    Excel file, and the adviser's status, notes and assessment per applicant."""
    low, high = network.TARGET_PER_COUNTY
    for selection in county_matrix.county_targets(page.applications):
        st.subheader(selection.county)
        columns = st.columns(4)
        columns[0].metric("Mottatt", selection.received)
        columns[1].metric("Samtale avtalt", selection.in_conversation)
        columns[2].metric("Valgt", selection.selected, help=f"Målet er {low}–{high} per fylke")
        columns[3].metric("Ikke valgt", selection.not_selected)
        (st.success if low <= selection.selected <= high else st.info)(selection.message)
    if not page.applications:
        st.info(f"Ingen søknader er registrert for runden med frist {text.long_date(page.deadline)}.")
        return
    table = _matrix(page)
    st.markdown(
        "**Søkerne side om side** – klikk på en kolonneoverskrift for å sortere. Sjekkene er "
        "forklart, med kilder, i samtaleunderlaget."
    )
    st.dataframe(
        table.drop(columns=["id"]),
        hide_index=True,
        width="stretch",
        key="county_matrix",
        column_config={"Folketall": st.column_config.NumberColumn(format="localized")},
    )
    workbook = county_matrix.matrix_xlsx(table, page.round_year, page.today)
    st.download_button(
        "Last ned oversikten (Excel)",
        workbook,
        file_name=f"soknader-{page.round_year}.xlsx",
        key="matrix_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    if page.can_edit:
        _assessment_form(page)


def _matrix(page: ApplicationsPage) -> pd.DataFrame:
    store = page.store
    codes = {a["municipality_code"] for a in page.applications}
    entries = {code: store.list_plan_entries(code) for code in codes}
    milestones = {code: store.list_milestones(code) for code in codes}
    return _matrix_cached(
        repr((page.applications, entries, milestones)),
        page.today,
        fingerprint(),
        page.applications,
        entries,
        milestones,
        page.places.names,
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _matrix_cached(key: str, today: date, build: str, _applications, _entries, _milestones, _names):
    return shared_call(county_matrix.county_matrix, _applications, _entries, _milestones, _names, today)


def _assessment_form(page: ApplicationsPage) -> None:
    """Status, the adviser's note and assessment for one applicant, saved with who and when."""
    st.markdown("**Rådgivers vurdering**")
    by_id = page.by_id
    chosen = _kept_selectbox("Søker", list(by_id), format_func=page.label, key="assessment_choice")
    application = by_id[chosen]
    suffix = f"_{chosen}_{application['version']}"
    with st.form(f"assessment_form{suffix}"):
        left, right = st.columns(2)
        status = left.selectbox(
            LABELS["status"],
            STATUSES,
            index=STATUSES.index(application["status"]),
            format_func=network.APPLICATION_STATUSES.__getitem__,
            key=f"assess_status{suffix}",
            help="mottatt → samtale avtalt → valgt / ikke valgt",
        )
        choices = [None, *network.ASSESSMENTS]
        assessment = right.selectbox(
            LABELS["assessment"],
            choices,
            index=choices.index(application.get("assessment")),
            format_func=lambda k: network.ASSESSMENTS.get(k, "Ikke vurdert"),
            key=f"assessment{suffix}",
        )
        note = st.text_area(
            LABELS["adviser_note"],
            value=application.get("adviser_note") or "",
            key=f"adviser_note{suffix}",
            max_chars=5000,
        )
        if application.get("assessed_by"):
            st.caption(
                f"Sist vurdert av {safe_text(application['assessed_by'])}, "
                f"{text.local_time(application.get('assessed_at'))}."
            )
        who = name_input(f"assessment_name{suffix}")
        submitted = st.form_submit_button("Lagre vurdering", type="primary")
    if not submitted:
        return
    try:
        saved = page.store.update_application(
            chosen, {"status": status}, changed_by=who, expected_version=application["version"]
        )
        saved = page.store.save_assessment(
            chosen, {"assessment": assessment, "adviser_note": note}, who, expected_version=saved["version"]
        )
    except ValidationError as error:
        show_errors(error.errors, LABELS)
    except (ConflictError, NotFoundError) as error:
        st.error(error.message)
    else:
        remember_name(who)
        st.session_state[FLASH_KEY] = f"Vurderingen av {page.label(saved['id'])} er lagret."
        st.rerun()


# --- import from the form tool ------------------------------------------------------------------------------


def import_applications(page: ApplicationsPage) -> None:
    """«Importer søknader»: a spreadsheet from the form tool, checked row by row before anything is saved."""
    st.markdown(
        "Last opp eksporten fra skjemaverktøyet (Excel eller CSV, én rad per kommune). Kolonnene "
        "finnes selv om overskriftene er litt forskjellige; er noe uklart, velger du kolonnen. **Har én "
        "rad feil, importeres ingenting**, og hver feil vises med radnummer. En søknad som er importert "
        "før og er "
        "uendret, endres ikke; en endret søknad blir en ny versjon med endringslogg."
    )
    upload = st.file_uploader(
        "Regneark med søknader (.xlsx eller .csv)", type=["xlsx", "csv"], key="import_file"
    )
    if upload is None:
        return
    data, name = upload.getvalue(), upload.name
    try:
        table = spreadsheet.read_table(data, name)
    except spreadsheet.SpreadsheetError as error:
        st.error(f"{error} Ingenting er importert.", icon="⚠️")
        return
    chosen = _column_choices(spreadsheet.match_columns(list(table.columns)), list(table.columns))
    preview = spreadsheet.import_file(
        page.store, data, name, page.places.places, page.round_year, "forhåndsvisning", chosen, dry_run=True
    )
    if preview.mapping is not None and preview.mapping.complete:
        _mapping_table(preview.mapping)
    if preview.needs_mapping:
        st.warning(preview.problems[0], icon="❓")
        return
    if not preview.ok:
        st.error("Ingenting kan importeres før dette er rettet i filen:", icon="⚠️")
        st.markdown("\n".join(f"- {safe_text(line, 400)}" for line in preview.problems))
        return
    result = preview.result
    assert result is not None  # preview.ok says so
    st.info(f"Filen er kontrollert: {result.summary()}", icon="🔎")
    changes = spreadsheet.change_lines(result)
    if changes:
        listed = "\n".join(f"- {safe_text(c, 600)}" for c in changes)
        st.markdown(f"**Endringer (blir nye versjoner):**\n{listed}")
    if not page.can_edit:
        st.info("Du trenger redaktørpassordet (i sidepanelet) for å importere.", icon="🔒")
        return
    _import_button(page, data, name, chosen, result)


def _column_choices(mapping: spreadsheet.ColumnMapping, headers: list[str]) -> dict[str, str]:
    chosen = {}
    for field_name, candidates in {**mapping.ambiguous, **{f: headers for f in mapping.missing}}.items():
        label = spreadsheet.FIELDS[field_name][0]
        picked = st.selectbox(
            f"Hvilken kolonne er «{label}»?",
            candidates,
            index=None,
            placeholder="Velg kolonne …",
            key=f"import_column_{field_name}",
        )
        if picked:
            chosen[field_name] = picked
    return chosen


def _mapping_table(mapping: spreadsheet.ColumnMapping) -> None:
    with st.expander("Kolonnene i filen"):
        rows = [
            {"Kolonne i filen": header, "Brukes som": spreadsheet.FIELDS[name][0]}
            for name, header in mapping.fields.items()
        ]
        rows += [{"Kolonne i filen": header, "Brukes som": "– (brukes ikke)"} for header in mapping.unused]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _import_button(page: ApplicationsPage, data: bytes, name: str, chosen: dict, result) -> None:
    if not result.created and not result.changed:
        st.success("Alt i filen er importert fra før. Ingenting å endre.", icon="✅")
        return
    who = name_input("import_name")
    if not st.button("Importer søknader", type="primary", key="import_button"):
        return
    outcome = spreadsheet.import_file(
        page.store, data, name, page.places.places, page.round_year, who, chosen
    )
    if not outcome.ok:
        st.error("Ingenting er importert:", icon="⚠️")
        st.markdown("\n".join(f"- {safe_text(line, 400)}" for line in outcome.problems))
        return
    remember_name(who)
    assert outcome.result is not None  # outcome.ok says so
    st.session_state[FLASH_KEY] = f"Importert: {outcome.result.summary()}"
    st.rerun()


def show_eligibility(page: ApplicationsPage, code: str) -> None:
    result = page.places.eligibility(code)
    box = st.success if result.eligible else st.warning
    verdict = "Kan delta i læringsnettverket." if result.eligible else "Kan ikke delta i læringsnettverket."
    box(f"**{verdict}**  \n" + "  \n".join(result.reasons), icon="✅" if result.eligible else "⚠️")
    st.caption(
        "Beregnet fra SSBs siste folketall (tabell 07459, per 1. januar) og kommunenummeret; "
        "kan ikke skrives inn."
    )


def show_checks(page: ApplicationsPage, application: dict) -> None:
    """The application's answers held against the data, one line per check (details in the brief)."""
    code = application["municipality_code"]
    found = shared_call(
        checks.gather,
        application,
        page.store.list_plan_entries(code),
        page.store.list_milestones(code),
        page.applications,
        page.today,
    )[1]
    with st.expander("Sjekk av svarene mot data", expanded=True):
        for check in found:
            st.markdown(
                f"{checks.OUTCOME_ICONS[check.outcome]} **{safe_text(check.headline, 200)}** – "
                f"{safe_text(check.reason, 1000)}"
            )
        st.caption("Grunnlag og kilder for hver sjekk står først i samtaleunderlaget.")


def registration_form(page: ApplicationsPage) -> None:
    """«Registrer / endre»: pick an application (or a new one), see eligibility, fill and save the form."""
    by_id, names = page.by_id, page.places.names
    choice = st.selectbox("Søknad", [NEW, *by_id], format_func=page.label, key="application_choice")
    existing = by_id.get(choice) if isinstance(choice, int) else None  # else NEW
    if existing:
        code = existing["municipality_code"]
        st.markdown(f"**Kommune:** {code} {safe_text(names.get(code, ''))}")
    else:
        codes = page.places.codes
        from_url, url_problem = municipality_from_url()
        if url_problem:
            st.warning(url_problem, icon="⚠️")
        code = st.selectbox(
            LABELS["municipality_code"],
            codes,
            format_func=page.places.labels.__getitem__,
            index=codes.index(from_url) if from_url in names else None,
            placeholder="Velg kommune …",
            key="application_municipality",
        )
    if code:
        show_eligibility(page, code)
    if existing:
        show_checks(page, existing)
    if not page.can_edit:
        st.info(
            "Du kan lese, men trenger redaktørpassordet (i sidepanelet) for å registrere eller endre.",
            icon="🔒",
        )
    elif code:
        _application_form(page, code, choice, existing)
    else:
        st.info("Velg kommunen som har søkt.")


SAMFUNNSDEL_CHOICES = {
    "år": "Årstall",
    "ingen": "Ingen gjeldende samfunnsdel",
    "ikke_oppgitt": "Ikke oppgitt",
}
FACT_CHOICES = {
    "ja": "Ja",
    "nei": "Nei",
    "tekst": "Bare tekst (verken ja eller nei)",
    "ikke_oppgitt": "Ikke oppgitt",
}


def _fact_choice(record: dict) -> str:
    flag = record.get("has_fact_base")
    return (
        "ja"
        if flag is True
        else "nei"
        if flag is False
        else ("tekst" if record.get("fact_base_description") else "ikke_oppgitt")
    )


def _answers(record: dict, suffix: str) -> dict:
    """The four answers, none pre-filled: each must be given or marked «ikke oppgitt»."""
    st.markdown("**Søknadens fire svar** – fyll ut hvert svar, eller merk det «ikke oppgitt».")
    options = list(SAMFUNNSDEL_CHOICES)
    answer = st.radio(
        LABELS["samfunnsdel_year"],
        options,
        format_func=SAMFUNNSDEL_CHOICES.get,
        horizontal=True,
        index=options.index(record["samfunnsdel_answer"]) if record else None,
        key=f"samfunnsdel_answer{suffix}",
    )
    year = st.text_input(
        "Årstall (når svaret er et årstall)",
        key=f"samfunnsdel{suffix}",
        placeholder="2019",
        value="" if record.get("samfunnsdel_year") is None else str(record["samfunnsdel_year"]),
    )
    progress = st.text_area(
        LABELS["progress_plan"], value=record.get("progress_plan") or "", key=f"progress{suffix}"
    )
    progress_missing = st.checkbox(
        "Framdriftsplan ikke oppgitt",
        key=f"progress_missing{suffix}",
        value=bool(record) and not record.get("progress_plan"),
    )
    fact_options = list(FACT_CHOICES)
    fact = st.radio(
        LABELS["has_fact_base"],
        fact_options,
        format_func=FACT_CHOICES.__getitem__,
        horizontal=True,
        index=fact_options.index(_fact_choice(record)) if record else None,
        key=f"fact{suffix}",
    )
    fact_text = st.text_area(
        LABELS["fact_base_description"],
        key=f"facttext{suffix}",
        value=record.get("fact_base_description") or "",
    )
    left, right = st.columns(2)
    persons = left.number_input(
        LABELS["planning_staff_persons"],
        min_value=0,
        max_value=100,
        step=1,
        value=record.get("planning_staff_persons"),
        key=f"persons{suffix}",
        placeholder="antall",
    )
    percent = right.number_input(
        LABELS["planning_staff_percent"],
        min_value=0.0,
        max_value=100.0,
        step=5.0,
        value=record.get("planning_staff_percent"),
        format="%g",
        key=f"percent{suffix}",
        placeholder="prosent",
    )
    staff_text = st.text_input(
        LABELS["planning_staff_text"],
        value=record.get("planning_staff_text") or "",
        key=f"stafftext{suffix}",
        help="Når søknaden beskriver ressursene med ord.",
    )
    staff_missing = st.checkbox(
        "Ressurser ikke oppgitt",
        key=f"staff_missing{suffix}",
        value=bool(record)
        and record.get("planning_staff_percent") is None
        and not record.get("planning_staff_text"),
    )
    marks = (
        ("samfunnsdel", answer == "ikke_oppgitt"),
        ("progress_plan", progress_missing),
        ("fact_base", fact == "ikke_oppgitt"),
        ("staff", staff_missing),
    )
    not_given = {name for name, missing in marks if missing}
    return {
        "samfunnsdel_answer": answer,
        "samfunnsdel_year": year if answer == "år" else None,
        "progress_plan": progress,
        "has_fact_base": {"ja": True, "nei": False}.get(fact or ""),
        "fact_base_description": fact_text,
        "planning_staff_persons": persons,
        "planning_staff_percent": percent,
        "planning_staff_text": staff_text,
        "not_given": sorted(not_given),
    }


def _application_form(page: ApplicationsPage, code: str, choice, existing: dict | None) -> None:
    record = existing or {}
    suffix = f"_{choice}"
    with st.form(f"application_form{suffix}"):
        left, right = st.columns(2)
        received = left.date_input(
            LABELS["received_date"],
            value=date.fromisoformat(record["received_date"]) if record.get("received_date") else page.today,
            format="DD.MM.YYYY",
            key=f"received{suffix}",
        )
        status_value = right.selectbox(
            LABELS["status"],
            STATUSES,
            index=STATUSES.index(record.get("status", "mottatt")),
            format_func=network.APPLICATION_STATUSES.__getitem__,
            key=f"status{suffix}",
            help="mottatt → samtale avtalt → valgt / ikke valgt",
        )
        contact = left.text_input(
            LABELS["contact_name"], value=record.get("contact_name") or "", key=f"contact{suffix}"
        )
        email = right.text_input(
            LABELS["contact_email"], value=record.get("contact_email") or "", key=f"email{suffix}"
        )
        answers = _answers(record, suffix)
        note = st.text_area(LABELS["note"], value=record.get("note") or "", key=f"note{suffix}")
        who = name_input(f"application_name{suffix}")
        submitted = st.form_submit_button("Lagre søknad", type="primary")
    if not submitted:
        return
    data = {
        "municipality_code": code,
        "round_year": record.get("round_year", page.round_year),
        "received_date": received,
        "status": status_value,
        "contact_name": contact,
        "contact_email": email,
        "note": note,
        **answers,
    }
    if answers["samfunnsdel_answer"] is None:
        data["samfunnsdel_year"] = None  # no choice made: the validation names the question
    try:
        if existing:
            saved = page.store.update_application(
                existing["id"], data, changed_by=who, expected_version=existing["version"]
            )
        else:
            saved = page.store.add_application(data, changed_by=who)
    except ValidationError as error:
        show_errors(error.errors, LABELS)
    except (ConflictError, NotFoundError) as error:
        _log.warning("application for %s not saved: %s", data.get("municipality_code"), error.message)
        st.error(error.message)
    else:
        remember_name(who)
        st.session_state["_select_application"] = saved["id"]
        st.session_state[FLASH_KEY] = (
            f"Søknaden fra {saved['municipality_code']} "
            f"{page.places.names.get(saved['municipality_code'], '')} "
            "er lagret."
        )
        st.rerun()


@st.cache_resource(show_spinner=False, max_entries=64)
def _brief_view(
    rows_key: str,
    today: date,
    build: str,
    _application: dict,
    _entries: list[dict],
    _milestones: list[dict],
    _peers: list[dict],
):
    """The brief and its document layout, made once per application, plan status, milestones, round,
    day and build."""
    conversation = shared_call(brief.build_brief, _application, _entries, _milestones, today, _peers)
    figure = conversation.timeline_figure
    if figure is not None:
        as_dict = figure.to_dict()  # st.plotly_chart asks for it every rerun; the shared figure never changes
        object.__setattr__(figure, "to_dict", lambda: as_dict)
    return conversation, brief.brief_report(conversation)


@st.cache_resource(show_spinner=False, max_entries=16)
def _brief_document(rows_key: str, today: date, build: str, _conversation) -> bytes:
    """The .docx (with the timeline drawn as an image when the server's browser can), made on download."""
    return brief.brief_docx(_conversation)


def show_document(report, chart_key: str) -> None:
    """A ``report.content`` document on screen: the same blocks the Word file has (notes areas are for
    the printed brief and are named only)."""
    for section in report.sections:
        st.subheader(section.title)
        for block in section.blocks:
            _show_block(block, chart_key)


def _show_block(block, chart_key: str) -> None:
    if isinstance(block, Heading):
        st.markdown(f"**{safe_text(block.text, 300)}**")
    elif isinstance(block, Paragraph):
        st.markdown(safe_text(block.text, 5000) or text.MISSING)
    elif isinstance(block, Table):
        frame = pd.DataFrame(block.rows, columns=_unique(block.columns))
        st.dataframe(frame, hide_index=True, width="stretch")
    elif isinstance(block, BulletList):
        marker = "1." if block.numbered else "-"
        st.markdown("\n".join(f"{marker} {safe_text(item, 2000)}" for item in block.items))
    elif isinstance(block, Chart) and block.figure is not None:
        st.plotly_chart(block.figure, key=chart_key, config={"displaylogo": False})
    elif isinstance(block, Note):
        st.caption(safe_text(block.text, 2000))
    elif isinstance(block, NotesArea):
        st.caption(f"✎ {safe_text(block.label, 200)} (skrivefelt i Word-dokumentet)")


def _unique(columns: list[str]) -> list[str]:
    return [c or " " * (i + 1) for i, c in enumerate(columns)]


def _document_buttons(page: ApplicationsPage, key: str, conversation, code: str) -> None:
    """«Lag Word-dokument», then its download: the .docx (with the timeline drawn by the server's
    browser, a few seconds) is made only when asked for, once per brief, and served as bytes."""
    made = st.session_state.setdefault(BRIEF_MADE_KEY, set())
    if key not in made and not st.button("Lag samtaleunderlag som Word (.docx)", key="brief_make"):
        return
    made.add(key)
    with st.spinner("Lager Word-dokumentet …"):
        document = _brief_document(key, page.today, fingerprint(), conversation)
    st.download_button(
        "Last ned samtaleunderlag (.docx)",
        document,
        file_name=f"samtaleunderlag_{code}_{conversation.name.split(' - ')[-1].replace(' ', '_')}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="brief_docx",
    )


def conversation_brief(page: ApplicationsPage) -> None:
    """«Samtaleunderlag»: the brief for one application on screen, and the same document as .docx."""
    if not page.applications:
        st.info(
            "Registrer eller importer en søknad først; samtaleunderlaget lages fra søknaden og statistikken."
        )
        return
    by_id = page.by_id
    chosen = _kept_selectbox("Samtaleunderlag for", list(by_id), format_func=page.label, key="brief_choice")
    application = by_id[chosen]
    code = application["municipality_code"]
    entries, milestones = page.store.list_plan_entries(code), page.store.list_milestones(code)
    key = repr((application, entries, milestones, page.applications))
    conversation, report = _brief_view(
        key, page.today, fingerprint(), application, entries, milestones, page.applications
    )
    _document_buttons(page, key, conversation, code)
    st.header(conversation.title)
    show_document(report, "brief_timeline")


def backup(page: ApplicationsPage) -> None:
    """«Sikkerhetskopi»: all user data as JSON out, a restore from such a file, and the latest changes."""
    store = page.store
    st.markdown(
        "Sikkerhetskopi av **alle** brukerdata (søknader, planstatus, framdriftsplaner, lysbildesett, "
        "lagrede framskrivingsscenarioer og endringslogg) "
        "som JSON. Statistikken lagres ikke her; den lastes fra SSB-øyeblikksbildet."
    )
    st.download_button(
        "Last ned sikkerhetskopi (JSON)",
        store.export_json().encode("utf-8"),
        file_name=f"nokkeltall-brukerdata-{page.today.isoformat()}.json",
        mime="application/json",
        key="backup_download",
    )
    if page.can_edit:
        _restore_form(store)
    changes = store.list_changes()
    if changes:
        st.markdown("**Siste endringer**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Tidspunkt": text.local_time(c["changed_at"]),
                        "Av": c["changed_by"],
                        "Tabell": CHANGE_TABLES.get(c["table_name"], c["table_name"]),
                        "Rad": c["row_id"],
                        "Handling": c["action"],
                    }
                    for c in reversed(changes[-50:])
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _restore_form(store) -> None:
    with st.form("restore_form"):
        upload = st.file_uploader("Gjenopprett fra sikkerhetskopi", type=["json"], key="backup_upload")
        confirm = st.checkbox(
            "Jeg forstår at alle brukerdata erstattes med innholdet i filen.", key="restore_ok"
        )
        who = name_input("restore_name")
        restore = st.form_submit_button("Gjenopprett")
    if not restore:
        return
    if upload is None or not confirm:
        st.error("Velg en fil og kryss av for at alle data skal erstattes. Ingenting er endret.")
        return
    try:
        counts = store.import_json(upload.getvalue(), restored_by=who)
    except ValidationError as error:
        show_errors(error.errors, LABELS)
    except ValueError as error:
        _log.warning("restore refused, not JSON: %s", error)
        st.error("Filen kan ikke leses som JSON. Ingenting er endret.")
    else:
        remember_name(who)
        st.session_state[FLASH_KEY] = (
            f"Gjenopprettet: {counts['applications']} søknader, {counts['plan_status_entries']} "
            f"planstatuser, {counts['milestones']} milepæler"
            + (f", {counts['decks']} lysbildesett" if "decks" in counts else "")
            + (f", {counts['projection_scenarios']} scenarioer." if "projection_scenarios" in counts else ".")
        )
        st.rerun()
