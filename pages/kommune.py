"""Kommune: one municipality's profile — header, then Befolkning, Framskriving, Arbeid og pendling,
Økonomi, Plan."""

import streamlit as st

from nokkeltall import indicators, text
from nokkeltall.charts import commuting as commuting_charts
from nokkeltall.charts import indicator as indicator_charts
from nokkeltall.charts import population as population_charts
from nokkeltall.profile import municipality as municipality_profile
from nokkeltall.ui import projection_view
from nokkeltall.ui.data import DataUnavailable, cached_call, shared_call
from nokkeltall.ui.frame import ensure_app_navigation
from nokkeltall.ui.report import report_downloads
from nokkeltall.ui.widgets import chart_block, municipality_picker

ensure_app_navigation()

SECTIONS = ["Befolkning", "Framskriving", "Arbeid og pendling", "Økonomi", "Plan"]


def show_chart(builder, *args, key: str, missing: str) -> None:
    """Draw a cached chart, or say plainly that the database has no figures for it."""
    chart = shared_call(builder, *args)
    if chart is None:
        st.info(missing)
    else:
        chart_block(chart, key)


code = municipality_picker("Kommune", sidebar=False)
if code is None:
    if not st.query_params.get("kommune"):
        st.title("Kommune")
        st.info("Velg en kommune i listen for å se nøkkeltallene for den.")
    st.stop()

try:
    head = cached_call(municipality_profile.header, code)
except DataUnavailable as error:
    st.error(str(error))
    st.stop()
if head is None or not head["has_data"]:
    name = head["display_name"] if head else code
    st.warning(f"Databasen har ingen befolkningstall for {name}. Velg en annen kommune i listen.", icon="⚠️")
    st.stop()

name = head["name"]
st.title(head["display_name"])
st.caption(" · ".join(municipality_profile.header_facts(head)))
st.page_link(
    "pages/sammenlign.py",
    label=f"Sammenlign {name} med kommunene som ligner mest",
    query_params={"kommune": code},
)

population_col, change_col, robek_col = st.columns(3)
population_col.metric(f"Folketall {text.population_date(head['year'])}", text.number(head["population"]))
if head["change"] is not None:
    arrow, colour = municipality_profile.change_arrow(head["change_pct"])
    change_col.metric(
        f"Endring siden {head['start_year']}",
        f"{text.number(head['change'], sign=True)} innb.",
        delta=text.percent(head["change_pct"], 1, sign=True),
        delta_arrow=arrow,
        delta_color=colour,
    )
robek = head["robek"]
robek_col.metric(
    "ROBEK",
    f"Ja ({robek['value']})" if robek else "Nei",
    help="Register om betinget godkjenning og kontroll (KDD). Kommuner i registeret må få "
    "låneopptak og langsiktige leieavtaler godkjent av staten.",
)
if robek:
    st.warning(municipality_profile.robek_sentence(head), icon="⚠️")

tabs = st.tabs(SECTIONS, key="del", bind="query-params", on_change="rerun")

with tabs[0]:
    if tabs[0].open:
        left, right = st.columns(2)
        with left:
            show_chart(
                population_charts.population_chart,
                code,
                key="folketall",
                missing=f"Ingen folketall for {name}.",
            )
        with right:
            show_chart(
                population_charts.age_chart, code, key="alder", missing=f"Ingen aldersfordeling for {name}."
            )
        left, right = st.columns(2)
        with left:
            show_chart(
                population_charts.age_shares_chart,
                code,
                key="andeler",
                missing=f"Ingen aldersandeler for {name}.",
            )
        with right:
            show_chart(
                indicator_charts.indicator_chart,
                "women_per_100_men_20_39",
                code,
                key="kjonnsbalanse",
                missing=f"Ingen tall for kjønnsbalanse i {name}.",
            )
        left, right = st.columns(2)
        for column, indicator_id in ((left, "natural_increase"), (right, "net_migration")):
            with column:
                show_chart(
                    indicator_charts.indicator_chart,
                    indicator_id,
                    code,
                    key=indicator_id,
                    missing=f"Databasen har ikke {indicators.get(indicator_id).label.lower()} for {name} "
                    "(finnes bare for kommunene i Nordland og Trøndelag).",
                )

with tabs[1]:
    if tabs[1].open:
        projection_view.render(code, name)

with tabs[2]:
    if tabs[2].open:
        left, right = st.columns(2)
        with left:
            show_chart(
                indicator_charts.indicator_chart,
                "employment_rate_15_74_pct",
                code,
                key="sysselsetting",
                missing=f"Ingen sysselsettingstall for {name}.",
            )
        with right:
            show_chart(
                indicator_charts.indicator_chart,
                "job_coverage_pct",
                code,
                key="arbeidsplassdekning",
                missing=f"Ingen tall for arbeidsplassdekning i {name}.",
            )
        left, right = st.columns(2)
        with left:
            show_chart(
                indicator_charts.indicator_chart,
                "out_commuting_pct",
                code,
                key="utpendling",
                missing=f"Ingen pendlingstall for {name}.",
            )
        with right:
            show_chart(
                commuting_charts.commuting_chart,
                code,
                "out",
                key="pendling_ut",
                missing=f"Ingen pendlerstrømmer for {name}.",
            )
        left, right = st.columns(2)
        with left:
            show_chart(
                commuting_charts.commuting_chart,
                code,
                "in",
                key="pendling_inn",
                missing=f"Ingen pendlerstrømmer for {name}.",
            )
        st.caption(
            "Sysselsettings- og pendlingstallene (SSB 11618 og 03321) går til og med 2022 i databasen."
        )

with tabs[3]:
    if tabs[3].open:
        economy = cached_call(municipality_profile.economy_table, code)
        coverage = cached_call(municipality_profile.kostra_coverage, code)
        st.markdown(f"**Økonomi i {name}: siste tall**")
        shown = economy.drop(columns=["id", "value", "Kilde"])
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            column_config={"År": st.column_config.NumberColumn(format="%d")},
        )
        st.caption(
            "Fylke og hele landet er summer over alle kommunene (bare der alle kommunene har tallet). "
            + " ".join(dict.fromkeys(economy["Kilde"]))
        )
        facts = []
        if robek:
            grounds = (
                head["robek_grounds"]["value"].replace(".;", ";") if head["robek_grounds"] else robek["value"]
            )
            facts.append(
                f"**ROBEK:** står i registeret per {head['robek_date'] or robek['as_of']}. "
                f"Grunnlag: {grounds}"
            )
        else:
            facts.append(
                f"**ROBEK:** står ikke i registeret (per {head['robek_date'] or 'siste oppdatering'})."
            )
        if head["kostra_group"]:
            facts.append(
                f"**KOSTRA-gruppe:** {head['kostra_group']['value']} (gruppering per 2020, overført til "
                "dagens kommunenumre)."
            )
        st.markdown("  \n".join(facts))
        kostra_years = municipality_profile.year_list(coverage["years"])
        st.info(
            f"KOSTRA-tallene i databasen dekker {coverage['municipalities']} kommuner "
            "(Nordland og Trøndelag), "
            f"årene {coverage['year_min']}–{coverage['year_max']}; for {name}: {kostra_years}. "
            + " ".join(coverage["caveats"][:1]),  # plain wording (provenance.plain_caveat)
            icon="ℹ️",
        )
        left, right = st.columns(2)
        for index, indicator_id in enumerate(
            [
                "net_operating_result_pct",
                "net_debt_per_capita_nok",
                "revenues_per_capita_nok",
                "investments_per_capita_nok",
                "cost_need_index",
            ]
        ):
            with left if index % 2 == 0 else right:
                show_chart(
                    indicator_charts.indicator_chart,
                    indicator_id,
                    code,
                    key=indicator_id,
                    missing=f"Databasen har ikke {indicators.get(indicator_id).label.lower()} for {name}.",
                )

with tabs[4]:
    if tabs[4].open:
        plans = cached_call(municipality_profile.plan_sources, code)
        if plans.empty:
            st.info(
                f"Det er ikke samlet inn plandokumenter for {name} ennå. På plansiden kan kommunen selv føre "
                "inn status for planstrategi, samfunnsdel og arealdel."
            )
        else:
            st.markdown(f"**Innsamlet planstatus for {name}** (fra kommunens nettsider)")
            st.dataframe(
                plans[["Plan", "Status", "Periode", "Vedtatt", "source_url", "note"]].rename(
                    columns={"source_url": "Kilde", "note": "Merknad"}
                ),
                hide_index=True,
                width="stretch",
                column_config={"Kilde": st.column_config.LinkColumn(display_text="nettside")},
            )
            caveat = cached_call(municipality_profile.dataset_caveat, "plan_status_sources")
            if caveat:
                st.caption(caveat)
        st.page_link("pages/plan.py", label=f"Gå til plansiden for {name}", query_params={"kommune": code})

st.divider()
report_downloads(code)
