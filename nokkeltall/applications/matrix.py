"""The county overview as a matrix: one row per applicant with the four answers, eligibility, the check
results, a few key indicators, status and the adviser's assessment side by side; and its Excel file.

``county_matrix(con, applications, entries, milestones, as_of)`` computes the checks through
``checks.gather`` (the same path as the brief). Numbers stay numbers (sortable); text columns carry
the Norwegian labels.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd

from nokkeltall import indicators, provenance, spreadsheet, text
from nokkeltall.applications import answers, checks
from nokkeltall.plan import network, status, summary

# a few key indicators side by side (all among checks.KEY_FIGURES, read once for every applicant)
INDICATORS = ("population", "population_change_10y_pct", "share_67_plus_pct", "out_commuting_pct")
CHECK_COLUMNS = {
    "samfunnsdel": "Sjekk: samfunnsdel",
    "planstrategi": "Sjekk: planstrategi",
    "hearing": "Sjekk: høring",
    "fact_base": "Sjekk: kunnskapsgrunnlag",
    "staff": "Sjekk: ressurser",
    "eligibility": "Sjekk: kan delta",
}
STATUS_ORDER = list(network.APPLICATION_STATUSES)


def _indicator_columns(latest: dict[str, dict]) -> dict[str, dict[str, float | None]]:
    """The matrix's indicator columns (rounded to one decimal, numbers so they sort) per municipality."""
    return {
        code: {
            indicators.get(i).label: (None if text.is_missing(row.get(i)) else round(float(row[i]), 1))
            for i in INDICATORS
        }
        for code, row in latest.items()
    }


def county_matrix(
    con,
    applications: list[dict],
    entries: dict[str, list[dict]],
    milestones: dict[str, list[dict]],
    names: dict[str, str],
    as_of: date,
) -> pd.DataFrame:
    """One row per application; ``entries``/``milestones`` map a municipality to its user data."""
    codes = list(dict.fromkeys(a["municipality_code"] for a in applications))
    latest = checks.latest_figures(con, codes)  # one query per indicator for every applicant
    figures = _indicator_columns(latest)
    source = provenance.indicator_source(con, "population").removeprefix("Kilde: ")
    collected = status.collected_rows(con, codes)  # one query, one pass for every applicant
    entered = [entry for code in codes for entry in entries.get(code, [])]
    plans = summary.plan_status_summaries(collected, entered, as_of, codes)
    rows = []
    for application in applications:
        code = application["municipality_code"]
        own = collected[collected["municipality_code"] == code]
        _, found = checks.gather(
            con,
            application,
            entries.get(code, []),
            milestones.get(code, []),
            applications,
            as_of,
            figures=latest[code],
            population_source=source,
            plan=(plans[code], own),
        )
        outcome = {c.key: c for c in found}
        eligible = outcome["eligibility"].outcome == checks.AGREES
        rows.append(
            {
                "id": application["id"],
                "Kommune": f"{code} {names.get(code, '')}".strip(),
                "Fylke": network.county_of(code) or text.MISSING,
                "Status": network.APPLICATION_STATUSES[application["status"]],
                "Vurdering": network.ASSESSMENTS.get(application.get("assessment") or "", "Ikke vurdert"),
                **answers.short_answers(application),
                "Kan delta": "Ja" if eligible else "Nei",
                **{label: outcome[key].outcome_label for key, label in CHECK_COLUMNS.items()},
                "Avvik (antall)": sum(c.outcome == checks.DIFFERS for c in found),
                **figures[code],
                "Rådgivers notat": application.get("adviser_note") or "",
                "Vurdert av": (
                    f"{application['assessed_by']}, {str(application.get('assessed_at'))[:10]}"
                    if application.get("assessed_by")
                    else ""
                ),
            }
        )
    return pd.DataFrame(rows)


def county_targets(applications: list[dict]) -> list[network.CountySelection]:
    """Per county: received, in conversation, selected, not selected against the 2–3 target."""
    return network.county_overview(applications)


def matrix_xlsx(matrix: pd.DataFrame, round_year: int, as_of: date) -> bytes:
    """The matrix as an Excel file: one sheet per county and a sheet saying what the columns mean."""
    buffer = io.BytesIO()
    deadline = text.long_date(network.application_deadline(round_year))
    low, high = network.TARGET_PER_COUNTY
    shown = matrix.drop(columns=["id"], errors="ignore")
    with spreadsheet.excel_writer(buffer) as writer:  # no cell can become a formula
        for county in network.COUNTIES.values():
            part = shown[shown["Fylke"] == county] if not shown.empty else shown
            spreadsheet.safe_cells(part).to_excel(writer, sheet_name=county, index=False)
            sheet = writer.sheets[county]
            sheet.set_column(0, max(len(shown.columns) - 1, 0), 18)
            sheet.freeze_panes(1, 1)
            sheet.autofilter(0, 0, max(len(part), 1), max(len(shown.columns) - 1, 0))
        notes = pd.DataFrame(
            {
                "Om tabellen": [
                    f"Søknadsrunde {round_year} (frist {deadline}). Laget {text.long_date(as_of)}.",
                    "Sjekkene holder søknadens svar mot innsamlet planstatus, plan- og bygningsloven "
                    "(§§ 10-1, 11-13, 11-14), de andre søkerne i runden og SSBs folketall; "
                    "se samtaleunderlaget for grunnlag og kilder.",
                    f"Målet er {low}–{high} kommuner per fylke.",
                    "Nøkkeltall: SSB (siste år i appens datagrunnlag). "
                    "Kilde: Statistisk sentralbyrå, CC BY 4.0.",
                ]
            }
        )
        notes.to_excel(writer, sheet_name="Om tabellen", index=False)
        writer.sheets["Om tabellen"].set_column(0, 0, 110)
    return buffer.getvalue()
