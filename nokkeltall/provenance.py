"""Where a figure comes from: the source line under every chart and table (table, publisher, date) and
the notes on recalculated values."""

from __future__ import annotations

import pandas as pd

from nokkeltall import queries, text

PUBLISHER_SSB = "Statistisk sentralbyrå"


def _table_label(table_id: str) -> str:
    table_id = str(table_id)
    if table_id.isdigit():
        return f"tabell {table_id}"
    if table_id.startswith("KOSTRA-") and table_id[7:].isdigit():
        return f"KOSTRA, tabell {table_id[7:]}"
    names = {
        "KDD-DKI": "Grønt hefte (kostnadsindeks)",
        "KDD-GRONTHEFTE": "Grønt hefte (frie inntekter)",
        "KDD-ROBEK": "ROBEK-registeret",
        "KLASS-128": "KLASS 128 (sentralitet)",
        "KLASS-131": "KLASS 131 (kommuneinndeling)",
        "KOSTRA-GRUPPER": "KOSTRA-grupper",
        "SSB-BA": "bo- og arbeidsmarkedsregioner",
        "PLANSTATUS": "kommunenes nettsider",
    }
    return names.get(table_id, table_id)


def source_text(sources: pd.DataFrame) -> str:
    """One source line from rows of the ``dataset`` table (table_id, publisher, updated, fetched).

    «Kilde: Statistisk sentralbyrå, tabell 07459 (hentet 26. november 2026)». The publication
    date is used when known («oppdatert …»), otherwise the date the file was fetched.
    """
    if sources is None or sources.empty:
        return f"Kilde: {PUBLISHER_SSB}"
    publishers = []
    for publisher in sources["publisher"].dropna():
        name = PUBLISHER_SSB if str(publisher).startswith(("Statistisk sentralbyrå", "SSB")) else str(publisher)
        if name not in publishers:
            publishers.append(name)
    if not publishers:
        publishers = [PUBLISHER_SSB]
    tables = list(dict.fromkeys(_table_label(t) for t in sources["table_id"].dropna()))
    line = f"Kilde: {', '.join(publishers)}"
    if tables:
        line += ", " + ", ".join(tables)
    updated = [u for u in sources["updated"].dropna().astype(str) if u]
    fetched = [f for f in sources["fetched"].dropna().astype(str) if f] if "fetched" in sources else []
    if updated:
        line += f" (oppdatert {text.iso_date(max(updated))})"
    elif fetched:
        line += f" (hentet {text.iso_date(max(fetched))})"
    return line


def indicator_source(con, *indicator_ids: str) -> str:
    frames = [queries.indicator_sources(con, i) for i in indicator_ids]
    return source_text(pd.concat(frames, ignore_index=True) if frames else None)


def recalculated_note(frame: pd.DataFrame, name: str) -> str | None:
    """«Tallene for Træna for 2005–2019 er omregnet til dagens kommunegrenser.» or None."""
    if frame is None or frame.empty or "recalculated" not in frame:
        return None
    years = sorted(int(y) for y in frame.loc[frame["recalculated"].fillna(False).astype(bool), "year"].unique())
    if not years:
        return None
    span = text.year_span(years)
    note = f"Tallene for {name} for {span} er omregnet til dagens kommunegrenser (markert «omregnet» i tabellen)."
    estimated = frame.get("estimated")
    if estimated is not None and estimated.fillna(False).astype(bool).any():
        shared = sorted(int(y) for y in frame.loc[estimated.fillna(False).astype(bool), "year"].unique())
        note += (f" For {text.year_span(shared)} er en del av en delt kommune tatt med etter en anslått andel "
                 "(se «Om data»).")
    return note
