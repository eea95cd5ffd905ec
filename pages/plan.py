"""Plan: the legal planning calendar, the municipality's plan status and its own progress plan."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from nokkeltall import brief, text
from nokkeltall.plan import calendar, network, status, timeline
from nokkeltall.store import ConflictError, NotFoundError, ValidationError
from nokkeltall.store.validation import MILESTONE_STATUSES, PLAN_ENTRY_STATUSES, PLAN_ENTRY_TYPES
from nokkeltall.ui.data import DataUnavailable, cached_call, fingerprint, query
from nokkeltall.ui.store import editor_gate, name_input, remember_name, show_errors, user_store
from nokkeltall.ui.widgets import figure_block, municipality_picker, safe_text
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

FIRST_YEAR, LAST_YEAR = 2019, 2028
PLAN_LABELS = {"plan_type": "Plantype", "status": "Status", "adopted": "Vedtatt (år eller dato)",
               "period": "Planperiode", "source": "Kilde", "note": "Merknad",
               "municipality_code": "Kommune", "changed_by": "Ditt navn"}
MILESTONE_LABELS = {"plan_type": "Plan", "title": "Milepæl", "start_date": "Fra", "end_date": "Til",
                    "status": "Status", "note": "Merknad", "municipality_code": "Kommune",
                    "changed_by": "Ditt navn"}
MILESTONE_COLUMNS = ["id", "plan_type", "title", "start_date", "end_date", "status", "note"]
STRATEGY_BOX = {status.ADOPTED: st.success, status.NOT_DUE: st.info, status.OVERDUE: st.warning}

st.title("Plan")
st.caption("Hvor kommunen står i plansyklusen: lovbestemte frister, planstatus med kilde, og kommunens egen "
           "framdriftsplan for planstrategi og samfunnsdel.")

code = municipality_picker()
if not code:
    st.info("Velg en kommune i sidepanelet for å se plankalender og planstatus.")
    st.stop()

can_edit = editor_gate()
try:
    info = query("municipality", code)
except DataUnavailable as error:
    st.error(str(error))
    st.stop()

store = user_store()
today = date.today()
entries = store.list_plan_entries(code)
milestones = store.list_milestones(code)


@st.cache_resource(show_spinner=False, max_entries=256)
def status_summary(code: str, entries: list[dict], today: date, build: str):
    """The plan status summary, shared between reruns (about 8 ms to work out); keyed on the entries
    saved in the app and the statistics build, so a new entry or a rebuilt database gives a new one."""
    return brief.plan_status_summary(cached_call(brief.seed_plan_status, code), entries, today, code=code)


summary = status_summary(code, entries, today, fingerprint())
st.header(info["official_name"])
if network.county_of(code) is None:
    st.caption(f"{safe_text(info['county_name'])} er ikke med i læringsnettverket, men plankalenderen gjelder alle kommuner.")

flash = st.session_state.pop("_plan_flash", None)
if flash:
    st.success(flash, icon="✅")

# --- plan status ------------------------------------------------------------------------------------
st.subheader("Planstatus")
facts = {fact.plan_type: fact for fact in summary.facts}
columns = st.columns(3)
for column, plan_type in zip(columns, ("samfunnsdel", "arealdel")):
    fact = facts[plan_type]
    age = "" if fact.age_years is None else f"{fact.age_years} år gammel"
    column.metric(f"Kommuneplanens {plan_type}", fact.adopted_text if fact.adopted else fact.status_label,
                  help=f"Kilde: {safe_text(fact.source_text, 300)}")
    column.caption(" · ".join(filter(None, [fact.status_label if fact.adopted else "", age])) or "Vedtak ikke registrert")
strategy = summary.planstrategi
columns[2].metric(f"Planstrategi {strategy.term}",
                  {status.ADOPTED: "Vedtatt", status.NOT_DUE: "Ikke forfalt", status.OVERDUE: "Forfalt"}[strategy.status],
                  help=f"Frist {text.long_date(strategy.deadline)} ({strategy.legal_reference})")
columns[2].caption(f"Frist {text.long_date(strategy.deadline)}, pbl § 10-1")
STRATEGY_BOX[strategy.status](f"{strategy.message} Status per {text.long_date(today)}.")

st.dataframe(
    brief.plan_status_rows(summary), hide_index=True, width="stretch",
    column_config={"Lenke": st.column_config.LinkColumn("Lenke", display_text="Åpne kilde")},
)
st.caption("Planstatus fra offentlige kilder (kommunenes nettsider) eller registrert i appen (kilde, hvem og når). "
           "Et manglende vedtak betyr at det ikke er funnet, ikke nødvendigvis at planen ikke er vedtatt.")

with st.expander("Registrer eller rett planstatus", expanded=False):
    if not can_edit:
        st.info("Du kan lese, men trenger redaktørpassordet (i sidepanelet) for å registrere.", icon="🔒")
    else:
        with st.form("plan_entry_form", clear_on_submit=False):
            left, right = st.columns(2)
            plan_type = left.selectbox(PLAN_LABELS["plan_type"], PLAN_ENTRY_TYPES, key="plan_entry_type",
                                       format_func=lambda p: timeline.PLAN_TYPE_LABELS.get(p, p))
            entry_status = right.selectbox(PLAN_LABELS["status"], PLAN_ENTRY_STATUSES, key="plan_entry_status",
                                           format_func=lambda s: status.STATUS_LABELS.get(s, s))
            adopted = left.text_input(PLAN_LABELS["adopted"], key="plan_entry_adopted", placeholder="2024-03-20",
                                      help="Årstall (ÅÅÅÅ), måned (ÅÅÅÅ-MM) eller dato (ÅÅÅÅ-MM-DD).")
            period = right.text_input(PLAN_LABELS["period"], key="plan_entry_period", placeholder="2024–2036")
            source = st.text_input(PLAN_LABELS["source"], key="plan_entry_source",
                                   placeholder="Saksnummer, møteprotokoll eller lenke")
            note = st.text_area(PLAN_LABELS["note"], key="plan_entry_note", height=68)
            who = name_input("plan_entry_name")
            submitted = st.form_submit_button("Lagre planstatus", type="primary")
        if submitted:
            try:
                store.add_plan_entry({"municipality_code": code, "plan_type": plan_type, "status": entry_status,
                                      "adopted": adopted, "period": period, "source": source, "note": note},
                                     changed_by=who)
            except ValidationError as error:
                show_errors(error.errors, PLAN_LABELS)
            else:
                remember_name(who)
                st.session_state["_plan_flash"] = "Planstatus er lagret."
                st.rerun()
    if entries:
        st.markdown("**Registrert i appen**")
        st.dataframe(pd.DataFrame([{
            "Plan": timeline.PLAN_TYPE_LABELS.get(e["plan_type"], e["plan_type"]),
            "Status": status.STATUS_LABELS.get(e["status"], e["status"]), "Vedtatt": e["adopted"],
            "Planperiode": e["period"], "Kilde": e["source"], "Merknad": e["note"],
            "Registrert av": e["entered_by"], "Registrert": e["entered_at"][:16].replace("T", " ") + " UTC",
        } for e in entries]), hide_index=True, width="stretch")

# --- the timeline -------------------------------------------------------------------------------------
st.subheader(f"Plantidslinje {FIRST_YEAR}–{LAST_YEAR}")
show_network = st.toggle("Vis læringsnettverkets kalender (søknadsfrist og prosjektperiode)", key="plan_show_network")


@st.cache_resource(show_spinner=False, max_entries=256)
def timeline_view(code: str, milestones: list[dict], entries: list[dict], show_network: bool, place: str,
                  today: date, build: str):
    """The timeline figure and its table, built once per distinct input (about 40 ms to build) and
    shared between reruns and sessions; a saved milestone or plan status changes the input."""
    population = query("indicator_series", "population", [code])
    adoptions = timeline.adoption_points([fact.as_row() for fact in status_summary(code, entries, today, build).facts])
    legal = calendar.calendar_frame(calendar.legal_calendar(FIRST_YEAR, LAST_YEAR))
    network_events = calendar.calendar_frame(network.network_calendar()) if show_network else None
    figure = timeline.timeline_figure(legal, milestones, network_events, population, place=place,
                                      adoptions=adoptions, first_year=FIRST_YEAR, last_year=LAST_YEAR, today=today)
    return figure, timeline.timeline_table(legal, milestones, network_events)


figure, timeline_rows = timeline_view(code, milestones, entries, show_network, info["name"], today, fingerprint())
figure_block(
    figure, timeline_rows,
    source="Kilde: plan- og bygningsloven §§ 10-1, 11-13, 11-14; kommuneloven §§ 7-1, 14-4; valgloven; "
           "Nordland fylkeskommunes veileder (anbefaling). Folketall: Statistisk sentralbyrå, tabell 07459. "
           "Framdriftsplan: registrert av kommunen i appen.",
    filename=f"plantidslinje_{code}", key="plan_timeline",
    note="Fylte ruter er lovkrav, åpne ruter forventede datoer, stjerner veiledning. Hold pekeren over et punkt "
         "for hjemmel og forklaring. Åpne sirkler i folketallet er omregnet til dagens kommunegrenser.",
)

# --- own progress plan ----------------------------------------------------------------------------------
st.subheader("Kommunens framdriftsplan")
st.caption("Milepæler for planstrategi og samfunnsdel. De vises i tidslinjen over, ved siden av de lovbestemte fristene.")


def milestone_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MILESTONE_COLUMNS) if rows else pd.DataFrame(columns=MILESTONE_COLUMNS)
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce")
    frame["id"] = frame["id"].astype("Int64")
    return frame


table = milestone_table(milestones)
if can_edit:
    version = st.session_state.setdefault("_milestone_version", 0)
    # The editor keeps the rows it was opened with (its edits are positions in them); saving sends
    # their versions, so rows others added meanwhile are kept and a row others changed is a conflict.
    opened = st.session_state.setdefault(f"_milestones_opened_{code}_{version}", milestones)
    with st.form("milestone_form"):
        edited = st.data_editor(
            milestone_table(opened), key=f"milestones_{code}_{version}", num_rows="dynamic", hide_index=True,
            width="stretch", column_order=MILESTONE_COLUMNS[1:],
            column_config={
                "plan_type": st.column_config.SelectboxColumn(
                    MILESTONE_LABELS["plan_type"], options=["planstrategi", "samfunnsdel"], required=True,
                    default="planstrategi"),
                "title": st.column_config.TextColumn(MILESTONE_LABELS["title"], required=True, max_chars=200),
                "start_date": st.column_config.DateColumn(MILESTONE_LABELS["start_date"], format="DD.MM.YYYY",
                                                          required=True),
                "end_date": st.column_config.DateColumn(MILESTONE_LABELS["end_date"], format="DD.MM.YYYY"),
                "status": st.column_config.SelectboxColumn(MILESTONE_LABELS["status"],
                                                           options=list(MILESTONE_STATUSES), default="planlagt",
                                                           required=True),
                "note": st.column_config.TextColumn(MILESTONE_LABELS["note"], max_chars=500),
            },
        )
        who = name_input("milestone_name")
        saved = st.form_submit_button("Lagre framdriftsplan", type="primary")
    if saved:
        rows = [{k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
                for row in edited.to_dict("records")]
        try:
            store.save_milestones(code, rows, changed_by=who, loaded={m["id"]: m["version"] for m in opened})
        except ValidationError as error:
            show_errors(error.errors, MILESTONE_LABELS)
        except (ConflictError, NotFoundError) as error:
            st.error(error.message)
            st.session_state["_milestone_version"] = version + 1  # the editor reopens with the stored rows
        else:
            remember_name(who)
            st.session_state["_milestone_version"] = version + 1
            st.session_state["_plan_flash"] = "Framdriftsplanen er lagret."
            st.rerun()
    st.caption("Legg til en rad nederst i tabellen, endre i cellene, eller merk rader og slett dem. "
               "Ingenting lagres før du trykker «Lagre framdriftsplan»; da lagres alle rader eller ingen.")
elif table.empty:
    st.info("Ingen framdriftsplan er registrert for kommunen.")
else:
    st.dataframe(table.drop(columns=["id"]).rename(columns=MILESTONE_LABELS), hide_index=True,
                 width="stretch")
