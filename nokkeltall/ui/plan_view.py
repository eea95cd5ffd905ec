"""The sections of the «Plan» page: plan status, the plan timeline and the own progress plan.

pages/plan.py reads like a table of contents (title, pick, one call per section); the section
bodies are here. The logic (status, calendar, timeline, validation) lives in ``nokkeltall.plan``,
``nokkeltall.brief`` and ``nokkeltall.store``, free of Streamlit.

Speed: what is worked out from the municipality's saved entries (the status summary, its table, the
timeline figure, the editor's frame) is kept with ``st.cache_resource`` keyed on the entries' text,
so a warm rerun only reads the user store and draws; the status form is drawn only while its
expander is open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pyarrow as pa
import streamlit as st

from nokkeltall import text
from nokkeltall.plan import calendar, network, status, timeline
from nokkeltall.plan import summary as plan_summary
from nokkeltall.store import ConflictError, NotFoundError, UserStore, ValidationError
from nokkeltall.store.validation import MILESTONE_STATUSES, PLAN_ENTRY_STATUSES, PLAN_ENTRY_TYPES
from nokkeltall.ui.data import DataUnavailable, cached_call, fingerprint, query
from nokkeltall.ui.store import name_input, remember_name, show_errors, user_store
from nokkeltall.ui.widgets import figure_block, safe_text

_log = logging.getLogger(__name__)

FIRST_YEAR, LAST_YEAR = 2019, 2028
PLAN_LABELS = {
    "plan_type": "Plantype",
    "status": "Status",
    "adopted": "Vedtatt (år eller dato)",
    "period": "Planperiode",
    "source": "Kilde",
    "note": "Merknad",
    "municipality_code": "Kommune",
    "changed_by": "Ditt navn",
}
MILESTONE_LABELS = {
    "plan_type": "Plan",
    "title": "Milepæl",
    "start_date": "Fra",
    "end_date": "Til",
    "status": "Status",
    "note": "Merknad",
    "municipality_code": "Kommune",
    "changed_by": "Ditt navn",
}
MILESTONE_COLUMNS = ["id", "plan_type", "title", "start_date", "end_date", "status", "note"]
STRATEGY_BOX = {status.ADOPTED: st.success, status.NOT_DUE: st.info, status.OVERDUE: st.warning}
STRATEGY_LABELS = {status.ADOPTED: "Vedtatt", status.NOT_DUE: "Ikke forfalt", status.OVERDUE: "Forfalt"}
FLASH_KEY = "_plan_flash"
STATUS_FORM_OPEN = "plan_entry_open"  # the «Registrer eller rett planstatus» expander (open = form drawn)
TIMELINE_SOURCE = (
    "Kilde: plan- og bygningsloven §§ 10-1, 11-13, 11-14; kommuneloven §§ 7-1, 14-4; valgloven; "
    "Nordland fylkeskommunes veileder (anbefaling). Folketall: Statistisk sentralbyrå, tabell 07459. "
    "Framdriftsplan: registrert av kommunen i appen."
)
TIMELINE_NOTE = (
    "Fylte ruter er lovkrav, åpne ruter forventede datoer, stjerner veiledning. Hold pekeren over et "
    "punkt for hjemmel og forklaring. Åpne sirkler i folketallet er omregnet til dagens kommunegrenser."
)


@dataclass
class PlanPage:
    """What every section of the page reads: the municipality, the user store and its saved rows."""

    code: str
    info: dict
    store: UserStore
    entries: list[dict]
    milestones: list[dict]
    today: date
    build: str

    @property
    def status_key(self) -> tuple:
        """What the status summary depends on, as one hashable value (one cache argument is cheaper
        to look up than several: Streamlit inspects the function's signature for each)."""
        return self.code, repr(self.entries), self.today, self.build


def load(code: str) -> PlanPage:
    """The municipality and its saved plan entries and milestones; stops the page with a message
    when the statistics cannot be read."""
    try:
        info = query("municipality", code)
    except DataUnavailable as error:
        st.error(str(error))
        st.stop()
    store = user_store()
    return PlanPage(
        code,
        info,
        store,
        store.list_plan_entries(code),
        store.list_milestones(code),
        date.today(),
        fingerprint(),
    )


# --- cached work (keyed on the text of the saved rows; the rows themselves are not hashed) ----------------


@st.cache_resource(show_spinner=False, max_entries=256)
def _status_summary(key: tuple, _entries: list[dict]):
    """The plan status summary and its table, shared between reruns and sessions (about 8 ms to work
    out); ``key`` is ``PlanPage.status_key``: a new entry or a rebuilt database gives a new one."""
    code, _, today, _ = key
    collected = cached_call(status.collected_rows, code)
    summary = plan_summary.plan_status_summary(collected, _entries, today, code=code)
    rows = plan_summary.plan_status_rows(summary)
    rows["Planperiode"] = rows["Planperiode"].map(text.period)
    # as an Arrow table: st.dataframe then skips the pandas conversion on every rerun
    return summary, pa.Table.from_pandas(rows, preserve_index=False)


def status_summary(page: PlanPage):
    return _status_summary(page.status_key, page.entries)[0]


@st.cache_resource(show_spinner=False, max_entries=256)
def _timeline_view(key: tuple, _milestones: list[dict], _entries: list[dict]):
    """The timeline figure and its table, built once per distinct input (about 40 ms to build);
    ``key`` is (status key, milestones' text, network shown, place name)."""
    status_key, _, show_network, place = key
    code, _, today, _ = status_key
    population = query("indicator_series", "population", [code])
    summary = _status_summary(status_key, _entries)[0]
    adoptions = timeline.adoption_points([fact.as_row() for fact in summary.facts])
    legal = calendar.calendar_frame(calendar.legal_calendar(FIRST_YEAR, LAST_YEAR))
    network_events = calendar.calendar_frame(network.network_calendar()) if show_network else None
    figure = timeline.timeline_figure(
        legal,
        _milestones,
        network_events,
        population,
        place=place,
        adoptions=adoptions,
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        today=today,
    )
    return figure, timeline.timeline_table(legal, _milestones, network_events)


def milestone_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MILESTONE_COLUMNS) if rows else pd.DataFrame(columns=MILESTONE_COLUMNS)
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column], errors="coerce")
    frame["id"] = frame["id"].astype("Int64")
    return frame


@st.cache_resource(show_spinner=False, max_entries=256)
def _milestone_table(rows_key: str, _rows: list[dict]) -> pd.DataFrame:
    """``milestone_table`` kept per distinct rows; callers must not change it (st.data_editor copies)."""
    return milestone_table(_rows)


@st.cache_resource(show_spinner=False)
def _column_config() -> dict:
    """The editor's column settings: the same every rerun, so made once."""
    return {
        "plan_type": st.column_config.SelectboxColumn(
            MILESTONE_LABELS["plan_type"],
            options=["planstrategi", "samfunnsdel"],
            required=True,
            default="planstrategi",
        ),
        "title": st.column_config.TextColumn(MILESTONE_LABELS["title"], required=True, max_chars=200),
        "start_date": st.column_config.DateColumn(
            MILESTONE_LABELS["start_date"], format="DD.MM.YYYY", required=True
        ),
        "end_date": st.column_config.DateColumn(MILESTONE_LABELS["end_date"], format="DD.MM.YYYY"),
        "status": st.column_config.SelectboxColumn(
            MILESTONE_LABELS["status"], options=list(MILESTONE_STATUSES), default="planlagt", required=True
        ),
        "note": st.column_config.TextColumn(MILESTONE_LABELS["note"], max_chars=500),
    }


# --- sections ---------------------------------------------------------------------------------------


def heading(page: PlanPage) -> None:
    """The municipality's name, a note outside the network's counties, and the last save's message."""
    st.header(page.info["official_name"])
    if network.county_of(page.code) is None:
        st.caption(
            f"{safe_text(page.info['county_name'])} er ikke med i læringsnettverket, men plankalenderen "
            "gjelder alle kommuner."
        )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon="✅")


def status_section(page: PlanPage, can_edit: bool) -> None:
    """«Planstatus»: samfunnsdel, arealdel and planstrategi with sources, and the form to register one."""
    summary, rows = _status_summary(page.status_key, page.entries)
    st.subheader("Planstatus")
    facts = {fact.plan_type: fact for fact in summary.facts}
    columns = st.columns(3)
    for column, plan_type in zip(columns, ("samfunnsdel", "arealdel"), strict=False):
        fact = facts[plan_type]
        age = "" if fact.age_years is None else f"{fact.age_years} år gammel"
        column.metric(
            f"Kommuneplanens {plan_type}",
            fact.adopted_text if fact.adopted else fact.status_label,
            help=f"Kilde: {safe_text(fact.source_text, 300)}",
        )
        column.caption(
            " · ".join(filter(None, [fact.status_label if fact.adopted else "", age]))
            or "Vedtak ikke registrert"
        )
    strategy = summary.planstrategi
    columns[2].metric(
        f"Planstrategi {strategy.term}",
        STRATEGY_LABELS[strategy.status],
        help=f"Frist {text.long_date(strategy.deadline)} ({strategy.legal_reference})",
    )
    columns[2].caption(f"Frist {text.long_date(strategy.deadline)}, pbl § 10-1")
    STRATEGY_BOX[strategy.status](f"{strategy.message} Status per {text.long_date(page.today)}.")

    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"Lenke": st.column_config.LinkColumn("Lenke", display_text="Åpne kilde")},
    )
    st.caption(
        "Planstatus fra offentlige kilder (kommunenes nettsider) eller registrert i appen (kilde, hvem og "
        "når). Et manglende vedtak betyr at det ikke er funnet, ikke nødvendigvis at planen ikke er vedtatt."
    )

    # The form and the list are drawn only while the expander is open (opening it reruns the page).
    expander = st.expander(
        "Registrer eller rett planstatus", expanded=False, key=STATUS_FORM_OPEN, on_change="rerun"
    )
    with expander:
        if expander.open:
            _status_form(page, can_edit)


def _status_form(page: PlanPage, can_edit: bool) -> None:
    if not can_edit:
        st.info("Du kan lese, men trenger redaktørpassordet (i sidepanelet) for å registrere.", icon="🔒")
    else:
        with st.form("plan_entry_form", clear_on_submit=False):
            left, right = st.columns(2)
            plan_type = left.selectbox(
                PLAN_LABELS["plan_type"],
                PLAN_ENTRY_TYPES,
                key="plan_entry_type",
                format_func=lambda p: timeline.PLAN_TYPE_LABELS.get(p, p),
            )
            entry_status = right.selectbox(
                PLAN_LABELS["status"],
                PLAN_ENTRY_STATUSES,
                key="plan_entry_status",
                format_func=lambda s: status.STATUS_LABELS.get(s, s),
            )
            adopted = left.text_input(
                PLAN_LABELS["adopted"],
                key="plan_entry_adopted",
                placeholder="2024-03-20",
                help="Årstall (ÅÅÅÅ), måned (ÅÅÅÅ-MM) eller dato (ÅÅÅÅ-MM-DD).",
            )
            period = right.text_input(PLAN_LABELS["period"], key="plan_entry_period", placeholder="2024–2036")
            source = st.text_input(
                PLAN_LABELS["source"],
                key="plan_entry_source",
                placeholder="Saksnummer, møteprotokoll eller lenke",
            )
            note = st.text_area(PLAN_LABELS["note"], key="plan_entry_note", height=68)
            who = name_input("plan_entry_name")
            submitted = st.form_submit_button("Lagre planstatus", type="primary")
        if submitted:
            try:
                page.store.add_plan_entry(
                    {
                        "municipality_code": page.code,
                        "plan_type": plan_type,
                        "status": entry_status,
                        "adopted": adopted,
                        "period": period,
                        "source": source,
                        "note": note,
                    },
                    changed_by=who,
                )
            except ValidationError as error:
                show_errors(error.errors, PLAN_LABELS)
            else:
                remember_name(who)
                st.session_state[FLASH_KEY] = "Planstatus er lagret."
                st.rerun()
    if page.entries:
        st.markdown("**Registrert i appen**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Plan": timeline.PLAN_TYPE_LABELS.get(e["plan_type"], e["plan_type"]),
                        "Status": status.STATUS_LABELS.get(e["status"], e["status"]),
                        "Vedtatt": e["adopted"],
                        "Planperiode": e["period"],
                        "Kilde": e["source"],
                        "Merknad": e["note"],
                        "Registrert av": e["entered_by"],
                        "Registrert": text.local_time(e["entered_at"]),
                    }
                    for e in page.entries
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def timeline_section(page: PlanPage) -> None:
    """«Plantidslinje»: legal deadlines, elections, adoptions, own milestones and the population."""
    st.subheader(f"Plantidslinje {FIRST_YEAR}–{LAST_YEAR}")
    show_network = st.toggle(
        "Vis læringsnettverkets kalender (søknadsfrist og prosjektperiode)", key="plan_show_network"
    )
    figure, rows = _timeline_view(
        (page.status_key, repr(page.milestones), show_network, page.info["name"]),
        page.milestones,
        page.entries,
    )
    figure_block(
        figure,
        rows,
        source=TIMELINE_SOURCE,
        filename=f"plantidslinje_{page.code}",
        key="plan_timeline",
        note=TIMELINE_NOTE,
    )


def progress_plan_editor(page: PlanPage, can_edit: bool) -> None:
    """«Kommunens framdriftsplan»: the milestones in an editable table (all rows saved or none)."""
    st.subheader("Kommunens framdriftsplan")
    st.caption(
        "Milepæler for planstrategi og samfunnsdel. De vises i tidslinjen over, ved siden av de "
        "lovbestemte fristene."
    )
    if not can_edit:
        if not page.milestones:
            st.info("Ingen framdriftsplan er registrert for kommunen.")
        else:
            table = _milestone_table(repr(page.milestones), page.milestones)
            st.dataframe(
                table.drop(columns=["id"]).rename(columns=MILESTONE_LABELS), hide_index=True, width="stretch"
            )
        return
    code, store = page.code, page.store
    version = st.session_state.setdefault("_milestone_version", 0)
    # The editor keeps the rows it was opened with (its edits are positions in them); saving sends
    # their versions, so rows others added meanwhile are kept and a row others changed is a conflict.
    opened = st.session_state.setdefault(f"_milestones_opened_{code}_{version}", page.milestones)
    with st.form("milestone_form"):
        edited = st.data_editor(
            _milestone_table(repr(opened), opened),
            key=f"milestones_{code}_{version}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_order=MILESTONE_COLUMNS[1:],
            column_config=_column_config(),
        )
        who = name_input("milestone_name")
        saved = st.form_submit_button("Lagre framdriftsplan", type="primary")
    if saved:
        rows = [
            {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
            for row in edited.to_dict("records")
        ]
        try:
            store.save_milestones(code, rows, changed_by=who, loaded={m["id"]: m["version"] for m in opened})
        except ValidationError as error:
            show_errors(error.errors, MILESTONE_LABELS)
        except (ConflictError, NotFoundError) as error:
            _log.warning("milestones for %s not saved: %s", code, error.message)
            st.error(error.message)
            st.session_state["_milestone_version"] = version + 1  # the editor reopens with the stored rows
        else:
            remember_name(who)
            st.session_state["_milestone_version"] = version + 1
            st.session_state[FLASH_KEY] = "Framdriftsplanen er lagret."
            st.rerun()
    st.caption(
        "Legg til en rad nederst i tabellen, endre i cellene, eller merk rader og slett dem. "
        "Ingenting lagres før du trykker «Lagre framdriftsplan»; da lagres alle rader eller ingen."
    )
