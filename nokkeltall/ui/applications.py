"""The sections of the «Søknader» page: the county overview, the registration form, the conversation
brief and the backup.

pages/soknader.py reads like a table of contents (title, round, one call per tab); the section bodies
are here. Eligibility, statuses and deadlines live in ``nokkeltall.plan.network``, the brief in
``nokkeltall.brief``, the data in ``nokkeltall.store``, all free of Streamlit.

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
from nokkeltall.plan import calendar, network, timeline
from nokkeltall.report import brief
from nokkeltall.store import ConflictError, NotFoundError, ValidationError
from nokkeltall.ui.data import DataUnavailable, cached_call, fingerprint, query
from nokkeltall.ui.store import name_input, remember_name, show_errors, user_store
from nokkeltall.ui.widgets import municipality_from_url, safe_text

_log = logging.getLogger(__name__)

LABELS = {
    "municipality_code": "Kommune", "round_year": "Søknadsrunde", "received_date": "Mottatt dato",
    "status": "Status", "contact_name": "Kontaktperson", "contact_email": "E-post til kontaktperson",
    "samfunnsdel_year": "1. Årstall for gjeldende samfunnsdel",
    "progress_plan": "2. Framdriftsplan for planstrategi og samfunnsdel",
    "has_fact_base": "3. Har kommunen statistikk, nøkkeltall og kunnskapsgrunnlag?",
    "fact_base_description": "3. Hvilken statistikk / hvilket kunnskapsgrunnlag",
    "planning_staff_persons": "4. Antall personer som arbeider med plan",
    "planning_staff_percent": "4. Samlet stillingsandel til planarbeid (%)",
    "note": "Merknad", "changed_by": "Ditt navn", "file": "Fil",
}
NEW = "ny"
STATUSES = list(network.APPLICATION_STATUSES)
TABS = ["Oversikt per fylke", "Registrer / endre", "Samtaleunderlag", "Sikkerhetskopi"]
TAB_KEY = "applications_tab"  # the open tab (session state; only the open tab is drawn)
FLASH_KEY = "_applications_flash"
CHANGE_TABLES = {"applications": "søknad", "milestones": "milepæl", "plan_status_entries": "planstatus",
                 "decks": "lysbildesett"}


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

    def eligibility(self, code: str) -> network.Eligibility:
        population, year = self.populations.get(code, (None, None))
        if population is None or pd.isna(population):
            return network.eligibility(code, None)
        return network.eligibility(code, int(population), date(int(year), 1, 1))


@st.cache_resource(show_spinner=False, max_entries=4)
def _municipalities(build: str) -> Municipalities:
    frame = query("municipalities")
    codes = frame["municipality_code"].tolist()
    names = dict(zip(codes, frame["official_name"]))
    return Municipalities(codes, names, {c: f"{c} {names.get(c, '')}" for c in codes},
                          dict(zip(codes, zip(frame["population"], frame["population_year"]))))


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
    store: object
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
    return int(st.sidebar.number_input("Søknadsrunde (år for fristen)", min_value=2019, max_value=today.year + 1,
                                       value=default_round(today), step=1, key="round_year"))


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
        f"{text.long_date(deadline)}" + (f" (om {days_left} dager)" if days_left >= 0 else " (passert)")
        + f". Målet er {low}–{high} kommuner per fylke, valgt etter søknad og samtale."
    )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon="✅")


def tabs():
    """The four tabs; each container's ``.open`` says whether it is the one shown."""
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
    """«Oversikt per fylke»: received, in conversation, selected and not selected per county, and the list."""
    low, high = network.TARGET_PER_COUNTY
    for selection in network.county_overview(page.applications):
        st.subheader(selection.county)
        columns = st.columns(4)
        columns[0].metric("Mottatt", selection.received)
        columns[1].metric("Samtale", selection.in_conversation)
        columns[2].metric("Valgt", selection.selected, help=f"Målet er {low}–{high} per fylke")
        columns[3].metric("Ikke valgt", selection.not_selected)
        (st.success if low <= selection.selected <= high else st.info)(selection.message)
    if not page.applications:
        st.info(f"Ingen søknader er registrert for runden med frist {text.long_date(page.deadline)}.")
        return
    deadline = page.deadline.isoformat()
    rows = []
    for application in page.applications:
        code = application["municipality_code"]
        result = page.places.eligibility(code)
        population, year = page.places.populations.get(code, (None, None))
        rows.append({
            "Kommune": f"{code} {page.places.names.get(code, '')}",
            "Fylke": result.county or "–",
            "Mottatt": date.fromisoformat(application["received_date"]).strftime("%d.%m.%Y")
            + (" (etter fristen)" if application["received_date"] > deadline else ""),
            "Status": network.APPLICATION_STATUSES[application["status"]],
            "Folketall": text.number(population) if code in page.places.populations else text.MISSING,
            "Per": text.population_date(int(year)) if year is not None and not pd.isna(year) else text.MISSING,
            "Kan delta": "Ja" if result.eligible else "Nei",
            "Kontakt": application["contact_name"],
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def show_eligibility(page: ApplicationsPage, code: str) -> None:
    result = page.places.eligibility(code)
    box = st.success if result.eligible else st.warning
    verdict = "Kan delta i læringsnettverket." if result.eligible else "Kan ikke delta i læringsnettverket."
    box(f"**{verdict}**  \n" + "  \n".join(result.reasons), icon="✅" if result.eligible else "⚠️")
    st.caption("Beregnet fra SSBs siste folketall (tabell 07459, per 1. januar) og kommunenummeret; "
               "kan ikke skrives inn.")


def registration_form(page: ApplicationsPage) -> None:
    """«Registrer / endre»: pick an application (or a new one), see eligibility, fill and save the form."""
    by_id, names = page.by_id, page.places.names
    choice = st.selectbox("Søknad", [NEW, *by_id], format_func=page.label, key="application_choice")
    existing = by_id.get(choice)
    if existing:
        code = existing["municipality_code"]
        st.markdown(f"**Kommune:** {code} {safe_text(names.get(code, ''))}")
    else:
        codes = page.places.codes
        from_url, url_problem = municipality_from_url()
        if url_problem:
            st.warning(url_problem, icon="⚠️")
        code = st.selectbox(LABELS["municipality_code"], codes, format_func=page.places.labels.__getitem__,
                            index=codes.index(from_url) if from_url in names else None,
                            placeholder="Velg kommune …", key="application_municipality")
    if code:
        show_eligibility(page, code)
    if not page.can_edit:
        st.info("Du kan lese, men trenger redaktørpassordet (i sidepanelet) for å registrere eller endre.", icon="🔒")
    elif code:
        _application_form(page, code, choice, existing)
    else:
        st.info("Velg kommunen som har søkt.")


def _application_form(page: ApplicationsPage, code: str, choice, existing: dict | None) -> None:
    record = existing or {}
    suffix = f"_{choice}"
    with st.form(f"application_form{suffix}"):
        left, right = st.columns(2)
        received = left.date_input(LABELS["received_date"], value=date.fromisoformat(record["received_date"])
                                   if record.get("received_date") else page.today, format="DD.MM.YYYY",
                                   key=f"received{suffix}")
        status_value = right.selectbox(LABELS["status"], STATUSES, index=STATUSES.index(record.get("status", "mottatt")),
                                       format_func=network.APPLICATION_STATUSES.get, key=f"status{suffix}",
                                       help="mottatt → samtale → valgt / ikke valgt")
        contact = left.text_input(LABELS["contact_name"], value=record.get("contact_name") or "",
                                  key=f"contact{suffix}")
        email = right.text_input(LABELS["contact_email"], value=record.get("contact_email") or "",
                                 key=f"email{suffix}")
        st.markdown("**Søknadens fire svar**")
        samfunnsdel = st.text_input(
            LABELS["samfunnsdel_year"], key=f"samfunnsdel{suffix}",
            value="" if record.get("samfunnsdel_year") is None else str(record["samfunnsdel_year"]),
            help="Tomt hvis kommunen ikke har en gjeldende samfunnsdel.", placeholder="2019")
        progress = st.text_area(LABELS["progress_plan"], value=record.get("progress_plan") or "",
                                key=f"progress{suffix}")
        fact_base = st.radio(LABELS["has_fact_base"], ["Ja", "Nei"], horizontal=True, key=f"fact{suffix}",
                             index=0 if record.get("has_fact_base", True) else 1)
        fact_text = st.text_area(LABELS["fact_base_description"], key=f"facttext{suffix}",
                                 value=record.get("fact_base_description") or "")
        left, right = st.columns(2)
        persons = left.number_input(LABELS["planning_staff_persons"], min_value=0, max_value=100, step=1,
                                    value=int(record.get("planning_staff_persons") or 0), key=f"persons{suffix}")
        percent = right.number_input(LABELS["planning_staff_percent"], min_value=0.0, max_value=100.0,
                                     step=5.0, value=float(record.get("planning_staff_percent") or 0.0),
                                     format="%g", key=f"percent{suffix}")  # «50», not «50.00»
        note = st.text_area(LABELS["note"], value=record.get("note") or "", key=f"note{suffix}")
        who = name_input(f"application_name{suffix}")
        submitted = st.form_submit_button("Lagre søknad", type="primary")
    if not submitted:
        return
    data = {
        "municipality_code": code, "round_year": record.get("round_year", page.round_year),
        "received_date": received, "status": status_value, "contact_name": contact, "contact_email": email,
        "samfunnsdel_year": samfunnsdel, "progress_plan": progress, "has_fact_base": fact_base == "Ja",
        "fact_base_description": fact_text, "planning_staff_persons": persons,
        "planning_staff_percent": percent, "note": note,
    }
    try:
        if existing:
            saved = page.store.update_application(existing["id"], data, changed_by=who,
                                                  expected_version=existing["version"])
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
            f"Søknaden fra {saved['municipality_code']} {page.places.names.get(saved['municipality_code'], '')} "
            "er lagret.")
        st.rerun()


@st.cache_resource(show_spinner=False, max_entries=64)
def _brief_view(rows_key: str, today: date, build: str, place: str, _application: dict, _entries: list[dict],
                _milestones: list[dict]):
    """The brief, its sections, its .docx and its term timeline, made once per application, plan status,
    milestones, day and build (the .docx and the figure take tens of milliseconds each)."""
    code = _application["municipality_code"]
    conversation = cached_call(brief.build_brief, _application, _entries, _milestones, today)
    election_year = calendar.election_year_of_term(today)
    legal = calendar.calendar_frame(calendar.legal_calendar(election_year, election_year + 4))
    figure = timeline.timeline_figure(
        legal, _milestones, None, query("indicator_series", "population", [code]), place=place,
        first_year=election_year, last_year=election_year + 4, today=today,
        adoptions=timeline.adoption_points([f.as_row() for f in conversation.plan.facts]))
    as_dict = figure.to_dict()  # st.plotly_chart asks for it every rerun; the shared figure never changes
    object.__setattr__(figure, "to_dict", lambda: as_dict)
    return conversation, brief.brief_sections(conversation), brief.brief_docx(conversation), figure


def conversation_brief(page: ApplicationsPage) -> None:
    """«Samtaleunderlag»: the brief for one application on screen, with its .docx and term timeline."""
    if not page.applications:
        st.info("Registrer en søknad først; samtaleunderlaget lages fra søknaden og statistikken.")
        return
    by_id = page.by_id
    chosen = _kept_selectbox("Samtaleunderlag for", list(by_id), format_func=page.label, key="brief_choice")
    application = by_id[chosen]
    code = application["municipality_code"]
    entries, milestones = page.store.list_plan_entries(code), page.store.list_milestones(code)
    conversation, sections, document, figure = _brief_view(
        repr((application, entries, milestones)), page.today, fingerprint(), page.places.names.get(code, code),
        application, entries, milestones)
    st.download_button(
        "Last ned samtaleunderlag (.docx)", document,
        file_name=f"samtaleunderlag_{code}_{conversation.name.split(' - ')[-1].replace(' ', '_')}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="brief_docx",
    )
    st.header(conversation.title)
    for section in sections:
        st.subheader(section.heading)
        for paragraph in section.paragraphs:
            st.markdown(safe_text(paragraph, 2000))
        if section.table is not None and not section.table.empty:
            st.dataframe(section.table, hide_index=True, width="stretch")
        if section.bullets:
            st.markdown("\n".join(f"- {safe_text(b, 2000)}" for b in section.bullets))
        if section.numbered:
            st.markdown("\n".join(f"{n}. {safe_text(q, 2000)}" for n, q in enumerate(section.numbered, 1)))
        for question, answer in section.qa:
            st.markdown(f"**{safe_text(question, 300)}**")
            st.markdown("  \n".join(safe_text(line, 5000) for line in str(answer).splitlines()) or text.MISSING)
        if section.heading.startswith("Plantidslinje"):
            st.plotly_chart(figure, key="brief_timeline", config={"displaylogo": False})


def backup(page: ApplicationsPage) -> None:
    """«Sikkerhetskopi»: all user data as JSON out, a restore from such a file, and the latest changes."""
    store = page.store
    st.markdown("Sikkerhetskopi av **alle** brukerdata (søknader, planstatus, framdriftsplaner, lysbildesett og "
                "endringslogg) "
                "som JSON. Statistikken lagres ikke her; den lastes fra SSB-øyeblikksbildet.")
    st.download_button("Last ned sikkerhetskopi (JSON)", store.export_json().encode("utf-8"),
                       file_name=f"nokkeltall-brukerdata-{page.today.isoformat()}.json", mime="application/json",
                       key="backup_download")
    if page.can_edit:
        _restore_form(store)
    changes = store.list_changes()
    if changes:
        st.markdown("**Siste endringer**")
        st.dataframe(pd.DataFrame([{
            "Tidspunkt (UTC)": c["changed_at"].replace("T", " ")[:19], "Av": c["changed_by"],
            "Tabell": CHANGE_TABLES.get(c["table_name"], c["table_name"]),
            "Rad": c["row_id"], "Handling": c["action"],
        } for c in reversed(changes[-50:])]), hide_index=True, width="stretch")


def _restore_form(store) -> None:
    with st.form("restore_form"):
        upload = st.file_uploader("Gjenopprett fra sikkerhetskopi", type=["json"], key="backup_upload")
        confirm = st.checkbox("Jeg forstår at alle brukerdata erstattes med innholdet i filen.", key="restore_ok")
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
            + (f", {counts['decks']} lysbildesett." if "decks" in counts else "."))
        st.rerun()
