"""Søknader: applications to the learning network, the county overview and the conversation brief."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nokkeltall import brief, text
from nokkeltall.plan import calendar, network, timeline
from nokkeltall.store import ConflictError, NotFoundError, ValidationError
from nokkeltall.ui.data import DataUnavailable, cached_call, query
from nokkeltall.ui.store import editor_gate, name_input, remember_name, show_errors, user_store
from nokkeltall.ui.widgets import municipality_from_url, safe_text
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

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


def default_round(today: date) -> int:
    """The round whose deadline (15 December) is next."""
    return today.year if today <= network.application_deadline(today.year) else today.year + 1


def eligibility_of(code: str, municipalities: pd.DataFrame) -> network.Eligibility:
    row = municipalities[municipalities["municipality_code"] == code]
    if row.empty or pd.isna(row.iloc[0]["population"]):
        return network.eligibility(code, None)
    row = row.iloc[0]
    return network.eligibility(code, int(row["population"]), date(int(row["population_year"]), 1, 1))


def show_eligibility(code: str, municipalities: pd.DataFrame) -> None:
    result = eligibility_of(code, municipalities)
    box = st.success if result.eligible else st.warning
    verdict = "Kan delta i læringsnettverket." if result.eligible else "Kan ikke delta i læringsnettverket."
    box(f"**{verdict}**  \n" + "  \n".join(result.reasons), icon="✅" if result.eligible else "⚠️")
    st.caption("Beregnet fra SSBs siste folketall (tabell 07459, per 1. januar) og kommunenummeret; "
               "kan ikke skrives inn.")


st.title("Søknader")
today = date.today()
try:
    municipalities = query("municipalities")
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
names = dict(zip(municipalities["municipality_code"], municipalities["official_name"]))
store = user_store()
can_edit = editor_gate()

round_year = int(st.sidebar.number_input("Søknadsrunde (år for fristen)", min_value=2019, max_value=today.year + 1,
                                         value=default_round(today), step=1, key="round_year"))
deadline = network.application_deadline(round_year)
days_left = (deadline - today).days
low, high = network.TARGET_PER_COUNTY
st.caption(
    f"Læringsnettverk for samfunnsplanlegging (Distriktssenteret, Nordland og Trøndelag fylkeskommuner). "
    f"For kommuner med under {text.number(network.POPULATION_LIMIT)} innbyggere. Søknadsfrist "
    f"{text.long_date(deadline)}" + (f" (om {days_left} dager)" if days_left >= 0 else " (passert)")
    + f". Målet er {low}–{high} kommuner per fylke, valgt etter søknad og samtale."
)

flash = st.session_state.pop("_applications_flash", None)
if flash:
    st.success(flash, icon="✅")

applications = store.list_applications(round_year)
by_id = {a["id"]: a for a in applications}
pending = st.session_state.pop("_select_application", None)
if pending is not None:
    st.session_state["application_choice"] = pending
    st.session_state["brief_choice"] = pending


def application_label(application_id) -> str:
    if application_id == NEW:
        return "Ny søknad"
    application = by_id[application_id]
    status = network.APPLICATION_STATUSES[application["status"]]
    return f"{application['municipality_code']} {names.get(application['municipality_code'], '')} ({status.lower()})"


overview_tab, edit_tab, brief_tab, backup_tab = st.tabs(
    ["Oversikt per fylke", "Registrer / endre", "Samtaleunderlag", "Sikkerhetskopi"])

# --- overview -----------------------------------------------------------------------------------------
with overview_tab:
    for selection in network.county_overview(applications):
        st.subheader(selection.county)
        columns = st.columns(4)
        columns[0].metric("Mottatt", selection.received)
        columns[1].metric("Samtale", selection.in_conversation)
        columns[2].metric("Valgt", selection.selected, help=f"Målet er {low}–{high} per fylke")
        columns[3].metric("Ikke valgt", selection.not_selected)
        (st.success if low <= selection.selected <= high else st.info)(selection.message)
    if applications:
        rows = []
        for application in applications:
            result = eligibility_of(application["municipality_code"], municipalities)
            population = municipalities.loc[municipalities["municipality_code"] == application["municipality_code"]]
            rows.append({
                "Kommune": f"{application['municipality_code']} {names.get(application['municipality_code'], '')}",
                "Fylke": result.county or "–",
                "Mottatt": date.fromisoformat(application["received_date"]).strftime("%d.%m.%Y")
                + (" (etter fristen)" if application["received_date"] > deadline.isoformat() else ""),
                "Status": network.APPLICATION_STATUSES[application["status"]],
                "Folketall": text.number(population.iloc[0]["population"]) if not population.empty else text.MISSING,
                "Per": text.population_date(int(population.iloc[0]["population_year"]))
                if not population.empty and not pd.isna(population.iloc[0]["population_year"]) else text.MISSING,
                "Kan delta": "Ja" if result.eligible else "Nei",
                "Kontakt": application["contact_name"],
            })
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info(f"Ingen søknader er registrert for runden med frist {text.long_date(deadline)}.")

# --- register / edit ------------------------------------------------------------------------------------
with edit_tab:
    choice = st.selectbox("Søknad", [NEW, *by_id], format_func=application_label, key="application_choice")
    existing = by_id.get(choice)
    if existing:
        code = existing["municipality_code"]
        st.markdown(f"**Kommune:** {code} {safe_text(names.get(code, ''))}")
    else:
        codes = municipalities["municipality_code"].tolist()
        from_url, url_problem = municipality_from_url()
        if url_problem:
            st.warning(url_problem, icon="⚠️")
        code = st.selectbox(LABELS["municipality_code"], codes, format_func=lambda c: f"{c} {names.get(c, '')}",
                            index=codes.index(from_url) if from_url in codes else None,
                            placeholder="Velg kommune …", key="application_municipality")
    if code:
        show_eligibility(code, municipalities)
    if not can_edit:
        st.info("Du kan lese, men trenger redaktørpassordet (i sidepanelet) for å registrere eller endre.", icon="🔒")
    elif code:
        record = existing or {}
        suffix = f"_{choice}"
        with st.form(f"application_form{suffix}"):
            left, right = st.columns(2)
            received = left.date_input(LABELS["received_date"], value=date.fromisoformat(record["received_date"])
                                       if record.get("received_date") else today, format="DD.MM.YYYY",
                                       key=f"received{suffix}")
            status_value = right.selectbox(LABELS["status"], STATUSES,
                                           index=STATUSES.index(record.get("status", "mottatt")),
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
                                         key=f"percent{suffix}")
            note = st.text_area(LABELS["note"], value=record.get("note") or "", key=f"note{suffix}")
            who = name_input(f"application_name{suffix}")
            submitted = st.form_submit_button("Lagre søknad", type="primary")
        if submitted:
            data = {
                "municipality_code": code, "round_year": record.get("round_year", round_year),
                "received_date": received, "status": status_value, "contact_name": contact, "contact_email": email,
                "samfunnsdel_year": samfunnsdel, "progress_plan": progress, "has_fact_base": fact_base == "Ja",
                "fact_base_description": fact_text, "planning_staff_persons": persons,
                "planning_staff_percent": percent, "note": note,
            }
            try:
                if existing:
                    saved = store.update_application(existing["id"], data, changed_by=who,
                                                     expected_version=existing["version"])
                else:
                    saved = store.add_application(data, changed_by=who)
            except ValidationError as error:
                show_errors(error.errors, LABELS)
            except (ConflictError, NotFoundError) as error:
                st.error(error.message)
            else:
                remember_name(who)
                st.session_state["_select_application"] = saved["id"]
                st.session_state["_applications_flash"] = (
                    f"Søknaden fra {saved['municipality_code']} {names.get(saved['municipality_code'], '')} er lagret.")
                st.rerun()
    else:
        st.info("Velg kommunen som har søkt.")

# --- conversation brief -----------------------------------------------------------------------------------
with brief_tab:
    if not applications:
        st.info("Registrer en søknad først; samtaleunderlaget lages fra søknaden og statistikken.")
    else:
        chosen = st.selectbox("Samtaleunderlag for", list(by_id), format_func=application_label, key="brief_choice")
        application = by_id[chosen]
        code = application["municipality_code"]
        conversation = cached_call(brief.build_brief, application, store.list_plan_entries(code),
                                   store.list_milestones(code), today)
        st.download_button(
            "Last ned samtaleunderlag (.docx)", brief.brief_docx(conversation),
            file_name=f"samtaleunderlag_{code}_{conversation.name.split(' - ')[-1].replace(' ', '_')}.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="brief_docx",
        )
        st.header(conversation.title)
        for section in brief.brief_sections(conversation):
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
                election_year = calendar.election_year_of_term(today)
                legal = calendar.calendar_frame(calendar.legal_calendar(election_year, election_year + 4))
                st.plotly_chart(timeline.timeline_figure(
                    legal, store.list_milestones(code), None, query("indicator_series", "population", [code]),
                    place=names.get(code, code), first_year=election_year, last_year=election_year + 4, today=today,
                    adoptions=timeline.adoption_points([f.as_row() for f in conversation.plan.facts])),
                    key="brief_timeline", config={"displaylogo": False})

# --- backup ----------------------------------------------------------------------------------------------
with backup_tab:
    st.markdown("Sikkerhetskopi av **alle** brukerdata (søknader, planstatus, framdriftsplaner og endringslogg) "
                "som JSON. Statistikken lagres ikke her; den lastes fra SSB-øyeblikksbildet.")
    st.download_button("Last ned sikkerhetskopi (JSON)", store.export_json().encode("utf-8"),
                       file_name=f"nokkeltall-brukerdata-{today.isoformat()}.json", mime="application/json",
                       key="backup_download")
    if can_edit:
        with st.form("restore_form"):
            upload = st.file_uploader("Gjenopprett fra sikkerhetskopi", type=["json"], key="backup_upload")
            confirm = st.checkbox("Jeg forstår at alle brukerdata erstattes med innholdet i filen.", key="restore_ok")
            who = name_input("restore_name")
            restore = st.form_submit_button("Gjenopprett")
        if restore:
            if upload is None or not confirm:
                st.error("Velg en fil og kryss av for at alle data skal erstattes. Ingenting er endret.")
            else:
                try:
                    counts = store.import_json(upload.getvalue(), restored_by=who)
                except ValidationError as error:
                    show_errors(error.errors, LABELS)
                except ValueError:
                    st.error("Filen kan ikke leses som JSON. Ingenting er endret.")
                else:
                    remember_name(who)
                    st.session_state["_applications_flash"] = (
                        f"Gjenopprettet: {counts['applications']} søknader, {counts['plan_status_entries']} "
                        f"planstatuser, {counts['milestones']} milepæler.")
                    st.rerun()
    changes = store.list_changes()
    if changes:
        st.markdown("**Siste endringer**")
        st.dataframe(pd.DataFrame([{
            "Tidspunkt (UTC)": c["changed_at"].replace("T", " ")[:19], "Av": c["changed_by"],
            "Tabell": {"applications": "søknad", "milestones": "milepæl",
                       "plan_status_entries": "planstatus"}.get(c["table_name"], c["table_name"]),
            "Rad": c["row_id"], "Handling": c["action"],
        } for c in reversed(changes[-50:])]), hide_index=True, width="stretch")
