"""Plan status collected from the municipalities' public pages (CSV)."""

from __future__ import annotations

import pandas as pd

from nokkeltall.datasets import Dataset
from nokkeltall.sources import Layout, SourceFile
from nokkeltall.sources.readers import About, header_is, read_csv, region_code

PLAN_COLUMNS = [
    "kommunenummer",
    "kommunenavn",
    "plantype",
    "periode",
    "vedtatt",
    "status",
    "kilde_url",
    "kilde_tittel",
    "hentet_fra",
    "merknad",
]
PLAN_TYPES = {"samfunnsdel", "planstrategi", "arealdel", "planprogram"}
PLAN_STATUSES = {"vedtatt", "under_arbeid", "på_høring", "ukjent"}


PLAN_STATUS = About(
    "PLANSTATUS",
    "Status for kommuneplaner (samfunnsdel, planstrategi, arealdel, planprogram) fra kommunenes nettsider",
    publisher="Kommunenes nettsider (innsamlet)",
    licence="Ukjent (offentlige nettsider)",
    caveat="Samlet inn 2026-11-26 fra lagrede kopier av offentlige nettsider (ca. 2013 til "
    "tidlig 2026), "
    "36 små kommuner i Nordland og Trøndelag. Status gjelder datoen siden ble lagret: «på høring» "
    "eller «under arbeid» kan være vedtatt senere. Mangler betyr ikke at planen ikke er vedtatt.",
)


def parse_plan_status(source: SourceFile) -> list[Dataset]:
    """Collected plan status CSV → plan_status_sources (empty cells → <NA>). Plan types and
    statuses outside the documented vocabulary fail clearly."""
    frame = read_csv(source)
    bad_types = sorted(set(frame["plantype"]) - PLAN_TYPES)
    bad_status = sorted(set(frame["status"]) - PLAN_STATUSES)
    if bad_types or bad_status:
        raise ValueError(f"planstatus: ukjent plantype {bad_types} eller status {bad_status}")
    codes = [region_code(code) for code in frame["kommunenummer"]]
    if any(code is None for code in codes):
        raise ValueError("planstatus: ugyldig kommunenummer")

    def text(column: str) -> pd.Series:
        return frame[column].str.strip().replace({"": None})

    plans = pd.DataFrame(
        {
            "municipality_code": codes,
            "plan_type": frame["plantype"],
            "period": text("periode"),
            "adopted": text("vedtatt"),
            "status": frame["status"],
            "source_url": text("kilde_url").where(
                text("kilde_url").str.match(r"https?://", na=False)
            ),  # a link only
            "source_title": text("kilde_tittel"),
            "note": text("merknad"),
        }
    )
    return [PLAN_STATUS.dataset(source, "plan_status_sources", "plan_status_sources", plans)]


LAYOUTS: list[Layout] = [
    Layout("Planstatus innsamlet (CSV)", lambda s: header_is(s, PLAN_COLUMNS), parse_plan_status),
]
